/**
 * The training settings' defaults, apart from the trainer so that the editor's page can show them
 * without bundling the trainer and the task generators (trainer.ts re-exports both).
 */
import type { TrainingSpec } from '../graph/types.ts';

/** Every training setting, defaults filled in. */
export type TrainConfig = Required<TrainingSpec>;

/** What a graph without a `training` section trains with (Adam at PyTorch's defaults). */
export const TRAINING_DEFAULTS: TrainConfig = {
  optimizer: 'adam',
  lr: 1e-3,
  momentum: 0.9,
  beta1: 0.9,
  beta2: 0.999,
  weightDecay: 0,
  batch: 32,
  steps: 1000,
  clip: 0,
  truncate: 0,
  seed: 0,
  evalEvery: 100,
  linearStart: 0,
  lrDecayStart: 0,
  lrDecayEnd: 0,
  lrDecayFactor: 0.1,
};
