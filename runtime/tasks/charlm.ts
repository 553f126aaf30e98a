/**
 * `charlm`: a character-level language model on a bundled public-domain text (State of the Union
 * addresses, see data/README.md). Predict the next character at every step; the metric is bits
 * per character on held-out text, the last part of the text by position.
 */
import { assertBatchSize, batchRange } from './batch.ts';
import { charlmSchema, charlmTestStart } from './charlm-schema.ts';
import { SOTU_ADDRESSES } from './data/sotu.ts';
import type { Batch, Metric, Task, TaskDef, TaskParams } from './types.ts';

/** Where the test text starts, computed from the text's length (see charlm-schema.ts, where the check needs it). */
export { charlmTestStart };

/** The whole text: the addresses in date order, one per line. */
export const CHARLM_TEXT: string = SOTU_ADDRESSES.map((a) => a.text).join('\n');

/** The characters of the text, sorted by code point; a character's id is its index. */
export const CHARLM_CHARS: readonly string[] = [...new Set(CHARLM_TEXT)].sort();

const idOf = new Map(CHARLM_CHARS.map((c, i) => [c, i]));

/** A character's display name: the space, tab and line break made visible. */
export const charTokenName = (c: string): string => (c === ' ' ? '␣' : c === '\n' ? '⏎' : c === '\t' ? '⇥' : c);

/** Display names: the characters, with the space and the line break made visible. */
const TOKEN_NAMES: readonly string[] = CHARLM_CHARS.map(charTokenName);

/** `[B, T]` ids of the windows starting at `starts`: x the characters, y the same shifted by one. */
export function charlmBatch(starts: readonly number[], length: number): Batch {
  const size = starts.length;
  const x = new Float32Array(size * length);
  const y = new Float32Array(size * length);
  starts.forEach((s, b) => {
    for (let t = 0; t < length; t++) {
      x[b * length + t] = idOf.get(CHARLM_TEXT[s + t]!)!;
      y[b * length + t] = idOf.get(CHARLM_TEXT[s + t + 1]!)!;
    }
  });
  return { size, length, lengths: new Int32Array(size).fill(length), data: { x, y } };
}

/**
 * Bits per token: −log₂ of the softmax probability of the target token over `vocab` logits,
 * averaged over every real step (`Batch.lengths`) of the target stream `target`. Shared by charlm
 * and the text reader of the dataset task.
 */
export function bitsPerTokenMetric(vocab: number, target = 'y', name = 'bpc', doc = 'bits per character: −log₂ p(next character), averaged over every predicted character'): Metric {
  return {
    name,
    better: 'lower',
    doc,
    score(batch, pred) {
      const y = batch.data[target]!;
      const V = vocab;
      let bits = 0;
      let count = 0;
      for (let b = 0; b < batch.size; b++) {
        for (let t = 0; t < batch.lengths[b]!; t++) {
          const at = (b * batch.length + t) * V;
          // log-sum-exp shifted by the largest logit, so large logits do not overflow.
          let max = -Infinity;
          for (let k = 0; k < V; k++) max = Math.max(max, pred[at + k]!);
          let sum = 0;
          for (let k = 0; k < V; k++) sum += Math.exp(pred[at + k]! - max);
          bits += (Math.log(sum) + max - pred[at + y[b * batch.length + t]!]!) / Math.LN2;
          count++;
        }
      }
      return { total: bits, count };
    },
  };
}

/** `bpc`: −log₂ of the softmax probability of the next character, averaged over every step. */
export const charlmBitsPerChar: Metric = bitsPerTokenMetric(CHARLM_CHARS.length);

/**
 * Cross-entropy (nats per token) on tokens `[from, to)` of `ids` of the token frequencies of
 * `[0, trainEnd)`, add-one smoothed over `vocab` ids: what a model that learns only how often each
 * token occurs reaches.
 */
export function unigramCrossEntropy(ids: ArrayLike<number>, vocab: number, trainEnd: number, from: number, to: number): number {
  const counts = new Float64Array(vocab).fill(1);
  for (let i = 0; i < trainEnd; i++) counts[ids[i]!]!++;
  const total = counts.reduce((a, c) => a + c, 0);
  let nats = 0;
  for (let i = from; i < to; i++) nats -= Math.log(counts[ids[i]!]! / total);
  return nats / (to - from);
}

/**
 * Cross-entropy (nats per character) on `[from, to)` of the text of the character frequencies of
 * `[0, trainEnd)`, add-one smoothed: what a model that learns only how often each character occurs reaches.
 */
export function unigramLoss(trainEnd: number, from: number, to: number): number {
  return unigramCrossEntropy(Uint8Array.from(CHARLM_TEXT, (c) => idOf.get(c)!), CHARLM_CHARS.length, trainEnd, from, to);
}

function createCharlm(params: TaskParams): Task {
  const length = Number(params.length);
  const testStart = charlmTestStart(Number(params.test_fraction));
  // Training windows end before the test text begins: the last target is character testStart − 1.
  const trainStarts = testStart - length;
  const testCount = Math.floor((CHARLM_TEXT.length - 1 - testStart) / length);
  let baseline: number | undefined;
  return {
    name: 'charlm',
    params,
    streams: [
      { name: 'x', role: 'input', kind: 'tokens', vocab: CHARLM_CHARS.length, sequence: true, tokens: TOKEN_NAMES },
      { name: 'y', role: 'target', kind: 'tokens', vocab: CHARLM_CHARS.length, sequence: true, tokens: TOKEN_NAMES },
    ],
    trainLengths: [length, length],
    evalSplits: [
      {
        name: 'test',
        count: testCount,
        lengths: [length, length],
        doc: `the last ${CHARLM_TEXT.length - testStart} characters of the text, in ${testCount} windows of ${length}, each read from a fresh state`,
      },
    ],
    trainBatch(rng, size) {
      assertBatchSize(size);
      return charlmBatch(Array.from({ length: size }, () => rng.int(trainStarts)), length);
    },
    evalBatch(split, index, size) {
      const range = split === 'test' ? batchRange(testCount, index, size) : undefined;
      return range && charlmBatch(Array.from({ length: range.end - range.start }, (_, i) => testStart + (range.start + i) * length), length);
    },
    metric: charlmBitsPerChar,
    get baseline() {
      baseline ??= unigramLoss(testStart, testStart, CHARLM_TEXT.length);
      return {
        value: baseline,
        doc: `cross-entropy of the training text's character frequencies on the test text: ${baseline.toFixed(3)} nats = ${(baseline / Math.LN2).toFixed(2)} bits per character`,
      };
    },
    describe(batch, b) {
      const row = (name: string) => Array.from(batch.data[name]!.subarray(b * batch.length, (b + 1) * batch.length), (id) => CHARLM_CHARS[id]).join('');
      return { input: row('x'), target: row('y') };
    },
  };
}

/** Task `charlm`: streams `x` and `y`, characters (vocab = the text's distinct characters), y = x shifted by one, one axis. */
export const charlmTask: TaskDef = { ...charlmSchema, create: createCharlm };
