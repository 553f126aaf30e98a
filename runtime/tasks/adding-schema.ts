/** The schema of task `adding` (see adding.ts), without its generator, for the editor's page. */
import type { TaskSchema } from './types.ts';

export const addingSchema: TaskSchema = {
  name: 'adding',
  doc:
    'Le et al. 2015 / uRNN adding problem: values U[0,1] and a marker with one 1 in each half of T ' +
    'steps; predict the sum of the two marked values (MSE; always 1 scores 0.167).',
  params: {
    T: { kind: 'int', doc: 'sequence length in steps', default: 100, min: 2, max: 10_000 },
    seed: { kind: 'int', doc: 'seed of the test split (not the training seed)', default: 1, min: 0, max: 4_294_967_295 },
  },
};
