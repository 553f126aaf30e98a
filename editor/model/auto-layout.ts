/**
 * Auto-layout with dagre: data flows left to right, each loop is a cluster (so its frame stays
 * compact and apart from the others), and wires that close a cycle through a delay are left out of
 * the ranking, so a recurrent cell does not push its own delay to the far right.
 *
 * graphlib keeps its nodes in plain objects, so node ids that are Object.prototype names
 * (`constructor`, `toString`, `__proto__`, all valid ids) would clash with inherited keys: every
 * name given to dagre carries a prefix (`n:` for blocks, `loop:` for clusters), and the result is
 * built with own properties only.
 */
import dagre from '@dagrejs/dagre';
import { splitEndpoint, type GraphDoc } from '../../runtime/graph/types.ts';
import type { Point } from './changes.ts';

export interface LayoutInput {
  /** Effective loop of each node (undefined: outside loops). */
  readonly loopOf: (id: string) => string | undefined;
  /** Indices of the recurrent edges (into a delay's `in`). */
  readonly recurrent: ReadonlySet<number>;
  readonly width: number;
  readonly heightOf: (type: string) => number;
}

/** dagre's name for node `id` (ids never contain `:`, so these cannot meet the cluster names). */
const dagreName = (id: string): string => `n:${id}`;

/** New absolute positions (top-left, whole pixels) for every node of `doc`; own properties only (use Object.hasOwn). */
export function dagreLayout(doc: GraphDoc, { loopOf, recurrent, width, heightOf }: LayoutInput): Record<string, Point> {
  const g = new dagre.graphlib.Graph({ compound: true, multigraph: true });
  g.setGraph({ rankdir: 'LR', nodesep: 40, ranksep: 70, marginx: 40, marginy: 40 });
  g.setDefaultEdgeLabel(() => ({}));
  const clusters = new Set<string>();
  for (const n of doc.nodes) {
    g.setNode(dagreName(n.id), { width, height: heightOf(n.type) });
    const loop = loopOf(n.id);
    if (loop !== undefined) {
      const cluster = `loop:${loop}`;
      if (!clusters.has(cluster)) {
        clusters.add(cluster);
        g.setNode(cluster, { paddingTop: 40, paddingLeft: 24, paddingRight: 24, paddingBottom: 24 });
      }
      g.setParent(dagreName(n.id), cluster);
    }
  }
  const types = new Map(doc.nodes.map((n) => [n.id, n.type]));
  doc.edges.forEach((e, i) => {
    const from = splitEndpoint(e.from);
    const to = splitEndpoint(e.to);
    if (from === undefined || to === undefined || !types.has(from.node) || !types.has(to.node) || from.node === to.node) return;
    // Into a delay's `in`: the wire runs back in time; rank the delay before the cell it feeds.
    if (recurrent.has(i) || (to.port === 'in' && types.get(to.node) === 'delay')) return;
    g.setEdge(dagreName(from.node), dagreName(to.node), {}, `e${i}`);
  });
  dagre.layout(g);
  // Object.fromEntries defines own properties, so even `__proto__` becomes an ordinary key.
  return Object.fromEntries(
    doc.nodes.map((n) => {
      const p = g.node(dagreName(n.id)) as { x: number; y: number; width: number; height: number };
      return [n.id, { x: Math.round(p.x - p.width / 2), y: Math.round(p.y - p.height / 2) }];
    }),
  );
}
