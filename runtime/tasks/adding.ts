/**
 * `adding` (Le et al. 2015; the uRNN paper's version): two channels of length T, random values and
 * a marker with one 1 in each half; the target is the sum of the two marked values.
 */
import { addingSchema } from './adding-schema.ts';
import { assertBatchSize, batchRange } from './batch.ts';
import { taskRng } from './task-rng.ts';
import type { Batch, Metric, RandomSource, Task, TaskDef, TaskParams } from './types.ts';

/** Examples in the `test` split. */
export const ADDING_TEST_SIZE = 1000;
/** MSE of always predicting 1, the mean of the target: Var(U1 + U2) = 2 · 1/12. */
export const ADDING_BASELINE = 1 / 6;

/**
 * Write example `b`: x `[T, 2]` with channel 0 ~ U[0, 1) and channel 1 one-hot at a step of
 * [0, ⌊T/2⌋) and one of [⌊T/2⌋, T); y `[1]` the sum of the two marked values.
 */
function writeAddingExample(rng: RandomSource, batch: Batch, b: number): void {
  const T = batch.length;
  const x = batch.data.x!.subarray(b * T * 2, (b + 1) * T * 2);
  for (let t = 0; t < T; t++) x[2 * t] = rng.next();
  const half = Math.floor(T / 2);
  const first = rng.int(half);
  const second = half + rng.int(T - half);
  x[2 * first + 1] = 1;
  x[2 * second + 1] = 1;
  batch.data.y![b] = x[2 * first]! + x[2 * second]!;
}

/** `mse`: squared error of the predicted sum `[B, 1]`, summed over the batch. */
export const addingMse: Metric = {
  name: 'mse',
  better: 'lower',
  doc: 'mean squared error of the predicted sum; 0.167 is the baseline of always predicting 1',
  score(batch, pred) {
    const y = batch.data.y!;
    let total = 0;
    for (let b = 0; b < batch.size; b++) total += (pred[b]! - y[b]!) ** 2;
    return { total, count: batch.size };
  },
};

function createAdding(params: TaskParams): Task {
  const T = Number(params.T);
  const seed = Number(params.seed);
  const batchOf = (size: number, rngFor: (b: number) => RandomSource): Batch => {
    const batch: Batch = {
      size,
      length: T,
      lengths: new Int32Array(size).fill(T),
      data: { x: new Float32Array(size * T * 2), y: new Float32Array(size) },
    };
    for (let b = 0; b < size; b++) writeAddingExample(rngFor(b), batch, b);
    return batch;
  };
  return {
    name: 'adding',
    params,
    streams: [
      { name: 'x', role: 'input', kind: 'vector', size: 2, sequence: true },
      { name: 'y', role: 'target', kind: 'vector', size: 1, sequence: false },
    ],
    trainLengths: [T, T],
    evalSplits: [{ name: 'test', count: ADDING_TEST_SIZE, lengths: [T, T], doc: `${ADDING_TEST_SIZE} fixed examples (task seed ${seed})` }],
    trainBatch(rng, size) {
      assertBatchSize(size);
      return batchOf(size, () => rng);
    },
    evalBatch(split, index, size) {
      const range = split === 'test' ? batchRange(ADDING_TEST_SIZE, index, size) : undefined;
      // Each test example has its own stream, so it is the same whatever the batch size.
      return range && batchOf(range.end - range.start, (b) => taskRng(seed, 'adding', 'test', range.start + b));
    },
    metric: addingMse,
    baseline: { value: ADDING_BASELINE, doc: 'MSE of always predicting 1 (the mean sum): Var(U₁ + U₂) = 1/6 ≈ 0.167' },
    describe(batch, b) {
      const x = batch.data.x!.subarray(b * T * 2, (b + 1) * T * 2);
      const marked: string[] = [];
      for (let t = 0; t < T; t++) if (x[2 * t + 1] === 1) marked.push(`${x[2 * t]!.toFixed(3)} at t=${t}`);
      return { input: `T=${T}, marked: ${marked.join(', ')}`, target: batch.data.y![b]!.toFixed(3) };
    },
  };
}

/** Task `adding`: stream `x` vectors [T, 2] (value, marker), stream `y` one float per example. */
export const addingTask: TaskDef = { ...addingSchema, create: createAdding };
