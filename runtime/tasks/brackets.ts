/**
 * `brackets`, the lecture's example: read C-like code character by character and say whether its
 * brackets are balanced. Counting view by default (k counters suffice), nesting view on request
 * (needs a stack). Negatives differ from a balanced string by one bracket edit.
 */
import { argmax, assertBatchSize, batchRange } from './batch.ts';
import { BRACKET_TOKENS, BRACKET_VOCAB, charId, idChar } from './brackets-charset.ts';
import { makeBracketData, type BracketData, type BracketExample } from './brackets-data.ts';
import { bracketsSchema } from './brackets-schema.ts';
import type { Batch, EvalSplit, Metric, Task, TaskDef, TaskParams } from './types.ts';

/** `[B, T]` ids padded with 0 to the longest example (stream `x`) and `[B]` labels (stream `y`). */
export function bracketBatch(examples: readonly BracketExample[]): Batch {
  const size = examples.length;
  const length = examples.reduce((m, e) => Math.max(m, e.text.length), 0);
  const x = new Float32Array(size * length);
  const y = new Float32Array(size);
  const lengths = new Int32Array(size);
  examples.forEach((e, b) => {
    for (let t = 0; t < e.text.length; t++) x[b * length + t] = charId(e.text[t]!);
    y[b] = e.label;
    lengths[b] = e.text.length;
  });
  return { size, length, lengths, data: { x, y } };
}

/** `accuracy`: argmax of the logits `[B, 2]` against the label. */
export const bracketAccuracy: Metric = {
  name: 'accuracy',
  better: 'higher',
  doc: 'fraction of strings whose larger logit is the right label (0 unbalanced, 1 balanced)',
  score(batch, pred) {
    const y = batch.data.y!;
    let right = 0;
    for (let b = 0; b < batch.size; b++) if (argmax(pred, 2 * b, 2) === y[b]) right++;
    return { total: right, count: batch.size };
  },
};

/** Create a brackets task; the example sets are generated on first use (about 0.1 s for the defaults). */
function createBrackets(params: TaskParams): Task {
  const nesting = params.nesting === true;
  const trainLengths = [Number(params.min_length), Number(params.max_length)] as const;
  const longLengths = [Number(params.test_min_length), Number(params.test_max_length)] as const;
  let data: BracketData | undefined;
  const sets = (): BracketData =>
    (data ??= makeBracketData({
      nesting,
      seed: Number(params.seed),
      trainSize: Number(params.train_size),
      testSize: Number(params.test_size),
      trainLengths,
      longLengths,
    }));
  const view = nesting ? 'properly nested across kinds' : 'balanced per kind (counting)';
  return {
    name: 'brackets',
    params,
    streams: [
      { name: 'x', role: 'input', kind: 'tokens', vocab: BRACKET_VOCAB, sequence: true, tokens: BRACKET_TOKENS },
      { name: 'y', role: 'target', kind: 'tokens', vocab: 2, sequence: false, tokens: ['unbalanced', 'balanced'] },
    ],
    trainLengths,
    // A getter: the counts are known once the sets exist (a split can stop short, see makeBracketSet).
    get evalSplits(): readonly EvalSplit[] {
      return [
        { name: 'test', count: sets().test.length, lengths: trainLengths, doc: `training lengths, ${view}; no string of the training set` },
        { name: 'long', count: sets().long.length, lengths: longLengths, doc: `longer strings than in training, ${view}` },
      ];
    },
    trainBatch(rng, size) {
      assertBatchSize(size);
      const train = sets().train;
      return bracketBatch(Array.from({ length: size }, () => train[rng.int(train.length)]!));
    },
    evalBatch(split, index, size) {
      const set = split === 'test' ? sets().test : split === 'long' ? sets().long : undefined;
      const range = set && batchRange(set.length, index, size);
      return range && bracketBatch(set.slice(range.start, range.end));
    },
    metric: bracketAccuracy,
    describe(batch, b) {
      let text = '';
      const row = batch.data.x!.subarray(b * batch.length, b * batch.length + batch.lengths[b]!);
      for (const id of row) text += idChar(id);
      return { input: text, target: batch.data.y![b] === 1 ? 'balanced' : 'unbalanced' };
    },
  };
}

/** Task `brackets`: streams `x` (characters, vocab 26, sequence) and `y` (0 unbalanced, 1 balanced). */
export const bracketsTask: TaskDef = { ...bracketsSchema, create: createBrackets };
