/**
 * The contract between generated tasks and the trainer: what streams a task produces, how it
 * hands out batches, and how predictions are scored. Tasks are pure TypeScript (no DOM, no Node
 * APIs) so that the same generators run in a Web Worker and in the CLI.
 */
import type { ParamSchema } from '../../blocks/types.ts';

/** The only randomness tasks use, so that the trainer decides seeding and forking. */
export interface RandomSource {
  /** A float uniform in [0, 1). */
  next(): number;
  /** An integer uniform in [0, n), for an integer n ≥ 1. */
  int(n: number): number;
}

/** One named stream of a task: what an `input` or `target` node of the graph must carry. */
export interface StreamSpec {
  readonly name: string;
  readonly role: 'input' | 'target';
  /** Token ids, float vectors, or bags of `size` token ids (a sentence of a memory network, 0-padded). */
  readonly kind: 'tokens' | 'vector' | 'bag';
  /** Token and bag streams: ids lie in [0, vocab). */
  readonly vocab?: number;
  /** Vector streams: features per element; bag streams: ids per bag. */
  readonly size?: number;
  /** A sequence along one of the task's time axes (true) or one value per example (false). */
  readonly sequence: boolean;
  /**
   * Sequence streams: the task time axis it runs along. Undefined: the main axis (`Batch.length`,
   * `Batch.lengths`). A name: a secondary axis with its own lengths (`Batch.axes[name]`), e.g. the
   * target of a seq2seq task, which a decoder loop runs along while an encoder loop runs the main one.
   */
  readonly axis?: string;
  /** Display names of token ids, index = id. */
  readonly tokens?: readonly string[];
  /**
   * Token targets a decoder is fed: the id its decoder input (an `input` with `feedback`) starts
   * with, the target then following shifted right by one step (teacher forcing).
   */
  readonly start?: number;
  /** Token targets: the id that ends every target sequence; generation may stop after it. */
  readonly end?: number;
}

/** Padded length and real lengths of one secondary time axis of a batch. */
export interface AxisLengths {
  /** Padded length of the axis in this batch. */
  readonly length: number;
  /** Real length of each example, ≤ length. */
  readonly lengths: Int32Array;
}

/** One batch, ready for the trainer. Sequence streams run along the main time axis unless they name another. */
export interface Batch {
  /** B: examples in the batch. */
  readonly size: number;
  /** Padded time length T of this batch (0 when the task has no sequences). */
  readonly length: number;
  /** Real length of each example, ≤ T; padding follows it. Equals T for fixed-length tasks. */
  readonly lengths: Int32Array;
  /**
   * By stream name, row-major: sequence streams `[B, T, ...elem]`, others `[B, ...elem]`.
   * Token ids are stored as floats; padding is 0. Streams on a secondary axis use that axis' length.
   */
  readonly data: Record<string, Float32Array>;
  /** Secondary time axes by name (see `StreamSpec.axis`); absent when the task has none. */
  readonly axes?: Readonly<Record<string, AxisLengths>>;
}

/** A metric's sums over one batch. */
export interface MetricScore {
  readonly total: number;
  readonly count: number;
  /**
   * The same sums per example length (the main axis' real length), for metrics reported by length
   * (e.g. reverse's exact match); the trainer adds them up over batches like `total` and `count`.
   */
  readonly byLength?: ReadonlyMap<number, { readonly total: number; readonly count: number }>;
}

/** How predictions are scored; the trainer sums `total` and `count` over batches and divides. */
export interface Metric {
  readonly name: string;
  readonly better: 'higher' | 'lower';
  readonly doc: string;
  /**
   * Score predictions for one batch. `pred` is laid out like the target stream but with the
   * prediction's width per element: logits `[B, (T,) V]` for tokens, values `[B, (T,) n]` for vectors
   * (T is the padded length of the target's axis).
   */
  score(batch: Batch, pred: Float32Array): MetricScore;
}

/** A fixed evaluation set. */
export interface EvalSplit {
  readonly name: string;
  /** Examples in the split. */
  readonly count: number;
  /** Inclusive range of example lengths (time steps). */
  readonly lengths: readonly [number, number];
  /** Inclusive length ranges of the task's secondary axes in this split, by axis name. */
  readonly axisLengths?: Readonly<Record<string, readonly [number, number]>>;
  readonly doc: string;
}

/** Resolved task params: every param of the schema, defaults filled in. */
export type TaskParams = Readonly<Record<string, number | string | boolean>>;

/** A task made for concrete params: streams, training draws, fixed eval splits, a metric. */
export interface Task {
  readonly name: string;
  readonly params: TaskParams;
  readonly streams: readonly StreamSpec[];
  /** Inclusive range of training example lengths (time steps). */
  readonly trainLengths: readonly [number, number];
  /** Inclusive length ranges of the task's secondary axes in training, by axis name. */
  readonly trainAxisLengths?: Readonly<Record<string, readonly [number, number]>>;
  /** Fixed splits, independent of the training seed (made from the task's `seed` param). */
  readonly evalSplits: readonly EvalSplit[];
  /** `size` random training examples; all randomness comes from `rng`. */
  trainBatch(rng: RandomSource, size: number): Batch;
  /**
   * Examples `[index·size, (index+1)·size)` of a split, the same on every call; the last batch may
   * be smaller; undefined past the end or for an unknown split.
   */
  evalBatch(split: string, index: number, size: number): Batch | undefined;
  readonly metric: Metric;
  /** The loss a model that learned nothing useful reaches (copy, adding, charlm). */
  readonly baseline?: { readonly value: number; readonly doc: string };
  /** Text of example `b` of a batch, for tables and the CLI. */
  describe(batch: Batch, b: number): { input: string; target: string };
}

/** A problem with a combination of params that each pass their own checks. */
export interface ParamProblem {
  readonly param: string;
  readonly message: string;
}

/**
 * What the editor's page needs of a task: its documentation, its param schema and its checks
 * across params, without the generator (which may bundle data, e.g. charlm's text). Each lives in
 * `<task>-schema.ts`, listed by `schema-registry.ts`.
 */
export interface TaskSchema {
  readonly name: string;
  readonly doc: string;
  readonly params: ParamSchema;
  /** Checks across params (e.g. `min_length ≤ max_length`); each param alone already passed its schema. */
  check?(params: TaskParams): readonly ParamProblem[];
}

/** A registered task: its schema and a factory. */
export interface TaskDef extends TaskSchema {
  /** Build the task; `params` were resolved against `params` and passed `check`. */
  create(params: TaskParams): Task;
}
