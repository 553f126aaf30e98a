/** The schema of task `copy` (see copy.ts), without its generator, for the editor's page. */
import type { TaskSchema } from './types.ts';

export const copySchema: TaskSchema = {
  name: 'copy',
  doc:
    'Arjovsky et al. 2016 §4.1: read symbols from a0–a7, wait T−1 blanks, and after the delimiter a9 ' +
    'write the symbols again. Length T + 2·symbols.',
  params: {
    T: { kind: 'int', doc: 'delay: blank steps between the symbols and their recall (length T + 2·symbols)', default: 100, min: 1, max: 10_000 },
    symbols: { kind: 'int', doc: 'symbols to remember', default: 10, min: 1, max: 1000 },
    seed: { kind: 'int', doc: 'seed of the test split (not the training seed)', default: 1, min: 0, max: 4_294_967_295 },
  },
};
