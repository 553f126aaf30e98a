/** Counts shown for a graph, also when validation could not produce them. */
import type { OpenGraph } from './store.ts';

/** Validation's counts when there is an analysis; otherwise what the document alone tells (no weights). */
export function analysisCounts(g: OpenGraph): { nodes: number; edges: number; weights: number; parameters: number } {
  const c = g.analysis?.counts;
  if (c) return { ...c };
  return { nodes: g.doc?.nodes.length ?? 0, edges: g.doc?.edges.length ?? 0, weights: 0, parameters: 0 };
}
