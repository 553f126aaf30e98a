/**
 * What a training recipe of `npm run reproduce` says: which example graph to train (its `task` and
 * `training` sections are the recipe), which number to report, what to set beside it and what it
 * must reach. The list itself is in `recipes.ts`.
 */
import type { ParamValueJson, TrainingSpec } from '../runtime/graph/types.ts';

/** One number read off an evaluation: the metric or the loss of a split. */
export interface Measure {
  /** Evaluation split of the task (`test`, `long`). */
  readonly split: string;
  readonly of: 'metric' | 'loss';
  /** How the table prints it: `percent` (0.954 → 95.4%), `loss` (4 decimals), `bits` (2 decimals). */
  readonly format: 'percent' | 'loss' | 'bits';
  /** What the number is, for the table: "accuracy, lengths 52–100". */
  readonly label: string;
  /** Convert before printing and checking (charlm's loss in nats → bits per character). */
  readonly scale?: number;
  /** Read the metric of the examples of this length only (a task that reports by length). */
  readonly length?: number;
}

/** Every recipe's reported number, by recipe name, for targets that compare recipes. */
export type Reached = ReadonlyMap<string, number>;

/** What a recipe must reach for its check to pass (besides the time limit). */
export interface Target {
  /** For the table: "≥ 95%", "< baseline", "below the LSTM". */
  readonly text: string;
  /**
   * Whether `value` meets it. `baseline` is the task's own baseline (copy, adding, charlm), in the
   * measure's units; `reached` holds the other recipes' values of this run.
   */
  readonly met: (value: number, baseline: number | undefined, reached: Reached) => boolean;
}

/** Changes to a graph and its task, for a variant (nesting) or for the CI's reduced runs. */
export interface Variation {
  /** Task params merged over the graph's `task.params`. */
  readonly task?: Readonly<Record<string, ParamValueJson>>;
  /** Training settings that win over the graph's `training` section. */
  readonly training?: Partial<TrainingSpec>;
  /** Block params merged over a node's, by node id (smaller hidden sizes for CI). */
  readonly nodes?: Readonly<Record<string, Readonly<Record<string, ParamValueJson>>>>;
}

export interface Recipe {
  /** Unique; `npm run reproduce -- --only NAME` runs just this one. */
  readonly name: string;
  /** Graph file in `examples/`: its `task` and `training` sections make the recipe. */
  readonly example: string;
  /** Changes to the example for this recipe (prefer none: the file alone should reproduce it). */
  readonly variant?: Variation;
  /** The number the table reports, and the target checked against it. */
  readonly report: Measure;
  /** Further numbers recorded beside it (accuracy on the training lengths, copy's exact recall). */
  readonly also?: readonly Measure[];
  /** The published or baseline value set beside it; `value` in the report's units, when there is one number. */
  readonly reference: { readonly text: string; readonly value?: number };
  readonly target?: Target;
  /** The reduced run CI trains (a few dozen steps, short sequences): it checks only that the loss falls. */
  readonly quick: Variation;
}
