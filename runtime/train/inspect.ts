/**
 * Looking inside a trained model, one evaluation example at a time, exactly as evaluation runs it
 * (decoders generate from their own predictions): the example's streams and prediction as ids and
 * text, whether the task's metric counts it right, and the weights every `attention` and `memory`
 * node put on its keys. And the rows of a predictions table over a split. The trainer supplies the
 * passes and feeds (`Trainer.inspect`, `Trainer.predictions`); nothing here changes its state.
 */
import type { GraphAnalysis } from '../validate/types.ts';
import type { TaskBinding } from '../tasks/bind.ts';
import type { Batch, EvalSplit, StreamSpec, Task } from '../tasks/types.ts';
import type { FeedData, Pass } from './pass.ts';
import type { Rng } from './prng.ts';
import { predictionAsTarget, scoreExample, streamView, type ExampleScore, type StreamView } from './inspect-example.ts';
import { weightMaps, type AxisLabels, type WeightMap } from './inspect-weights.ts';

export type { StreamView, ExampleScore } from './inspect-example.ts';
export type { AxisLabels, WeightMap } from './inspect-weights.ts';

/** The most rows one `predictions` call returns: a table's page, not a split's worth of text. */
export const MAX_PREDICTION_ROWS = 1000;

/** One example of a split as evaluation sees it. */
export interface ExampleView extends ExampleScore {
  /** Index of the example in its split. */
  readonly index: number;
  /** The task's own text of the example (`Task.describe`), the prediction rendered as a target. */
  readonly text: { readonly input: string; readonly target: string; readonly prediction: string };
  /** Every input stream of the task, in task order. */
  readonly inputs: readonly StreamView[];
  readonly target: StreamView;
  /** Laid out like the target: token ids by argmax, or numbers. */
  readonly prediction: StreamView;
}

/** `Trainer.inspect`: one example with the weights of every attention and memory read. */
export interface InspectReport {
  readonly split: string;
  /** Examples in the split (valid indices are 0 … count − 1). */
  readonly count: number;
  /** Optimiser steps taken when it was read. */
  readonly step: number;
  /** The task's metric name (what `correct` and `score` are judged by). */
  readonly metric: string;
  readonly example: ExampleView;
  /** Every attention node, in evaluation order: rows decoder (query) steps, columns encoder (key) steps. */
  readonly attention: readonly WeightMap[];
  /** Every memory node (a hop of a memory network), in evaluation order: columns the memory items. */
  readonly memory: readonly WeightMap[];
}

/** One row of a predictions table. */
export interface PredictionRow extends ExampleScore {
  readonly index: number;
  readonly input: string;
  readonly target: string;
  readonly prediction: string;
}

/** `Trainer.predictions`: examples `[offset, offset + rows.length)` of a split. */
export interface PredictionPage {
  readonly split: string;
  readonly offset: number;
  /** Examples in the split. */
  readonly count: number;
  readonly step: number;
  readonly metric: string;
  readonly rows: readonly PredictionRow[];
}

/** What the trainer lends an inspection: its task, binding and passes. */
export interface InspectContext {
  readonly task: Task;
  readonly binding: TaskBinding;
  readonly analysis: GraphAnalysis;
  readonly steps: number;
  /** The stream the metric scores, and the index of its prediction in the lowered graph. */
  readonly target: StreamSpec;
  readonly predIndex: number;
  /** Memory reads run linear now (linear start). */
  readonly linear: boolean;
  /** The split's evaluation pass; with `keep`, one of batch 1 that keeps every node copy's outputs. */
  pass(split: EvalSplit, keep: boolean): Pass;
  feed(batch: Batch): FeedData;
  /** The random stream evaluation feeds random first states from. */
  rng(): Rng;
  /** Padded length of the target's axis in `batch` (what `Pass.prediction` lays out). */
  targetLength(batch: Batch): number;
}

/** A request that names no example of the task (unknown split, index out of range, too many rows). */
export class InspectRangeError extends RangeError {
  constructor(message: string) {
    super(message);
    this.name = 'InspectRangeError';
  }
}

function splitOf(ctx: InspectContext, split: string): EvalSplit {
  const sp = ctx.task.evalSplits.find((s) => s.name === split);
  if (sp === undefined) throw new InspectRangeError(`task ${ctx.task.name} has no split ${JSON.stringify(split)}; its splits are ${ctx.task.evalSplits.map((s) => s.name).join(', ')}`);
  return sp;
}

const lossKind = (ctx: InspectContext, pass: Pass): string => {
  const loss = pass.plan.lowered.predictions[ctx.predIndex]?.loss;
  return String((loss !== undefined ? ctx.analysis.params.get(loss)?.kind : undefined) ?? 'cross_entropy');
};

/** Run `pass` on `batch` the way `Trainer.evaluate` does; the prediction as the pass lays it out. */
function run(ctx: InspectContext, pass: Pass, batch: Batch): Float32Array {
  pass.feed(ctx.feed(batch), ctx.rng());
  pass.forward(batch.size);
  return pass.prediction(ctx.predIndex, batch.size, ctx.targetLength(batch));
}

/** Example `b` of `batch`: streams, prediction, text and score. */
function exampleView(ctx: InspectContext, batch: Batch, b: number, index: number, pred: Float32Array, kind: string): ExampleView {
  const { task, target } = ctx;
  const predicted = predictionAsTarget(batch, target, pred, kind);
  const text = task.describe(batch, b);
  const asTarget: Batch = { ...batch, data: { ...batch.data, [target.name]: predicted } };
  return {
    index,
    text: { input: text.input, target: text.target, prediction: task.describe(asTarget, b).target },
    inputs: task.streams.filter((s) => s.role === 'input').map((s) => streamView(batch, b, s, 'input')),
    target: streamView(batch, b, target, 'target'),
    prediction: streamView(batch, b, target, 'prediction', predicted),
    ...scoreExample(task, batch, b, pred),
  };
}

/** The graph axis a task stream runs along (undefined for a non-sequence or an unbound axis). */
function graphAxisOf(binding: TaskBinding, s: StreamSpec): string | undefined {
  if (!s.sequence) return undefined;
  return s.axis === undefined ? binding.axis : binding.axes[s.axis];
}

/** Labels of `n` steps along a graph axis: an input stream's steps, else predictions along the target's, else step numbers. */
function axisLabels(ctx: InspectContext, ex: ExampleView, axis: string, n: number): AxisLabels {
  const on = ctx.task.streams.filter((s) => graphAxisOf(ctx.binding, s) === axis);
  const input = on.find((s) => s.role === 'input');
  const view = input !== undefined ? ex.inputs.find((v) => v.stream === input.name) : undefined;
  if (view !== undefined) return { axis, source: 'input', stream: view.stream, labels: view.labels.slice(0, n) };
  if (on.some((s) => s.name === ctx.target.name)) {
    return { axis, source: 'prediction', stream: ctx.target.name, labels: ex.prediction.labels.slice(0, n), targets: ex.target.labels.slice(0, n) };
  }
  return { axis, source: 'step', labels: Array.from({ length: n }, (_, i) => String(i)) };
}

/** The example's real length along a graph axis, from the task axis bound to it. */
function realLength(ctx: InspectContext, batch: Batch, axis: string): number | undefined {
  if (ctx.binding.axis === axis) return batch.lengths[0];
  const taskAxis = Object.entries(ctx.binding.axes).find(([, g]) => g === axis)?.[0];
  return taskAxis !== undefined ? batch.axes?.[taskAxis]?.lengths[0] : undefined;
}

/**
 * Example `index` of `split`, run alone (the split's lengths and generation, as evaluation plans
 * it) on a pass of batch 1 that keeps every output when the graph has attention or memory. Throws InspectRangeError for an unknown split
 * or an index outside it.
 */
export function inspectExample(ctx: InspectContext, split: string, index: number): InspectReport {
  const sp = splitOf(ctx, split);
  if (!Number.isInteger(index) || index < 0 || index >= sp.count) {
    throw new InspectRangeError(`split ${split} of task ${ctx.task.name} has examples 0 … ${sp.count - 1}; there is no example ${index}`);
  }
  const batch = ctx.task.evalBatch(split, index, 1);
  if (batch === undefined) throw new InspectRangeError(`task ${ctx.task.name} gave no example ${index} of split ${split}`);
  // Only weights of attention and memory nodes need the pass that keeps every output.
  const reads = ctx.analysis.doc.nodes.some((n) => n.type === 'attention' || n.type === 'memory');
  const pass = ctx.pass(sp, reads);
  const pred = run(ctx, pass, batch);
  const example = exampleView(ctx, batch, 0, index, pred, lossKind(ctx, pass));
  const axes = { realLength: (a: string) => realLength(ctx, batch, a), labels: (a: string, n: number) => axisLabels(ctx, example, a, n), linear: ctx.linear };
  return {
    split,
    count: sp.count,
    step: ctx.steps,
    metric: ctx.task.metric.name,
    example,
    attention: weightMaps(ctx.analysis, pass, 'attention', axes),
    memory: weightMaps(ctx.analysis, pass, 'memory', axes),
  };
}

/** The largest size ≤ `most` that divides `offset` (any size divides 0), so batches line up with it. */
function alignedSize(offset: number, most: number): number {
  for (let s = Math.max(1, most); s > 1; s--) if (offset % s === 0) return s;
  return 1;
}

/**
 * Rows `[offset, offset + count)` of `split` (fewer at its end), on the split's evaluation pass in
 * batches. Throws InspectRangeError for an unknown split, a count over `MAX_PREDICTION_ROWS`, or an
 * offset outside the split.
 */
export function predictionRows(ctx: InspectContext, split: string, count: number, offset = 0): PredictionPage {
  const sp = splitOf(ctx, split);
  if (!Number.isInteger(count) || count < 0 || count > MAX_PREDICTION_ROWS) {
    throw new InspectRangeError(`predictions: ask for 0 … ${MAX_PREDICTION_ROWS} rows at a time, not ${count}`);
  }
  if (!Number.isInteger(offset) || offset < 0 || (offset >= sp.count && !(offset === 0 && sp.count === 0))) {
    throw new InspectRangeError(`split ${split} of task ${ctx.task.name} has examples 0 … ${sp.count - 1}; there is no example ${offset}`);
  }
  const end = Math.min(sp.count, offset + count);
  const rows: PredictionRow[] = [];
  if (end > offset) {
    const pass = ctx.pass(sp, false);
    const kind = lossKind(ctx, pass);
    const size = alignedSize(offset, Math.min(pass.batch, end - offset));
    for (let i = offset / size; i * size < end; i++) {
      const batch = ctx.task.evalBatch(split, i, size);
      if (batch === undefined) break;
      const pred = run(ctx, pass, batch);
      for (let b = 0; b < batch.size && i * size + b < end; b++) {
        const ex = exampleView(ctx, batch, b, i * size + b, pred, kind);
        rows.push({ index: ex.index, input: ex.text.input, target: ex.text.target, prediction: ex.text.prediction, score: ex.score, correct: ex.correct });
      }
    }
  }
  return { split, offset, count: sp.count, step: ctx.steps, metric: ctx.task.metric.name, rows };
}
