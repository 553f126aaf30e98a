/** The schema of task `reverse` (see reverse.ts), without its generator, for the editor's page. */
import type { ParamProblem, TaskSchema } from './types.ts';

const MAX_LENGTH = 1000;
const lengthParam = (doc: string, def: number) => ({ kind: 'int', doc, default: def, min: 1, max: MAX_LENGTH }) as const;

export const reverseSchema: TaskSchema = {
  name: 'reverse',
  doc:
    'Toy seq2seq: read a string of digits and write it reversed, then the end token </s>. The source runs along ' +
    'one axis, the target along its own (a decoder loop; its input starts with <s>). Exact-match accuracy, by length too.',
  params: {
    min_length: lengthParam('shortest training string, digits', 5),
    max_length: lengthParam('longest training string, digits', 30),
    test_min_length: lengthParam('shortest test string, digits', 5),
    test_max_length: lengthParam('longest test string, digits', 30),
    test_per_length: { kind: 'int', doc: 'test strings of each length', default: 100, min: 1, max: 100_000 },
    seed: { kind: 'int', doc: 'seed of the test split (not the training seed)', default: 1, min: 0, max: 4_294_967_295 },
  },
  check(p) {
    const problems: ParamProblem[] = [];
    if (Number(p.min_length) > Number(p.max_length)) {
      problems.push({ param: 'min_length', message: `min_length ${p.min_length} is above max_length ${p.max_length}` });
    }
    if (Number(p.test_min_length) > Number(p.test_max_length)) {
      problems.push({ param: 'test_min_length', message: `test_min_length ${p.test_min_length} is above test_max_length ${p.test_max_length}` });
    }
    // Distinct test strings, and as many left over for training: at most half of the 10^n strings of length n.
    const shortest = Number(p.test_min_length);
    if (shortest < 16 && Number(p.test_per_length) > 10 ** shortest / 2) {
      problems.push({
        param: 'test_per_length',
        message: `test_per_length ${p.test_per_length} is more than half of the ${10 ** shortest} strings of length ${shortest}: lower it or raise test_min_length`,
      });
    }
    return problems;
  },
};
