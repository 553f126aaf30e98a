/**
 * The learning-rate schedule of `training.lrDecayStart`, `lrDecayEnd` and `lrDecayFactor`: the
 * learning rate holds at `lr` up to step `lrDecayStart`, falls linearly to `lr × lrDecayFactor` at
 * step `lrDecayEnd`, and stays there. The lr of step s (1-based, the step being taken) is
 *
 *     lr × (1 − (1 − factor) · clamp((s − start) / (end − start), 0, 1))
 *
 * and exactly `lr × factor` from `end` on. Off (a constant `lr`) unless `end > start`. The exported
 * `train.py` computes the same factor in Python (`lr_factor`, runtime/export/train-template.ts).
 * A function of the step count alone, so a restored checkpoint (which keeps the step) resumes it.
 */
import type { TrainingSpec } from '../graph/types.ts';
import { TRAINING_DEFAULTS } from './training-defaults.ts';

/** A schedule that changes the learning rate; `lrSchedule` gives undefined for one that does not. */
export interface LrSchedule {
  readonly start: number;
  readonly end: number;
  readonly factor: number;
}

/** The decay `training` asks for (defaults filled in), or undefined when it leaves the lr constant. */
export function lrSchedule(training: TrainingSpec | undefined): LrSchedule | undefined {
  const start = training?.lrDecayStart ?? TRAINING_DEFAULTS.lrDecayStart;
  const end = training?.lrDecayEnd ?? TRAINING_DEFAULTS.lrDecayEnd;
  const factor = training?.lrDecayFactor ?? TRAINING_DEFAULTS.lrDecayFactor;
  return end > start && factor !== 1 ? { start, end, factor } : undefined;
}

/** The multiplier of `lr` at 1-based step `step` (1 without a schedule). */
export function lrFactor(schedule: LrSchedule | undefined, step: number): number {
  if (schedule === undefined) return 1;
  const { start, end, factor } = schedule;
  if (step <= start) return 1;
  if (step >= end) return factor;
  return 1 - (1 - factor) * ((step - start) / (end - start));
}

/** The learning rate of 1-based step `step` under `training` (the graph's section or a filled-in config). */
export function lrAt(training: TrainingSpec | undefined, step: number): number {
  return (training?.lr ?? TRAINING_DEFAULTS.lr) * lrFactor(lrSchedule(training), step);
}
