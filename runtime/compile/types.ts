/**
 * What lowering hands the planner: one op graph for a whole unrolled DAG (every step's copy of
 * every block written out in primitive ops, weights shared), plus where data enters and what the
 * trainer reads back (losses, predictions, recurrent states, gates).
 */
import type { OpNode } from '../../blocks/ops.ts';

/** How gated cells (lstm, gru) are lowered; every choice computes the same numbers. */
export type CellLowering =
  /** One fused op per step (`lstm_cell`, `gru_cell`) after the two matmuls: the fast path. */
  | 'fused'
  /** The block's own forward in primitive ops (slices, sigmoids, products). */
  | 'primitive'
  /** The composite drawn from primitive blocks (gate, multiply, one_minus, add …) with its weight rows. */
  | 'composite';

/**
 * A value the executor writes before each forward pass. All are batched: `[B, ...shape]`.
 * - `data`: a source's element at one sequence position (`position`), its whole sequence
 *   (`whole`: `[T, ...element]`), or its single value; token ids are stored as floats.
 * - `mask`: 1 where `position < length` of the example along `axis`, else 0 (shape `[]`).
 * - `last`: 1 where `position === length − 1` (shape `[]`): selects each example's last real step.
 * - `invlen`: 1 / length along `axis` (shape `[]`): a per-example mean over real steps.
 * - `zeros`: a zero state (written once).
 * - `random`: a delay's random first state, drawn per batch from the trainer's generator.
 */
export interface Feed {
  readonly sym: number;
  readonly kind: 'data' | 'mask' | 'last' | 'invlen' | 'zeros' | 'random';
  /** `data`: the source node id. */
  readonly node?: string;
  /** `data`, `mask`, `last`: position along the axis; absent for a whole sequence or a non-sequence source. */
  readonly position?: number;
  /** `data`: the feed is the source's whole sequence `[T, ...element]`. */
  readonly whole?: boolean;
  /** `mask`, `last`, `invlen`: the time axis (a sequence source's id). */
  readonly axis?: string;
}

/** The prediction a loss compares, kept so a task can score it (accuracy, recall, …). */
export interface PredictionTrace {
  /** The loss node. */
  readonly loss: string;
  /** The node feeding the loss's target port (usually a `target` source). */
  readonly target: string;
  /** Per sequence position when the prediction is a sequence; one entry otherwise. */
  readonly syms: readonly number[];
  readonly seq: boolean;
  /** Width of one prediction element (logits per class, or features). */
  readonly width: number;
}

/** The value a delay carries from step t to t+1, for every t: the curve ‖∂L/∂z_t‖. */
export interface StateTrace {
  readonly delay: string;
  /** `"node.port"` whose value the delay carries (e.g. `lstm.c`). */
  readonly source: string;
  readonly loop: string;
  /** z_t by processing step t. */
  readonly syms: readonly number[];
}

/** A gated cell's gate activations per step, for saturation statistics. */
export interface GateTrace {
  readonly node: string;
  readonly cell: 'lstm' | 'gru' | 'gate';
  /** For one sigmoid gate of a cell written in primitive ops: which gate (`forget`, `reset`, …). */
  readonly name?: string;
  /** The fused cell op (lstm/gru) or the gate's sigmoid, by step. */
  readonly syms: readonly number[];
}

export interface LoweredGraph {
  /** The op graph in creation order (a valid schedule); `ops[i].id === i`. */
  readonly ops: readonly OpNode[];
  readonly feeds: readonly Feed[];
  /** Weight sym by safetensors key `<nodeId>.<weightName>`. */
  readonly weights: ReadonlyMap<string, number>;
  /** Per-example scalar losses; the objective is their sum, averaged over the batch. */
  readonly losses: readonly number[];
  /** Ops whose gradient does not flow to their input (truncated BPTT cuts). */
  readonly detached: ReadonlySet<number>;
  readonly predictions: readonly PredictionTrace[];
  readonly states: readonly StateTrace[];
  readonly gates: readonly GateTrace[];
  /** Sym of every output port of every unrolled node, by `"key.port"` (`lstm@3.h`). */
  readonly outputs: ReadonlyMap<string, number>;
}
