/**
 * `copy` (Arjovsky, Shah & Bengio 2016, §4.1): remember a few symbols across T blank steps and
 * repeat them after a delimiter. A memoryless model stays at the baseline loss.
 */
import { argmax, assertBatchSize, batchRange } from './batch.ts';
import { copySchema } from './copy-schema.ts';
import { runLengthText } from './describe.ts';
import { taskRng } from './task-rng.ts';
import type { Batch, Metric, RandomSource, Task, TaskDef, TaskParams } from './types.ts';

/** Alphabet a0…a9: a0–a7 are the symbols to copy, a8 the blank, a9 the delimiter. */
export const COPY_TOKENS: readonly string[] = Array.from({ length: 10 }, (_, i) => `a${i}`);
/** Id of the blank, a8. */
export const COPY_BLANK = 8;
/** Id of the delimiter, a9: recall starts on the step after it. */
export const COPY_DELIMITER = 9;
/** Symbols are drawn from a0–a7. */
export const COPY_SYMBOLS = 8;
/** Examples in the `test` split. */
export const COPY_TEST_SIZE = 1000;

/**
 * Write example `b` of a batch of length `T + 2S` (S = `symbols`):
 * x = S symbols, T−1 blanks, the delimiter, S blanks; y = T+S blanks, then the S symbols.
 */
function writeCopyExample(rng: RandomSource, batch: Batch, b: number, T: number, symbols: number): void {
  const len = batch.length;
  const x = batch.data.x!.subarray(b * len, (b + 1) * len);
  const y = batch.data.y!.subarray(b * len, (b + 1) * len);
  x.fill(COPY_BLANK);
  y.fill(COPY_BLANK);
  for (let i = 0; i < symbols; i++) {
    const s = rng.int(COPY_SYMBOLS);
    x[i] = s;
    y[T + symbols + i] = s;
  }
  x[symbols + T - 1] = COPY_DELIMITER;
}

function allocate(size: number, length: number): Batch {
  return {
    size,
    length,
    lengths: new Int32Array(size).fill(length),
    data: { x: new Float32Array(size * length), y: new Float32Array(size * length) },
  };
}

/**
 * Per-symbol accuracy: of the `symbols` recalled positions (the last `symbols` steps) of every
 * example, how many have the right argmax. `pred` is logits `[B, T+2S, 10]`.
 */
export function copySymbolAccuracy(batch: Batch, pred: Float32Array, symbols: number): { total: number; count: number } {
  const y = batch.data.y!;
  const V = COPY_TOKENS.length;
  let right = 0;
  for (let b = 0; b < batch.size; b++) {
    for (let t = batch.length - symbols; t < batch.length; t++) {
      const at = b * batch.length + t;
      if (argmax(pred, at * V, V) === y[at]) right++;
    }
  }
  return { total: right, count: batch.size * symbols };
}

/** `recall`: fraction of examples whose recalled symbols are all right. */
export function copyRecall(symbols: number): Metric {
  return {
    name: 'recall',
    better: 'higher',
    doc: `fraction of examples whose ${symbols} recalled symbols (argmax at the last ${symbols} steps) are all right`,
    score(batch, pred) {
      const y = batch.data.y!;
      const V = COPY_TOKENS.length;
      let right = 0;
      for (let b = 0; b < batch.size; b++) {
        let all = true;
        for (let t = batch.length - symbols; t < batch.length && all; t++) {
          const at = b * batch.length + t;
          all = argmax(pred, at * V, V) === y[at];
        }
        if (all) right++;
      }
      return { total: right, count: batch.size };
    },
  };
}

/** The mean cross-entropy of a model that knows the layout but not the symbols: S·ln 8 / (T + 2S). */
export const copyBaseline = (T: number, symbols: number): number => (symbols * Math.log(COPY_SYMBOLS)) / (T + 2 * symbols);

function createCopy(params: TaskParams): Task {
  const T = Number(params.T);
  const symbols = Number(params.symbols);
  const seed = Number(params.seed);
  const length = T + 2 * symbols;
  const batchOf = (size: number, rngFor: (b: number) => RandomSource): Batch => {
    const batch = allocate(size, length);
    for (let b = 0; b < size; b++) writeCopyExample(rngFor(b), batch, b, T, symbols);
    return batch;
  };
  return {
    name: 'copy',
    params,
    streams: [
      { name: 'x', role: 'input', kind: 'tokens', vocab: 10, sequence: true, tokens: COPY_TOKENS },
      { name: 'y', role: 'target', kind: 'tokens', vocab: 10, sequence: true, tokens: COPY_TOKENS },
    ],
    trainLengths: [length, length],
    evalSplits: [{ name: 'test', count: COPY_TEST_SIZE, lengths: [length, length], doc: `${COPY_TEST_SIZE} fixed examples (task seed ${seed})` }],
    trainBatch(rng, size) {
      assertBatchSize(size);
      return batchOf(size, () => rng);
    },
    evalBatch(split, index, size) {
      const range = split === 'test' ? batchRange(COPY_TEST_SIZE, index, size) : undefined;
      // Each test example has its own stream, so it is the same whatever the batch size.
      return range && batchOf(range.end - range.start, (b) => taskRng(seed, 'copy', 'test', range.start + b));
    },
    metric: copyRecall(symbols),
    baseline: {
      value: copyBaseline(T, symbols),
      doc:
        `memoryless cross-entropy ${symbols}·ln 8/(T+${2 * symbols}): blanks predicted surely, ` +
        `each recalled symbol uniform over a0–a7`,
    },
    describe(batch, b) {
      const row = (name: string) => batch.data[name]!.subarray(b * batch.length, (b + 1) * batch.length);
      return { input: runLengthText(row('x'), COPY_TOKENS), target: runLengthText(row('y'), COPY_TOKENS) };
    },
  };
}

/** Task `copy`: streams `x` and `y`, tokens a0…a9 (vocab 10), one shared time axis of length T + 2·symbols. */
export const copyTask: TaskDef = { ...copySchema, create: createCopy };
