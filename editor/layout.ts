/**
 * Where to draw nodes a file gives no position (hand-written graphs). A simple, stable layout:
 * nodes outside loops in a top band and each loop in its own band below, so loop frames never
 * overlap other nodes; within a band, columns by longest path from the sources with recurrent
 * (delay-input) edges cut, so data flows left to right.
 */
import { splitEndpoint, type GraphDoc } from '../runtime/graph/types.ts';

/** Grid pitch of the fallback layout, in canvas pixels. */
export const LAYOUT = { columnWidth: 230, rowHeight: 140, bandGap: 90 } as const;

/**
 * Positions for every node of `doc`.
 * @param loopOf effective loop of each node (undefined: outside loops)
 * @param recurrent indices of edges that close a cycle through a delay; ignored for the column order
 */
export function columnLayout(
  doc: GraphDoc,
  loopOf: (nodeId: string) => string | undefined,
  recurrent: ReadonlySet<number>,
): Map<string, { x: number; y: number }> {
  const depth = new Map(doc.nodes.map((n) => [n.id, 0]));
  const links = doc.edges.flatMap((e, i) => {
    const from = splitEndpoint(e.from)?.node;
    const to = splitEndpoint(e.to)?.node;
    return !recurrent.has(i) && from !== undefined && to !== undefined && depth.has(from) && depth.has(to) ? [[from, to] as const] : [];
  });
  // Longest path by relaxation; at most |nodes| rounds, so a delay-free cycle (an invalid graph) still ends.
  for (let round = 0; round < doc.nodes.length; round++) {
    let changed = false;
    for (const [from, to] of links) {
      const d = depth.get(from)! + 1;
      if (d > depth.get(to)!) {
        depth.set(to, d);
        changed = true;
      }
    }
    if (!changed) break;
  }

  // Bands: outside loops first, then loops in order of first appearance in the document.
  const bands = new Map<string, string[]>([['', []]]);
  for (const n of doc.nodes) {
    const key = loopOf(n.id) ?? '';
    if (!bands.has(key)) bands.set(key, []);
    bands.get(key)!.push(n.id);
  }
  const out = new Map<string, { x: number; y: number }>();
  let top = 0;
  for (const ids of bands.values()) {
    const rowsUsed = new Map<number, number>();
    for (const id of ids) {
      const col = depth.get(id)!;
      const row = rowsUsed.get(col) ?? 0;
      rowsUsed.set(col, row + 1);
      out.set(id, { x: col * LAYOUT.columnWidth, y: top + row * LAYOUT.rowHeight });
    }
    const rows = Math.max(0, ...rowsUsed.values());
    if (rows > 0) top += rows * LAYOUT.rowHeight + LAYOUT.bandGap;
  }
  return out;
}
