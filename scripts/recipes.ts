/**
 * The recipes `npm run reproduce` trains: one per architecture of the lecture, each an example
 * graph whose `task` and `training` sections (fixed seed) are the recipe, so
 * `npx unroll train examples/<file>` trains the same thing from the command line. Each says which
 * number it reports, what published or baseline value stands beside it, and what it must reach.
 *
 * To add one (seq2seq on `reverse`, the memory network on bAbI 1–3, …): append an entry; give
 * `variant.task` for a task setting the file does not hold (bAbI's task number), a `quick` run that
 * trains in a second or two, then `npm run reproduce -- --only NAME` to add its row.
 */
import type { Reached, Recipe, Target } from './recipe-types.ts';

/** Accuracy on the long split of `brackets`: strings of lengths 52–100, after training on 2–50. */
const bracketsLong = { split: 'long', of: 'metric', format: 'percent', label: 'accuracy, lengths 52–100 (trained on ≤ 50)' } as const;
const bracketsTest = { split: 'test', of: 'metric', format: 'percent', label: 'accuracy, lengths 2–50' } as const;

/** CI's brackets: short strings, small sets, a few dozen steps. */
const bracketsQuick = {
  task: { min_length: 2, max_length: 12, test_min_length: 14, test_max_length: 20, train_size: 400, test_size: 40 },
  training: { steps: 40 },
} as const;

const atLeast = (x: number, text: string): Target => ({ text, met: (v) => v >= x });
const below = (x: number, text: string): Target => ({ text, met: (v) => v < x });
/** The lecture's claim that a cell does worse than the LSTM: at least `margin` below its value in the same run. */
const belowLstm = (margin: number): Target => ({
  text: `≥ ${100 * margin} points below the LSTM`,
  met: (v, _b, reached: Reached) => v <= (reached.get('lstm-brackets') ?? NaN) - margin,
});
/** Plain seq2seq against attention on the same strings: at least `margin` below it in the same run. */
const belowAttention = (margin: number): Target => ({
  text: `≥ ${100 * margin} points below attention`,
  met: (v, _b, reached: Reached) => v <= (reached.get('seq2seq-attention-reverse') ?? NaN) - margin,
});
const belowBaseline: Target = { text: '< baseline', met: (v, b) => b !== undefined && v < b };

/** MemN2N's test accuracy on bAbI tasks 1–3 with 1k training questions: 1 − error (0.0 / 8.3 / 40.3 %). */
const babiMemN2N = [1, 0.917, 0.597] as const;

const lstmVsElman = 'lecture: the LSTM counts brackets, the Elman RNN does clearly worse';

export const RECIPES: readonly Recipe[] = [
  {
    name: 'lstm-brackets',
    example: 'lstm.json',
    report: bracketsLong,
    also: [bracketsTest],
    reference: { text: 'issue 7: ≥ 95%; k counters suffice (Suzgun 2019, Shuffle-k)' },
    target: atLeast(0.95, '≥ 95%'),
    quick: bracketsQuick,
  },
  {
    name: 'gru-brackets',
    example: 'gru.json',
    report: bracketsLong,
    also: [bracketsTest],
    reference: { text: 'gated like the LSTM, without a separate cell (lecture): compare with the LSTM row' },
    quick: bracketsQuick,
  },
  {
    name: 'elman-brackets',
    example: 'elman-rnn.json',
    report: bracketsLong,
    also: [bracketsTest],
    reference: { text: lstmVsElman },
    target: belowLstm(0.1),
    quick: bracketsQuick,
  },
  {
    name: 'elman-orthogonal-brackets',
    example: 'elman-brackets-orthogonal.json',
    report: bracketsLong,
    also: [bracketsTest],
    reference: { text: 'orthogonal init and clipping (Pascanu 2013) help an Elman RNN train; it still has no memory cell' },
    quick: bracketsQuick,
  },
  {
    name: 'bilinear-brackets',
    example: 'bilinear-rnn.json',
    report: bracketsLong,
    also: [bracketsTest],
    reference: { text: 'multiplicative RNN: the input picks the transition matrix (lecture); no published number on this task' },
    quick: { ...bracketsQuick, nodes: { trans: { size: 8 }, inp: { size: 8 }, h: { size: 8 } } },
  },
  {
    name: 'lstm-brackets-nesting',
    example: 'lstm.json',
    variant: { task: { nesting: true } },
    report: bracketsLong,
    also: [bracketsTest],
    reference: { text: 'proper nesting needs a stack: no small RNN learned Dyck-2 (Suzgun 2019)' },
    quick: bracketsQuick,
  },
  {
    name: 'lstm-copy',
    example: 'lstm-copy.json',
    report: { split: 'test', of: 'loss', format: 'loss', label: 'cross-entropy per step, T = 100' },
    also: [{ split: 'test', of: 'metric', format: 'percent', label: 'exact recall of all 10 symbols' }],
    reference: { text: 'memoryless, 10·ln 8/(T + 20); Arjovsky 2016: the LSTM beats it at T = 100', value: (10 * Math.log(8)) / 120 },
    target: belowBaseline,
    quick: { task: { T: 5 }, training: { steps: 40 } },
  },
  {
    name: 'lstm-adding',
    example: 'lstm-adding.json',
    report: { split: 'test', of: 'metric', format: 'loss', label: 'MSE, T = 100' },
    reference: { text: 'always 1; LSTMs get near 0 at T = 100 (Le 2015, Arjovsky 2016)', value: 1 / 6 },
    target: below(0.01, '< 0.01'),
    quick: { task: { T: 10 }, training: { steps: 40 } },
  },
  {
    name: 'elman-adding',
    example: 'elman-adding.json',
    report: { split: 'test', of: 'metric', format: 'loss', label: 'MSE, T = 100' },
    reference: { text: 'always 1; tanh RNNs stay at the baseline at T = 100 (Arjovsky 2016)', value: 1 / 6 },
    quick: { task: { T: 10 }, training: { steps: 40 } },
  },
  {
    name: 'elman-adding-orthogonal',
    example: 'elman-adding-orthogonal.json',
    report: { split: 'test', of: 'metric', format: 'loss', label: 'MSE, T = 100' },
    reference: { text: 'always 1; orthogonal init keeps the gradient alive (the gradient table below)', value: 1 / 6 },
    quick: { task: { T: 10 }, training: { steps: 40 } },
  },
  {
    name: 'lstm-dyck',
    example: 'lstm-dyck.json',
    report: { split: 'test', of: 'metric', format: 'percent', label: 'strings right at every step, lengths 52–100 (trained on 2–50)' },
    reference: { text: 'Suzgun 2019: LSTMs learn Dyck-1 and generalise to lengths 52–100; one unit practically suffices' },
    target: atLeast(0.95, '≥ 95%'),
    quick: { task: { max_length: 12, test_min_length: 14, test_max_length: 20, train_size: 400, test_size: 40 }, training: { steps: 40 } },
  },
  {
    name: 'bilstm-dyck',
    example: 'bilstm.json',
    report: { split: 'test', of: 'metric', format: 'percent', label: 'strings right at every step, lengths 52–100 (trained on 2–50)' },
    reference: { text: 'the labels depend on the prefix only: the forward LSTM suffices, the backward one adds the suffix' },
    quick: { task: { max_length: 12, test_min_length: 14, test_max_length: 20, train_size: 400, test_size: 40 }, training: { steps: 40 } },
  },
  {
    name: 'lstm-charlm',
    example: 'lstm-charlm.json',
    report: { split: 'test', of: 'loss', format: 'bits', label: 'bits per character, held-out text', scale: 1 / Math.LN2 },
    reference: { text: 'unigram, from the training text\'s character frequencies; small CPU runs reach ≈ 2–2.7 (TASKS.md; char-rnn is 2×128)' },
    target: belowBaseline,
    quick: { task: { length: 16 }, training: { steps: 40 }, nodes: { lstm: { hidden: 16 } } },
  },
  ...([1, 2, 3] as const).map(
    (task): Recipe => ({
      name: `memnet-babi${task}`,
      example: 'memory-network.json',
      ...(task !== 1 ? { variant: { task: { task } } } : {}),
      report: { split: 'test', of: 'metric', format: 'percent', label: `accuracy, bAbI task ${task}, 1k training questions` },
      reference: { text: 'MemN2N 1k, Sukhbaatar et al. 2015, Table 1 (PE LS RN, best of 10 runs)', value: babiMemN2N[task - 1] },
      ...(task === 1 ? { target: atLeast(0.99, '≥ 99%') } : {}),
      quick: { task: { task, train_size: 100, test_size: 40 }, training: { steps: 40, linearStart: 10 } },
    }),
  ),
  // Seq2seq on reverse, scored by greedy decoding: the one-vector bottleneck shows at length 30.
  ...(['seq2seq', 'seq2seq-attention'] as const).map(
    (file): Recipe => ({
      name: `${file}-reverse`,
      example: `${file}.json`,
      report: { split: 'test', of: 'metric', format: 'percent', label: 'exact match at length 30 (greedy decoding)', length: 30 },
      also: [{ split: 'test', of: 'metric', format: 'percent', label: 'all lengths 5–30' }],
      reference:
        file === 'seq2seq'
          ? { text: 'lecture: one vector must hold the whole source, so long strings fail (Sutskever et al. 2014; Bahdanau et al. 2015, Fig. 2)' }
          : { text: 'issue 7: ≥ 95% at length 30; attention reads every source step (Bahdanau et al. 2015)' },
      target: file === 'seq2seq' ? belowAttention(0.2) : atLeast(0.95, '≥ 95%'),
      quick: { task: { min_length: 2, max_length: 4, test_min_length: 29, test_max_length: 30, test_per_length: 2 }, training: { steps: 40 } },
    }),
  ),
];

/** The recipe named `name`, or undefined. */
export const recipeNamed = (name: string): Recipe | undefined => RECIPES.find((r) => r.name === name);
