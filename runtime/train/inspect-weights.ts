/**
 * The weights an `attention` or `memory` node put on each key, read from a pass that kept every
 * node copy's outputs: for each copy (one per step of the node's loop, or one outside loops) its
 * `weights` port, `[batch, T_keys]`. Rows are the node's steps in sequence order, columns the keys'
 * steps; both cut to the example's real lengths (padded keys get weight exactly 0 from the mask).
 */
import type { GraphAnalysis } from '../validate/types.ts';
import type { Pass } from './pass.ts';

/** What one axis of a weights matrix shows. */
export interface AxisLabels {
  /** The graph's time axis (a sequence source's id, or a `steps` loop's id); undefined outside loops. */
  readonly axis: string | undefined;
  /**
   * Where the labels come from: an input stream's steps, the predictions along a target's axis
   * (`targets` then holds the target's), the step numbers, or the node's id (one row outside loops).
   */
  readonly source: 'input' | 'prediction' | 'step' | 'node';
  /** The task stream the labels come from, for `input` and `prediction`. */
  readonly stream?: string;
  readonly labels: readonly string[];
  /** For `prediction` labels: the target's tokens at the same steps. */
  readonly targets?: readonly string[];
}

/** The weights of one attention or memory node on one example. */
export interface WeightMap {
  readonly node: string;
  readonly type: 'attention' | 'memory';
  /** Query steps: the node's loop steps in sequence order (one row outside loops). */
  readonly rows: AxisLabels;
  /** Key steps: the memory items or encoder steps read. */
  readonly cols: AxisLabels;
  /** `[rows][cols]`. Each row sums to 1, except memory reads run linear (see `normalized`). */
  readonly weights: readonly (readonly number[])[];
  /** False for a memory read during linear start: its weights are the raw scores, not a softmax. */
  readonly normalized: boolean;
}

/** What reading the maps needs besides the pass: lengths and labels of the example's axes. */
export interface MapAxes {
  /** The example's real length along a graph axis; undefined when no task axis is bound to it. */
  realLength(axis: string): number | undefined;
  /** Labels for the first `n` steps along a graph axis. */
  labels(axis: string, n: number): AxisLabels;
  /** Memory reads run linear now (linear start). */
  readonly linear: boolean;
}

/** The steps of a node's copies: `node@0`, `node@1`, … while the pass has them; [`node`] outside loops. */
function copies(pass: Pass, node: string): string[] {
  const outputs = pass.plan.lowered.outputs;
  if (outputs.has(`${node}.weights`)) return [node];
  const keys: string[] = [];
  for (let s = 0; outputs.has(`${node}@${s}.weights`); s++) keys.push(`${node}@${s}`);
  return keys;
}

/**
 * Every node of `type` in evaluation order (the hops of a memory network in the order they read),
 * with example 0's weights from `pass` (planned with `keepOutputs`, run forward on that example).
 */
export function weightMaps(analysis: GraphAnalysis, pass: Pass, type: 'attention' | 'memory', axes: MapAxes): WeightMap[] {
  const typeOf = new Map(analysis.doc.nodes.map((n) => [n.id, n.type]));
  const out: WeightMap[] = [];
  for (const node of analysis.order) {
    if (typeOf.get(node) !== type) continue;
    const keys = copies(pass, node);
    if (keys.length === 0) continue;
    const loop = analysis.loops.get(analysis.nodeLoop.get(node) ?? '');
    const keyAxis = analysis.outputTypes.get(`${node}.weights`)?.seq;
    // Rows in sequence order: a reverse loop's step s works on position T−1−s.
    const ordered = loop?.direction === 'reverse' ? [...keys].reverse() : keys;
    const rowCount = loop !== undefined ? Math.min(ordered.length, axes.realLength(loop.axis) ?? ordered.length) : 1;
    const first = pass.valueOf(pass.plan.lowered.outputs.get(`${ordered[0]}.weights`)!);
    const fullCols = first.length / pass.batch;
    const colCount = keyAxis !== undefined ? Math.min(fullCols, axes.realLength(keyAxis) ?? fullCols) : fullCols;
    const weights = ordered.slice(0, rowCount).map((key) => Array.from(pass.valueOf(pass.plan.lowered.outputs.get(`${key}.weights`)!).subarray(0, colCount)));
    out.push({
      node,
      type,
      rows: loop !== undefined ? axes.labels(loop.axis, rowCount) : { axis: undefined, source: 'node', labels: [node] },
      cols: keyAxis !== undefined ? axes.labels(keyAxis, colCount) : { axis: undefined, source: 'step', labels: Array.from({ length: colCount }, (_, i) => String(i)) },
      weights,
      normalized: !(type === 'memory' && (axes.linear || analysis.params.get(node)?.linear === true)),
    });
  }
  return out;
}
