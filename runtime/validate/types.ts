/**
 * What validation learns about a graph: every error, and for a valid graph everything the
 * unroller, the editor and the CLI need (types of every wire, effective loops, weights).
 */
import type { ValueType, WeightDef } from '../../blocks/types.ts';
import type { UnrollError } from '../errors/catalogue.ts';
import type { Direction, GraphDoc } from '../graph/types.ts';

/** Id of the loop a graph without declared loops gets. Not a legal node/loop id, so it never collides. */
export const IMPLICIT_LOOP_ID = '$implicit';

/** A loop as validation resolved it (declared or implicit). */
export interface LoopInfo {
  readonly id: string;
  /** Time axis the loop runs along: a sequence source's axis id, or the loop's own id for `steps`. */
  readonly axis: string;
  /** `steps` loops have a fixed length; `over` loops take theirs from the axis at unroll time. */
  readonly steps?: number;
  readonly direction: Direction;
  /** Node ids in the loop, in a valid per-step evaluation order (delay inputs cut). */
  readonly nodes: readonly string[];
  readonly implicit: boolean;
}

/** Validation of one graph. `ok` is true iff `errors` is empty. */
export interface GraphAnalysis {
  readonly doc: GraphDoc;
  readonly ok: boolean;
  readonly errors: readonly UnrollError[];
  /** Problems that do not stop training or unrolling (e.g. an unused node). */
  readonly warnings: readonly UnrollError[];
  /** Params of each node with defaults filled in, by node id. */
  readonly params: ReadonlyMap<string, Readonly<Record<string, unknown>>>;
  /** Type of each output port as the node produces it (per step inside a loop), by `"node.port"`. */
  readonly outputTypes: ReadonlyMap<string, ValueType>;
  /** Type each edge delivers to its input port (after `take` and slicing), by edge index. */
  readonly edgeTypes: readonly (ValueType | undefined)[];
  /** Effective loop of every node (undefined: outside loops), by node id. */
  readonly nodeLoop: ReadonlyMap<string, string | undefined>;
  readonly loops: ReadonlyMap<string, LoopInfo>;
  /** Length axes the graph needs at unroll time: sequence source ids, in document order. */
  readonly axes: readonly string[];
  /** Trainable tensors every node owns (and so stores, as `<node>.<weight>`), by node id. */
  readonly weights: ReadonlyMap<string, readonly WeightDef[]>;
  /** Weights a node reads but another owns (a `share` param): by node id, weight name → the
   *  owner's key `<owner>.<weight>`. Absent for nodes that borrow nothing. */
  readonly shares: ReadonlyMap<string, Readonly<Record<string, string>>>;
  /** Indices of edges into a delay's `in` port: the recurrent edges, drawn with a z⁻¹ badge. */
  readonly recurrentEdges: readonly number[];
  /** Every node id, sources and losses included, in one valid evaluation order of the whole graph
   *  (loops appear as contiguous runs). */
  readonly order: readonly string[];
  readonly counts: { readonly nodes: number; readonly edges: number; readonly weights: number; readonly parameters: number };
}

export interface ValidateOptions {
  /** 'train' (default) requires a loss; 'inference' does not. */
  readonly purpose?: 'train' | 'inference';
  /** Refuse graphs with more trainable parameters than this (default 2^28, 1 GiB of float32). */
  readonly maxParameters?: number;
}
