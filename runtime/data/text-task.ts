/**
 * The text reader of the dataset task: a UTF-8 text becomes next-token prediction, like charlm
 * but on a file of the user's. Tokens are characters (code points) or whitespace-separated words;
 * the vocabulary is the most frequent tokens of the training part (the first part of the text, by
 * position), capped, with id 0 padding and id 1 the unknown token; the validation part is the rest.
 */
import { unrollError, type Result } from '../errors/catalogue.ts';
import { assertBatchSize, batchRange } from '../tasks/batch.ts';
import { bitsPerTokenMetric, charTokenName, unigramCrossEntropy } from '../tasks/charlm.ts';
import type { Batch, StreamSpec, Task, TaskParams } from '../tasks/types.ts';

export const PAD = 0;
export const UNKNOWN = 1;
/** Display names of the two ids every vocabulary starts with. */
export const TEXT_SPECIAL_TOKENS: readonly string[] = ['<pad>', '<unk>'];

export interface TextOptions {
  /** Characters (code points) or whitespace-separated words. */
  readonly unit: 'char' | 'word';
  /** Tokens per example (steps of backprop through time). */
  readonly length: number;
  /** Most ids, padding and the unknown token included. */
  readonly vocabSize: number;
  /** Fraction of the tokens, at the end, held out for validation. */
  readonly testFraction: number;
}

export interface TextSummary {
  readonly reader: 'text';
  readonly unit: 'char' | 'word';
  readonly tokens: number;
  readonly trainTokens: number;
  readonly validationTokens: number;
  /** Ids in all: padding, unknown, then the kept tokens. */
  readonly vocab: number;
  /** Distinct tokens of the training part, kept or not. */
  readonly distinct: number;
  /** Tokens of the validation part that are unknown (not in the vocabulary). */
  readonly unknownInValidation: number;
  /** The first few tokens of the file as the model reads them. */
  readonly sample: string;
  /** The task's streams: what the graph's input and target nodes must carry. */
  readonly streams: readonly StreamSpec[];
}

/** The file's tokens: code points (CRLF read as LF), or runs of non-space as strings. */
function tokenize(text: string, unit: 'char' | 'word'): ArrayLike<number> | readonly string[] {
  const t = text.replace(/\r\n?/g, '\n');
  if (unit === 'word') return t.split(/\s+/u).filter((w) => w !== '');
  // Code points in a typed array: a large file's characters are not made into strings one by one.
  const points = new Uint32Array(t.length);
  let n = 0;
  for (let i = 0; i < t.length; n++) {
    const c = t.codePointAt(i)!;
    points[n] = c;
    i += c > 0xffff ? 2 : 1;
  }
  return points.subarray(0, n);
}

const compare = <K extends number | string>(a: K, b: K): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The vocabulary: the `cap − 2` most frequent tokens of `tokens[0, trainEnd)` (ties by code point
 * or by string), sorted the same way; their ids start at 2.
 */
export function buildVocabulary<K extends number | string>(tokens: ArrayLike<K>, trainEnd: number, cap: number): { kept: K[]; distinct: number } {
  const counts = new Map<K, number>();
  for (let i = 0; i < trainEnd; i++) counts.set(tokens[i]!, (counts.get(tokens[i]!) ?? 0) + 1);
  const kept = [...counts]
    .sort(([a, ca], [b, cb]) => cb - ca || compare(a, b))
    .slice(0, cap - TEXT_SPECIAL_TOKENS.length)
    .map(([t]) => t)
    .sort(compare);
  return { kept, distinct: counts.size };
}

/** Build the task; E481 for a text without tokens, E487 when a part is too short for one window. */
export function createTextTask(file: string, text: string, o: TextOptions, params: TaskParams): Result<{ task: Task; summary: TextSummary }> {
  const words = tokenize(text, o.unit);
  const what = o.unit === 'char' ? 'characters' : 'words';
  const N = words.length;
  if (N === 0) return { ok: false, errors: [unrollError('E481', `${file} has no ${what}: it holds only ${text.length > 0 ? 'white space' : 'a byte-order mark'}`)] };
  const L = o.length;
  const testStart = Math.floor(N * (1 - o.testFraction));
  // Training windows end before the validation text begins: the last target is token testStart − 1.
  const trainStarts = testStart - L;
  const testCount = Math.floor((N - 1 - testStart) / L);
  if (trainStarts < 1) {
    return {
      ok: false,
      errors: [unrollError('E487', `${file} has ${N} ${what}; its training part (the first ${testStart}) must be longer than length ${L} + 1: lower length (the graph's "task": {"name": "dataset", "params": {"length": …}}) or use a longer file`)],
    };
  }
  if (testCount < 1) {
    return {
      ok: false,
      errors: [
        unrollError('E487', `${file}: its validation part (the last ${N - testStart} ${what}, test_fraction ${o.testFraction}) is shorter than one window of length ${L} + 1: lower length or raise test_fraction (the graph's "task": {"name": "dataset", "params": {…}})`),
      ],
    };
  }
  const vocabulary = buildVocabulary<number | string>(words, testStart, o.vocabSize);
  const names = [...TEXT_SPECIAL_TOKENS, ...vocabulary.kept.map((k) => (typeof k === 'number' ? String.fromCodePoint(k) : k))];
  const V = names.length;
  const idOf = new Map<number | string, number>(vocabulary.kept.map((t, i) => [t, i + TEXT_SPECIAL_TOKENS.length]));
  const ids = new Uint16Array(N);
  let unknownInValidation = 0;
  for (let i = 0; i < N; i++) {
    const id = idOf.get(words[i]!) ?? UNKNOWN;
    ids[i] = id;
    if (id === UNKNOWN && i >= testStart) unknownInValidation++;
  }
  const display = o.unit === 'char' ? names.map((n, i) => (i < TEXT_SPECIAL_TOKENS.length ? n : charTokenName(n))) : names;
  const joiner = o.unit === 'char' ? '' : ' ';
  const windows = (starts: readonly number[]): Batch => {
    const size = starts.length;
    const x = new Float32Array(size * L);
    const y = new Float32Array(size * L);
    starts.forEach((s, b) => {
      for (let t = 0; t < L; t++) {
        x[b * L + t] = ids[s + t]!;
        y[b * L + t] = ids[s + t + 1]!;
      }
    });
    return { size, length: L, lengths: new Int32Array(size).fill(L), data: { x, y } };
  };
  const unitName = o.unit === 'char' ? 'character' : 'word';
  const streams: StreamSpec[] = [
    { name: 'x', role: 'input', kind: 'tokens', vocab: V, sequence: true, tokens: display },
    { name: 'y', role: 'target', kind: 'tokens', vocab: V, sequence: true, tokens: display },
  ];
  let baseline: number | undefined;
  const task: Task = {
    name: 'dataset',
    params,
    streams,
    trainLengths: [L, L],
    evalSplits: [
      {
        name: 'validation',
        count: testCount,
        lengths: [L, L],
        doc: `the last ${N - testStart} ${what} of ${file}, in ${testCount} windows of ${L}, each read from a fresh state`,
      },
    ],
    trainBatch(rng, size) {
      assertBatchSize(size);
      return windows(Array.from({ length: size }, () => rng.int(trainStarts)));
    },
    evalBatch(split, index, size) {
      const range = split === 'validation' ? batchRange(testCount, index, size) : undefined;
      return range && windows(Array.from({ length: range.end - range.start }, (_, i) => testStart + (range.start + i) * L));
    },
    metric: bitsPerTokenMetric(V, 'y', o.unit === 'char' ? 'bpc' : 'bpw', `bits per ${unitName}: −log₂ p(next ${unitName}), averaged over every predicted ${unitName}`),
    get baseline() {
      baseline ??= unigramCrossEntropy(ids, V, testStart, testStart, N);
      return {
        value: baseline,
        doc: `cross-entropy of the training part's ${unitName} frequencies on the validation part: ${baseline.toFixed(3)} nats = ${(baseline / Math.LN2).toFixed(2)} bits per ${unitName}`,
      };
    },
    describe(batch, b) {
      const row = (name: string): string => Array.from(batch.data[name]!.subarray(b * batch.length, (b + 1) * batch.length), (id) => names[id]).join(joiner);
      return { input: row('x'), target: row('y') };
    },
  };
  const sample = Array.from(ids.subarray(0, 40), (id) => names[id]).join(joiner);
  return {
    ok: true,
    value: {
      task,
      summary: { reader: 'text', unit: o.unit, tokens: N, trainTokens: testStart, validationTokens: N - testStart, vocab: V, distinct: vocabulary.distinct, unknownInValidation, sample, streams },
    },
  };
}
