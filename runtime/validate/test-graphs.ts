/**
 * Test support (not a test file): JSON fixtures and a terse builder for small graph documents.
 * Validation tests use documents the parser would accept.
 */
import { readFileSync } from 'node:fs';
import type { GraphDoc, GraphEdge, GraphLoop, GraphNode, ParamValueJson } from '../graph/types.ts';

/** A graph document stored as JSON under `runtime/validate/fixtures/`. */
export function fixture(name: string): GraphDoc {
  return loadGraph(new URL(`./fixtures/${name}.json`, import.meta.url));
}

/** A graph document from a JSON file. */
export function loadGraph(url: URL): GraphDoc {
  return JSON.parse(readFileSync(url, 'utf8')) as GraphDoc;
}

/** `[id, type, params?, loop?]` */
export type NodeSpec = readonly [string, string, Readonly<Record<string, ParamValueJson>>?, string?];
/** `[from, to, take?]` */
export type EdgeSpec = readonly [string, string, ('last' | 'all')?];

export function graph(nodes: readonly NodeSpec[], edges: readonly EdgeSpec[], loops?: readonly GraphLoop[]): GraphDoc {
  return {
    format: 'unroll-graph',
    version: 1,
    name: 'test',
    nodes: nodes.map(([id, type, params, loop]): GraphNode => ({ id, type, ...(params !== undefined ? { params } : {}), ...(loop !== undefined ? { loop } : {}) })),
    edges: edges.map(([from, to, take]): GraphEdge => ({ from, to, ...(take !== undefined ? { take } : {}) })),
    ...(loops !== undefined ? { loops } : {}),
  };
}

/** Deeply writable (distributes over unions, so optional fields and readonly arrays become writable too). */
type Mutable<T> = T extends object ? { -readonly [K in keyof T]: Mutable<T[K]> } : T;
export type MutableDoc = Mutable<GraphDoc>;

/** A changed deep copy of `doc`. */
export function edit(doc: GraphDoc, change: (d: MutableDoc) => void): GraphDoc {
  const copy = structuredClone(doc) as MutableDoc;
  change(copy);
  return copy as GraphDoc;
}

/** The index of the edge `from → to` in `doc`. */
export function edgeIndex(doc: GraphDoc, from: string, to: string): number {
  const k = doc.edges.findIndex((e) => e.from === from && e.to === to);
  if (k < 0) throw new Error(`no edge ${from} → ${to}`);
  return k;
}

/** The node named `id` of a mutable document. */
export function nodeOf(d: MutableDoc, id: string): Mutable<GraphNode> {
  const n = d.nodes.find((x) => x.id === id);
  if (n === undefined) throw new Error(`no node ${id}`);
  return n;
}
