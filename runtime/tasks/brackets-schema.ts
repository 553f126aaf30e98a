/** The schema of task `brackets` (see brackets.ts), without its generator, for the editor's page. */
import type { ParamProblem, TaskSchema } from './types.ts';

const MAX_LENGTH = 10_000;
const lengthParam = (doc: string, def: number) => ({ kind: 'int', doc, default: def, min: 2, max: MAX_LENGTH }) as const;

export const bracketsSchema: TaskSchema = {
  name: 'brackets',
  doc:
    'C-like code read character by character; say whether its brackets (), [], {} are balanced. ' +
    'Negatives differ from a balanced string by one bracket removed, added, moved or changed.',
  params: {
    nesting: { kind: 'bool', doc: 'balanced means properly nested across kinds (a stack) rather than counted per kind', default: false },
    min_length: lengthParam('shortest training string, characters', 2),
    max_length: lengthParam('longest training string, characters', 50),
    test_min_length: lengthParam('shortest string of the long split', 52),
    test_max_length: lengthParam('longest string of the long split', 100),
    train_size: { kind: 'int', doc: 'strings in the fixed training set', default: 20_000, min: 2, max: 1_000_000 },
    test_size: { kind: 'int', doc: 'strings in each eval split', default: 1_000, min: 1, max: 100_000 },
    seed: { kind: 'int', doc: 'seed of the training set and eval splits (not the training seed)', default: 1, min: 0, max: 4_294_967_295 },
  },
  check(p) {
    const problems: ParamProblem[] = [];
    if (Number(p.min_length) > Number(p.max_length)) {
      problems.push({ param: 'min_length', message: `min_length ${p.min_length} is above max_length ${p.max_length}` });
    }
    if (Number(p.test_min_length) > Number(p.test_max_length)) {
      problems.push({ param: 'test_min_length', message: `test_min_length ${p.test_min_length} is above test_max_length ${p.test_max_length}` });
    }
    return problems;
  },
};
