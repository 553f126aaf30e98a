/**
 * The tasks' own random streams for their fixed data (eval splits, the brackets training set).
 * They come from the task's `seed` param, never from the trainer's generator, so test sets are
 * the same whatever the training seed.
 */
import { Rng } from '../train/prng.ts';

/**
 * The stream for a task seed and a path of labels, e.g. `taskRng(1, 'copy', 'test', 17)` for
 * example 17 of copy's test split: `new Rng(seed)` forked by each label in turn, so every
 * (seed, labels) has its own stream and drawing from one never shifts another.
 */
export function taskRng(seed: number, ...labels: readonly (string | number)[]): Rng {
  let rng = new Rng(seed);
  for (const label of labels) rng = rng.fork(String(label));
  return rng;
}
