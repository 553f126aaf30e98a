/**
 * The graph document, format `unroll-graph` version 1: what a user edits, saves and shares.
 * `parseGraph` returns exactly what the file says (no defaults filled in), so that
 * `serializeGraph(parseGraph(text))` gives the same document back.
 */

/** The newest format version this build reads and writes. */
export const GRAPH_FORMAT_VERSION = 1;
export const GRAPH_FORMAT = 'unroll-graph';

/** Node and loop ids: `[A-Za-z_][A-Za-z0-9_-]*`, at most 64 characters. */
export const ID_PATTERN = /^[A-Za-z_][A-Za-z0-9_-]*$/;
export const MAX_ID_LENGTH = 64;

/** Hard limits checked while reading, before anything large is allocated. */
export const LIMITS = {
  /** Bytes of a graph file (UTF-8), checked before JSON.parse. */
  fileBytes: 8 * 1024 * 1024,
  /** JSON nesting depth; a graph document nests about 5 deep. */
  depth: 32,
  nodes: 10_000,
  edges: 40_000,
  loops: 1_000,
  /** Characters of any string (names, ids inside edges). */
  stringLength: 10_000,
} as const;

/** A param value as written in the file. */
export type ParamValueJson = number | string | boolean;

export interface GraphNode {
  /** Unique among nodes; see `ID_PATTERN`. */
  readonly id: string;
  /** A key of the block registry. */
  readonly type: string;
  /** Only the params the file sets; absent ones take the block's defaults. */
  readonly params?: Readonly<Record<string, ParamValueJson>>;
  /** Canvas position in pixels; absent in hand-written files (the editor lays those out). */
  readonly position?: { readonly x: number; readonly y: number };
  /** Id of the loop frame the node sits in. */
  readonly loop?: string;
}

/** What an edge leaving a loop carries: the final step's value, or the sequence of every step's. */
export type Take = 'last' | 'all';

export interface GraphEdge {
  /** `"node.port"` of an output port. */
  readonly from: string;
  /** `"node.port"` of an input port. */
  readonly to: string;
  /** Only on edges leaving a loop; `all` when absent. */
  readonly take?: Take;
}

export type Direction = 'forward' | 'reverse';

/** A frame of nodes repeated over time: over a sequence source, or a fixed number of steps. */
export type GraphLoop =
  | { readonly id: string; readonly over: string; readonly direction?: Direction }
  | { readonly id: string; readonly steps: number; readonly direction?: Direction };

/** Which generated task (or dataset) to train on; its params are checked by the task registry. */
export interface TaskSpec {
  readonly name: string;
  readonly params?: Readonly<Record<string, ParamValueJson>>;
}

/** How to train; every key optional, absent ones take the trainer's defaults. */
export interface TrainingSpec {
  readonly optimizer?: 'sgd' | 'momentum' | 'adam';
  /** Learning rate, > 0. */
  readonly lr?: number;
  readonly momentum?: number;
  readonly beta1?: number;
  readonly beta2?: number;
  readonly weightDecay?: number;
  /** Examples per step. */
  readonly batch?: number;
  /** Optimiser steps. */
  readonly steps?: number;
  /** Clip gradients by global norm; 0 turns clipping off. */
  readonly clip?: number;
  /** Truncated BPTT window in steps; 0 means full BPTT. */
  readonly truncate?: number;
  readonly seed?: number;
  /** Evaluate on the test split every this many steps. */
  readonly evalEvery?: number;
  /** Memory networks: run the first this many steps with every memory read linear (no softmax); 0: none. */
  readonly linearStart?: number;
  /**
   * Learning-rate schedule: the step after which the learning rate starts to fall linearly. The lr of
   * step s (1-based) is `lr × (1 − (1 − lrDecayFactor) · clamp((s − lrDecayStart) / (lrDecayEnd − lrDecayStart), 0, 1))`:
   * `lr` up to step `lrDecayStart`, `lr × lrDecayFactor` from step `lrDecayEnd` on. Default 0.
   */
  readonly lrDecayStart?: number;
  /** The step at which the linear decay reaches `lr × lrDecayFactor`; the decay is off unless it is greater than `lrDecayStart`. Default 0 (off). */
  readonly lrDecayEnd?: number;
  /** The final learning rate as a fraction of `lr`, in (0, 1]; default 0.1. */
  readonly lrDecayFactor?: number;
}

export interface GraphDoc {
  readonly format: typeof GRAPH_FORMAT;
  readonly version: number;
  readonly name: string;
  readonly nodes: readonly GraphNode[];
  readonly edges: readonly GraphEdge[];
  /** Absent or empty: one implicit loop over the first sequence input holds every node but
   *  sources (input, target) and losses. */
  readonly loops?: readonly GraphLoop[];
  readonly task?: TaskSpec;
  readonly training?: TrainingSpec;
}

/** Split `"node.port"` at its first dot. */
export function splitEndpoint(endpoint: string): { node: string; port: string } | undefined {
  const dot = endpoint.indexOf('.');
  if (dot <= 0 || dot === endpoint.length - 1) return undefined;
  return { node: endpoint.slice(0, dot), port: endpoint.slice(dot + 1) };
}

/** `$.nodes[3].params.hidden`, with `["odd key"]` for keys that are not identifiers. */
export function jsonPath(segments: readonly (string | number)[]): string {
  let out = '$';
  for (const s of segments) {
    if (typeof s === 'number') out += `[${s}]`;
    else if (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(s)) out += `.${s}`;
    else out += `[${JSON.stringify(s)}]`;
  }
  return out;
}
