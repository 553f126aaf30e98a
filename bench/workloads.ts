/**
 * The benchmark's workloads as Unroll graphs: one recurrent layer (LSTM, GRU or Elman RNN) over a
 * sequence of float vectors, a dense layer (decoder) at every step, and MSE against a target
 * sequence at every step — the reference workload and its scaled variants.
 */
import type { GraphDoc } from '../runtime/graph/types.ts';

/** Which recurrent cell a workload uses. */
export type CellKind = 'lstm' | 'gru' | 'rnn';

/** The shape of one workload. */
export interface WorkloadShape {
  readonly cell: CellKind;
  /** Hidden units of the recurrent layer. */
  readonly hidden: number;
  /** Features of each input step. */
  readonly input: number;
  /** Outputs of the dense layer at every step (and target features). */
  readonly output: number;
  readonly batch: number;
  /** Time steps. */
  readonly steps: number;
}

/** The reference workload of issue 8: 128 units, input 64, batch 32, 64 steps, dense 128→64. */
export const REFERENCE: Omit<WorkloadShape, 'cell'> = { hidden: 128, input: 64, output: 64, batch: 32, steps: 64 };

/** Gate blocks per cell: the multiple of `hidden` in the recurrent weights' rows. */
export const GATES: Readonly<Record<CellKind, number>> = { lstm: 4, gru: 3, rnn: 1 };

/**
 * Matmul FLOPs of one training step (forward + backward; the pointwise work is not counted):
 * per step, the input and recurrent projections and the dense layer, each 2·m·n·k forward and
 * twice that backward (gradient of the input and of the weight). The input gradient of the first
 * layer is not needed but counted, as frameworks usually compute it too.
 */
export function trainFlops(w: WorkloadShape): number {
  const G = GATES[w.cell] * w.hidden;
  const perStep = 2 * w.batch * (G * w.input + G * w.hidden + w.output * w.hidden);
  return 3 * perStep * w.steps;
}

/** Matmul FLOPs of one forward (inference) pass. */
export const inferFlops = (w: WorkloadShape): number => trainFlops(w) / 3;

/** The Unroll graph of a workload: x → cell ⇄ delay(s) → decoder → MSE (mean, every step). */
export function workloadGraph(w: WorkloadShape): GraphDoc {
  const states = w.cell === 'lstm' ? ['h', 'c'] : ['h'];
  const cellParams: Record<string, number | string> = { hidden: w.hidden };
  if (w.cell === 'gru') cellParams.reset = 'after';
  const nodes: GraphDoc['nodes'][number][] = [
    { id: 'x', type: 'input', params: { kind: 'vector', size: w.input } },
    { id: 'y', type: 'target', params: { kind: 'vector', size: w.output, align_with: 'x' } },
    { id: 'cell', type: w.cell, params: cellParams, loop: 't' },
    { id: 'dense', type: 'decoder', params: { size: w.output }, loop: 't' },
    { id: 'loss', type: 'loss', params: { kind: 'mse', reduction: 'mean', at: 'every' } },
  ];
  const edges: GraphDoc['edges'][number][] = [
    { from: 'x.out', to: 'cell.x' },
    { from: 'cell.h', to: 'dense.in' },
    { from: 'dense.out', to: 'loss.pred', take: 'all' },
    { from: 'y.out', to: 'loss.target' },
  ];
  for (const s of states) {
    nodes.push({ id: `d_${s}`, type: 'delay', params: { init: 'zeros' }, loop: 't' });
    edges.push({ from: `cell.${s}`, to: `d_${s}.in` }, { from: `d_${s}.out`, to: `cell.${s}_prev` });
  }
  return { format: 'unroll-graph', version: 1, name: `${w.cell} ${w.hidden} bench`, loops: [{ id: 't', over: 'x' }], nodes, edges };
}
