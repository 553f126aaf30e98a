/** The schema of task `dyck` (see dyck.ts), without its generator, for the editor's page. */
import type { ParamProblem, TaskSchema } from './types.ts';

const MAX_LENGTH = 10_000;
const lengthParam = (doc: string, def: number) => ({ kind: 'int', doc, default: def, min: 2, max: MAX_LENGTH }) as const;
const probability = (doc: string, def: number) => ({ kind: 'number', doc, default: def, min: 0, max: 1 }) as const;

export const dyckSchema: TaskSchema = {
  name: 'dyck',
  doc:
    'Suzgun et al. 2019: read a Dyck-1 (or Dyck-2) string and predict at every step the set of symbols that may ' +
    'come next, as a multi-hot vector (the brackets, then "may end"); a string counts only if every step is right. ' +
    'Training lengths 2–50, test lengths 52–100.',
  params: {
    pairs: { kind: 'int', doc: 'bracket kinds: 1 for Dyck-1 (a counter suffices), 2 for Dyck-2 (needs a stack)', default: 1, min: 1, max: 2 },
    p: probability('PCFG: probability of S → (S), split evenly over the bracket kinds', 0.5),
    q: probability('PCFG: probability of S → SS (else S → ε)', 0.25),
    min_length: lengthParam('shortest training string', 2),
    max_length: lengthParam('longest training string', 50),
    test_min_length: lengthParam('shortest test string', 52),
    test_max_length: lengthParam('longest test string', 100),
    train_size: { kind: 'int', doc: 'strings in the fixed training set', default: 5000, min: 1, max: 1_000_000 },
    test_size: { kind: 'int', doc: 'strings in the test split', default: 1000, min: 1, max: 100_000 },
    seed: { kind: 'int', doc: 'seed of the training set and the test split (not the training seed)', default: 1, min: 0, max: 4_294_967_295 },
  },
  check(p) {
    const problems: ParamProblem[] = [];
    if (Number(p.p) + Number(p.q) >= 1) {
      problems.push({ param: 'q', message: `p + q is ${Number(p.p) + Number(p.q)}: it must stay below 1, or no string ever ends` });
    }
    if (Number(p.p) === 0) problems.push({ param: 'p', message: 'p is 0: the grammar then makes only the empty string' });
    for (const [lo, hi] of [
      ['min_length', 'max_length'],
      ['test_min_length', 'test_max_length'],
    ] as const) {
      if (Number(p[lo]) > Number(p[hi])) problems.push({ param: lo, message: `${lo} ${p[lo]} is above ${hi} ${p[hi]}` });
      else if (Number(p[lo]) === Number(p[hi]) && Number(p[lo]) % 2 === 1) {
        problems.push({ param: lo, message: `${lo} and ${hi} are both ${p[lo]}, an odd length: Dyck strings have even lengths` });
      }
    }
    return problems;
  },
};
