/**
 * `dyck` (Suzgun, Gehrmann, Belinkov & Shieber 2019, "LSTM networks can perform dynamic
 * counting"): read a Dyck-1 (or Dyck-2) string and predict, at every step, the set of symbols that
 * may legally come next. A string counts only if every step is right. Training strings are short
 * (2–50), test strings longer (52–100), so the metric measures generalisation in length.
 */
import { assertBatchSize, batchRange } from './batch.ts';
import { DYCK_END_SYMBOL, dyckLabels, dyckTokens, sampleDyckInRange, type DyckGrammar } from './dyck-gen.ts';
import { dyckSchema } from './dyck-schema.ts';
import { taskRng } from './task-rng.ts';
import type { Batch, EvalSplit, Metric, RandomSource, Task, TaskDef, TaskParams } from './types.ts';

/** `[B, T]` ids padded with 0 (stream `x`) and `[B, T, 2k+1]` multi-hot labels (stream `y`). */
export function dyckBatch(strings: readonly (readonly number[])[], pairs: number): Batch {
  const size = strings.length;
  const width = 2 * pairs + 1;
  const length = strings.reduce((m, s) => Math.max(m, s.length), 0);
  const x = new Float32Array(size * length);
  const y = new Float32Array(size * length * width);
  const lengths = new Int32Array(size);
  strings.forEach((s, b) => {
    x.set(s, b * length);
    y.set(dyckLabels(s, pairs), b * length * width);
    lengths[b] = s.length;
  });
  return { size, length, lengths, data: { x, y } };
}

/**
 * `accuracy`: a string is right when at every real step every label's logit is on the right side
 * of 0 (sigmoid on the right side of 0.5); reported by length too. `pred` is logits `[B, T, 2k+1]`.
 */
export function dyckAccuracy(pairs: number): Metric {
  const width = 2 * pairs + 1;
  return {
    name: 'accuracy',
    better: 'higher',
    doc: 'fraction of strings whose every step predicts exactly the set of legal next symbols (sigmoid > 0.5); also by length',
    score(batch, pred) {
      const y = batch.data.y!;
      const byLength = new Map<number, { total: number; count: number }>();
      let right = 0;
      for (let b = 0; b < batch.size; b++) {
        const n = batch.lengths[b]!;
        let all = true;
        for (let i = b * batch.length * width; i < (b * batch.length + n) * width && all; i++) {
          // NaN is never > 0, so a diverged model is wrong wherever a label is 1.
          all = pred[i]! > 0 === (y[i] === 1);
        }
        if (all) right++;
        const s = byLength.get(n) ?? { total: 0, count: 0 };
        byLength.set(n, { total: s.total + (all ? 1 : 0), count: s.count + 1 });
      }
      return { total: right, count: batch.size, byLength };
    },
  };
}

/** `count` strings of lengths in `lengths` from the grammar; stops short if the range is too unlikely. */
export function makeDyckSet(rng: RandomSource, g: DyckGrammar, lengths: readonly [number, number], count: number): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < count; i++) {
    const s = sampleDyckInRange(rng, g, lengths);
    if (s === undefined) break;
    out.push(s);
  }
  return out;
}

function createDyck(params: TaskParams): Task {
  const pairs = Number(params.pairs);
  const grammar: DyckGrammar = { pairs, p: Number(params.p), q: Number(params.q) };
  const seed = Number(params.seed);
  const trainLengths = [Number(params.min_length), Number(params.max_length)] as const;
  const testLengths = [Number(params.test_min_length), Number(params.test_max_length)] as const;
  const tokens = dyckTokens(pairs);
  const labels = [...tokens, DYCK_END_SYMBOL];
  let sets: { train: number[][]; test: number[][] } | undefined;
  const data = () =>
    (sets ??= {
      train: makeDyckSet(taskRng(seed, 'dyck', 'train'), grammar, trainLengths, Number(params.train_size)),
      test: makeDyckSet(taskRng(seed, 'dyck', 'test'), grammar, testLengths, Number(params.test_size)),
    });
  return {
    name: 'dyck',
    params,
    streams: [
      { name: 'x', role: 'input', kind: 'tokens', vocab: 2 * pairs, sequence: true, tokens },
      { name: 'y', role: 'target', kind: 'vector', size: 2 * pairs + 1, sequence: true },
    ],
    trainLengths,
    // A getter: the count is known once the set exists (an unlikely length range can stop it short).
    get evalSplits(): readonly EvalSplit[] {
      return [{ name: 'test', count: data().test.length, lengths: testLengths, doc: `strings of lengths ${testLengths[0]}–${testLengths[1]}, longer than in training (task seed ${seed})` }];
    },
    trainBatch(rng, size) {
      assertBatchSize(size);
      const train = data().train;
      if (train.length === 0) throw new RangeError(`task dyck drew no training string of lengths ${trainLengths[0]}–${trainLengths[1]}: widen them`);
      return dyckBatch(Array.from({ length: size }, () => train[rng.int(train.length)]!), pairs);
    },
    evalBatch(split, index, size) {
      const set = split === 'test' ? data().test : undefined;
      const range = set && batchRange(set.length, index, size);
      return range && dyckBatch(set.slice(range.start, range.end), pairs);
    },
    metric: dyckAccuracy(pairs),
    describe(batch, b) {
      const n = batch.lengths[b]!;
      const width = labels.length;
      const x = batch.data.x!.subarray(b * batch.length, b * batch.length + n);
      const y = batch.data.y!.subarray(b * batch.length * width, (b * batch.length + n) * width);
      const sets = Array.from({ length: n }, (_, t) => labels.filter((_, j) => y[t * width + j] === 1).join(''));
      return { input: Array.from(x, (id) => tokens[id]).join(''), target: sets.join(' ') };
    },
  };
}

/**
 * Task `dyck`: stream `x` (brackets: `(` `)` for Dyck-1, also `[` `]` for Dyck-2) and stream `y`
 * (per step a multi-hot vector of 2k+1 labels: each bracket that may come next, then "may end
 * here"), along one axis: the graph's target must `align_with` x. Train with BCE on logits.
 */
export const dyckTask: TaskDef = { ...dyckSchema, create: createDyck };
