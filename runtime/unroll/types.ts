/** The DAG a graph becomes for concrete sequence lengths: one copy of each looped node per step. */
import type { Init } from '../../blocks/types.ts';

/** One trainable tensor. Exactly one object per weight: every step's copy refers to this same object. */
export interface WeightRef {
  /** `<nodeId>.<weightName>`, the safetensors name. */
  readonly key: string;
  readonly node: string;
  readonly name: string;
  readonly shape: readonly number[];
  readonly init: Init;
}

/** Where one input port of an unrolled node gets its value. */
export type UnrolledSource =
  /** The output `port` of unrolled node `key` as it is. */
  | { readonly kind: 'node'; readonly key: string; readonly port: string }
  /** Element `index` (sequence position) of the sequence output `port` of node `key`. */
  | { readonly kind: 'slice'; readonly key: string; readonly port: string; readonly index: number }
  /** A whole sequence gathered from a loop's copies (`take: all`), in sequence-position order. */
  | { readonly kind: 'stack'; readonly items: readonly { readonly key: string; readonly port: string }[] }
  /** A delay's value at its loop's first step when nothing feeds its `init` port. */
  | { readonly kind: 'init'; readonly init: 'zeros' | 'learned' | 'random'; readonly size: number; readonly weight?: WeightRef };

export interface UnrolledNode {
  /** `nodeId@t` for a copy at step t of its loop; the plain node id outside loops. */
  readonly key: string;
  readonly node: string;
  readonly type: string;
  readonly loop?: string;
  /** Step in processing order (0 is the first step computed, also in a reverse loop). */
  readonly step?: number;
  /** Sequence position the step works on: equals step in a forward loop, T-1-step in a reverse one. */
  readonly position?: number;
  /** Connected input ports only. */
  readonly inputs: Readonly<Record<string, UnrolledSource>>;
  /** The node's weights: the shared objects of `UnrolledGraph.weights`. */
  readonly weights: Readonly<Record<string, WeightRef>>;
}

export interface UnrolledLoop {
  readonly id: string;
  readonly length: number;
  readonly direction: 'forward' | 'reverse';
  /** Node ids in the loop. */
  readonly nodes: readonly string[];
}

export interface UnrolledGraph {
  /** Length of every axis used. */
  readonly lengths: Readonly<Record<string, number>>;
  readonly loops: readonly UnrolledLoop[];
  /** In a valid evaluation order; deterministic for the same graph and lengths. */
  readonly nodes: readonly UnrolledNode[];
  /** Every weight once, by key, in document order. */
  readonly weights: ReadonlyMap<string, WeightRef>;
}

/** Refuse to unroll beyond this many node copies (memory is allocated per copy later). */
export const MAX_UNROLLED_NODES = 2_000_000;
/** Longest sequence or fixed loop Unroll unrolls. */
export const MAX_LENGTH = 100_000;
