/**
 * `reverse`, the toy seq2seq task: read a digit string, write it backwards. An encoder runs along
 * the source (the main axis), a decoder along the target (its own axis, one step longer for the
 * end token); exact-match accuracy is reported by length, where the single-vector bottleneck of a
 * seq2seq model without attention shows.
 */
import { argmax, assertBatchSize, batchRange } from './batch.ts';
import { reverseSchema } from './reverse-schema.ts';
import { taskRng } from './task-rng.ts';
import type { Batch, EvalSplit, Metric, RandomSource, Task, TaskDef, TaskParams } from './types.ts';

/** Token ids: 0 padding (never a real token), 1–10 the digits 0–9, 11 start, 12 end. */
export const REVERSE_TOKENS: readonly string[] = ['<pad>', ...Array.from({ length: 10 }, (_, d) => String(d)), '<s>', '</s>'];
/** Id of digit d is d + 1, so that padding (0) is no digit. */
export const REVERSE_DIGIT0 = 1;
/** The start token a decoder input begins with (teacher forcing and generation). */
export const REVERSE_START = 11;
/** The end token that closes every target. */
export const REVERSE_END = 12;
/** Name of the target's time axis (source length + 1). */
export const REVERSE_TARGET_AXIS = 'y';

/** Redraws of a training string that is in the test split before giving up (never reached when the check holds). */
const REDRAWS = 1000;

/** One example as digits 0–9, the source; its target is the reversal followed by the end token. */
export type DigitString = readonly number[];

/** `[B, T]` source ids and `[B, T+1]` target ids, padded with 0; axis `y` carries the target's lengths. */
export function reverseBatch(examples: readonly DigitString[]): Batch {
  const size = examples.length;
  const length = examples.reduce((m, e) => Math.max(m, e.length), 0);
  const src = new Float32Array(size * length);
  const y = new Float32Array(size * (length + 1));
  const lengths = new Int32Array(size);
  const yLengths = new Int32Array(size);
  examples.forEach((digits, b) => {
    const n = digits.length;
    for (let t = 0; t < n; t++) {
      src[b * length + t] = REVERSE_DIGIT0 + digits[t]!;
      y[b * (length + 1) + t] = REVERSE_DIGIT0 + digits[n - 1 - t]!;
    }
    y[b * (length + 1) + n] = REVERSE_END;
    lengths[b] = n;
    yLengths[b] = n + 1;
  });
  return { size, length, lengths, data: { src, y }, axes: { [REVERSE_TARGET_AXIS]: { length: length + 1, lengths: yLengths } } };
}

/**
 * `exact_match`: an example counts when the argmax of the logits `[B, T+1, 13]` is the target at
 * every real step (the reversed digits and the end token); reported by source length too.
 */
export const reverseExactMatch: Metric = {
  name: 'exact_match',
  better: 'higher',
  doc: 'fraction of strings whose every output token (the reversed digits, then the end token) is the argmax; also by length',
  score(batch, pred) {
    const axis = batch.axes![REVERSE_TARGET_AXIS]!;
    const y = batch.data.y!;
    const V = REVERSE_TOKENS.length;
    const byLength = new Map<number, { total: number; count: number }>();
    let right = 0;
    for (let b = 0; b < batch.size; b++) {
      let all = true;
      for (let t = 0; t < axis.lengths[b]! && all; t++) {
        const at = b * axis.length + t;
        all = argmax(pred, at * V, V) === y[at];
      }
      if (all) right++;
      const n = batch.lengths[b]!;
      const s = byLength.get(n) ?? { total: 0, count: 0 };
      byLength.set(n, { total: s.total + (all ? 1 : 0), count: s.count + 1 });
    }
    return { total: right, count: batch.size, byLength };
  },
};

const key = (digits: DigitString): string => digits.join('');

function drawDigits(rng: RandomSource, n: number): number[] {
  return Array.from({ length: n }, () => rng.int(10));
}

/**
 * The test split: `perLength` distinct strings of every length in `lengths`, shortest first; string
 * i comes from its own stream of the task seed, so the split does not depend on the batch size.
 */
export function makeReverseTestSet(seed: number, lengths: readonly [number, number], perLength: number): DigitString[] {
  const out: DigitString[] = [];
  for (let n = lengths[0]; n <= lengths[1]; n++) {
    const seen = new Set<string>();
    for (let i = 0; out.length < (n - lengths[0] + 1) * perLength; i++) {
      const digits = drawDigits(taskRng(seed, 'reverse', 'test', n, i), n);
      if (seen.has(key(digits))) continue;
      seen.add(key(digits));
      out.push(digits);
    }
  }
  return out;
}

function createReverse(params: TaskParams): Task {
  const trainLengths = [Number(params.min_length), Number(params.max_length)] as const;
  const testLengths = [Number(params.test_min_length), Number(params.test_max_length)] as const;
  const perLength = Number(params.test_per_length);
  const seed = Number(params.seed);
  let test: { list: DigitString[]; keys: Set<string> } | undefined;
  const testSet = () => {
    if (test === undefined) {
      const list = makeReverseTestSet(seed, testLengths, perLength);
      test = { list, keys: new Set(list.map(key)) };
    }
    return test;
  };
  const plusEnd = (r: readonly [number, number]) => [r[0] + 1, r[1] + 1] as const;
  const split: EvalSplit = {
    name: 'test',
    count: (testLengths[1] - testLengths[0] + 1) * perLength,
    lengths: testLengths,
    axisLengths: { [REVERSE_TARGET_AXIS]: plusEnd(testLengths) },
    doc: `${perLength} distinct strings of each length ${testLengths[0]}–${testLengths[1]} (task seed ${seed}), none drawn in training`,
  };
  return {
    name: 'reverse',
    params,
    streams: [
      { name: 'src', role: 'input', kind: 'tokens', vocab: REVERSE_TOKENS.length, sequence: true, tokens: REVERSE_TOKENS },
      {
        name: 'y',
        role: 'target',
        kind: 'tokens',
        vocab: REVERSE_TOKENS.length,
        sequence: true,
        axis: REVERSE_TARGET_AXIS,
        tokens: REVERSE_TOKENS,
        start: REVERSE_START,
        end: REVERSE_END,
      },
    ],
    trainLengths,
    trainAxisLengths: { [REVERSE_TARGET_AXIS]: plusEnd(trainLengths) },
    evalSplits: [split],
    trainBatch(rng, size) {
      assertBatchSize(size);
      const keys = testSet().keys;
      const examples = Array.from({ length: size }, () => {
        const n = trainLengths[0] + rng.int(trainLengths[1] - trainLengths[0] + 1);
        let digits = drawDigits(rng, n);
        // Test strings are never trained on, so test accuracy measures reversal, not recall.
        for (let k = 0; keys.has(key(digits)) && k < REDRAWS; k++) digits = drawDigits(rng, n);
        return digits;
      });
      return reverseBatch(examples);
    },
    evalBatch(name, index, size) {
      const list = name === 'test' ? testSet().list : undefined;
      const range = list && batchRange(list.length, index, size);
      return range && reverseBatch(list.slice(range.start, range.end));
    },
    metric: reverseExactMatch,
    describe(batch, b) {
      const axis = batch.axes![REVERSE_TARGET_AXIS]!;
      const text = (ids: Float32Array, from: number, n: number) => Array.from(ids.subarray(from, from + n), (id) => REVERSE_TOKENS[id] ?? `#${id}`).join(' ');
      return { input: text(batch.data.src!, b * batch.length, batch.lengths[b]!), target: text(batch.data.y!, b * axis.length, axis.lengths[b]!) };
    },
  };
}

/**
 * Task `reverse`: stream `src` (digits, vocab 13, the main axis) and stream `y` (the reversed
 * digits then `</s>`, vocab 13, on its own axis `y`, one step longer). A decoder input starts with
 * `<s>` (id 11) and carries `y` shifted right by one step.
 */
export const reverseTask: TaskDef = { ...reverseSchema, create: createReverse };
