/**
 * One example of a batch as a person reads it: each stream's values over its real steps, with
 * display labels (token names, a bag's words, a vector's numbers), and the prediction turned into
 * the target's own layout (argmax ids for tokens; 0/1 for a `bce` loss; the values for `mse`) so
 * that the task's `describe` renders it like a target.
 */
import type { Batch, MetricScore, StreamSpec, Task } from '../tasks/types.ts';
import { argmax } from '../tasks/batch.ts';

/** One stream of one example over its real (unpadded) steps. */
export interface StreamView {
  readonly stream: string;
  readonly role: 'input' | 'target' | 'prediction';
  readonly kind: StreamSpec['kind'];
  /** A sequence along a time axis, or one value per example. */
  readonly sequence: boolean;
  /** Real steps; 1 for a stream of one value per example. */
  readonly steps: number;
  /** Numbers per step: 1 for tokens, the bag size or the vector width otherwise. */
  readonly width: number;
  /** `[steps, width]` row-major: token ids, bag ids, or the numbers of a vector stream. */
  readonly values: readonly number[];
  /** Display text of each step: a token's name, a bag's words (padding left out), a vector's numbers. */
  readonly labels: readonly string[];
}

/** Padded and real length of the time axis `stream` runs along in `batch` (1 and 1 for a non-sequence). */
export function streamLength(batch: Batch, stream: StreamSpec, b: number): { padded: number; real: number } {
  if (!stream.sequence) return { padded: 1, real: 1 };
  if (stream.axis === undefined) return { padded: batch.length, real: batch.lengths[b] ?? batch.length };
  const a = batch.axes?.[stream.axis];
  return a === undefined ? { padded: batch.length, real: batch.lengths[b] ?? batch.length } : { padded: a.length, real: a.lengths[b] ?? a.length };
}

/** A number short enough for an axis label or a table cell. */
export function formatNumber(v: number): string {
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) >= 1000 || (Math.abs(v) < 0.001 && v !== 0) ? v.toExponential(2) : String(Number(v.toFixed(3)));
}

const tokenName = (names: readonly string[] | undefined, id: number): string => names?.[id] ?? `#${id}`;

/** Labels of one step's numbers as the stream's kind reads them. */
function stepLabel(stream: StreamSpec, values: ArrayLike<number>): string {
  switch (stream.kind) {
    case 'tokens':
      return tokenName(stream.tokens, values[0]!);
    case 'bag':
      // Id 0 is an empty slot of a bag in every task (padding), never a word.
      return Array.from(values)
        .filter((id) => id !== 0)
        .map((id) => tokenName(stream.tokens, id))
        .join(' ');
    case 'vector':
      return Array.from(values, formatNumber).join(' ');
  }
}

/**
 * Example `b` of `batch` for `stream`, from `data` laid out like the stream (`[size, (T,) width]`,
 * the batch's own data unless given): its real steps only.
 */
export function streamView(batch: Batch, b: number, stream: StreamSpec, role: StreamView['role'], data = batch.data[stream.name]): StreamView {
  if (data === undefined) throw new Error(`no data for stream ${stream.name}`);
  const { padded, real } = streamLength(batch, stream, b);
  const width = Math.max(1, Math.round(data.length / Math.max(1, batch.size * padded)));
  const from = b * padded * width;
  const values = Array.from(data.subarray(from, from + real * width));
  const labels = Array.from({ length: real }, (_, t) => stepLabel(stream, values.slice(t * width, (t + 1) * width)));
  return { stream: stream.name, role, kind: stream.kind, sequence: stream.sequence, steps: real, width, values, labels };
}

/**
 * The prediction `pred` (`[size, (T,) W]`, logits or values as the pass gives them) in the layout
 * of the target stream: token ids by argmax (0 beyond an example's real steps), or for vectors
 * 0/1 on the logit's sign under a `bce` loss and the values themselves otherwise.
 */
export function predictionAsTarget(batch: Batch, target: StreamSpec, pred: Float32Array, lossKind: string): Float32Array {
  const padded = streamLength(batch, target, 0).padded;
  const cells = batch.size * padded;
  if (target.kind === 'tokens') {
    const V = cells > 0 ? pred.length / cells : 0;
    const out = new Float32Array(cells);
    for (let b = 0; b < batch.size; b++) {
      const real = streamLength(batch, target, b).real;
      for (let t = 0; t < real; t++) out[b * padded + t] = Math.max(0, argmax(pred, (b * padded + t) * V, V));
    }
    return out;
  }
  return lossKind === 'bce' ? pred.map((v) => (v > 0 ? 1 : 0)) : Float32Array.from(pred);
}

/** Example `b` alone, as a batch of one: every array is row-major with the example first. */
export function sliceBatch(batch: Batch, b: number): Batch {
  const data: Record<string, Float32Array> = {};
  for (const [name, values] of Object.entries(batch.data)) {
    const stride = values.length / batch.size;
    data[name] = values.subarray(b * stride, (b + 1) * stride);
  }
  const axes = batch.axes === undefined ? undefined : Object.fromEntries(Object.entries(batch.axes).map(([k, a]) => [k, { length: a.length, lengths: a.lengths.subarray(b, b + 1) }]));
  return { size: 1, length: batch.length, lengths: batch.lengths.subarray(b, b + 1), data, ...(axes !== undefined ? { axes } : {}) };
}

/** How one example scored. */
export interface ExampleScore {
  /** The task's metric on this example alone (`total / count`; NaN when it scores nothing). */
  readonly score: number;
  /**
   * Every scored item right (an exact match, a right answer) for metrics where higher is better
   * (accuracies, which score each item 0 or 1); null for error metrics (mse, bits per character).
   */
  readonly correct: boolean | null;
}

/** The task's metric on example `b` of `batch` with prediction `pred` (`[size, …]` as the pass gives it). */
export function scoreExample(task: Task, batch: Batch, b: number, pred: Float32Array): ExampleScore {
  const stride = pred.length / batch.size;
  const s: MetricScore = task.metric.score(sliceBatch(batch, b), pred.subarray(b * stride, (b + 1) * stride));
  const score = s.count > 0 ? s.total / s.count : NaN;
  return { score, correct: task.metric.better === 'higher' ? s.count > 0 && s.total === s.count : null };
}
