/** Counts shown for a graph, also when validation could not produce them. */
import type { GraphDoc } from '../runtime/graph/types.ts';
import type { GraphAnalysis } from '../runtime/validate/types.ts';

/** Validation's counts when there is an analysis; otherwise what the document alone tells (no weights). */
export function analysisCounts(doc: GraphDoc, analysis: GraphAnalysis | undefined): { nodes: number; edges: number; weights: number; parameters: number } {
  const c = analysis?.doc === doc ? analysis.counts : undefined;
  if (c) return { ...c };
  return { nodes: doc.nodes.length, edges: doc.edges.length, weights: 0, parameters: 0 };
}
