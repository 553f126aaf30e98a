/** The schema of task `babi` (see babi.ts), without its generator, for the editor's page. */
import type { TaskSchema } from './types.ts';

export const babiSchema: TaskSchema = {
  name: 'babi',
  doc:
    'bAbI tasks 1–3 (Weston et al. 2015) from a generator after facebook’s: 1 "where is John?" (one supporting fact), ' +
    '2 "where is the milk?" (two), 3 "where was the milk before the office?" (three). The story is a sequence of ' +
    'sentences (bags of word ids), the question a bag, the answer a word.',
  params: {
    task: { kind: 'int', doc: 'bAbI task: 1 single, 2 two, 3 three supporting facts', default: 1, min: 1, max: 3 },
    train_size: { kind: 'int', doc: 'questions in the fixed training set (1000: the 1k setting)', default: 1000, min: 1, max: 100_000 },
    test_size: { kind: 'int', doc: 'questions in the test split', default: 1000, min: 1, max: 100_000 },
    memory: { kind: 'int', doc: 'statements kept before each question, the most recent ones (MemN2N: 50)', default: 50, min: 1, max: 1000 },
    time_words: { kind: 'bool', doc: 'end each sentence with a word for its age (t1 the latest): temporal encoding through the bag', default: true },
    noise: { kind: 'number', doc: 'training only: empty memories inserted at random, as a fraction of the story (MemN2N random noise: 0.1)', default: 0, min: 0, max: 1 },
    seed: { kind: 'int', doc: 'seed of the training set and the test split (not the training seed)', default: 1, min: 0, max: 4_294_967_295 },
  },
};
