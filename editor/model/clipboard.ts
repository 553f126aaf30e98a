/**
 * Copy and paste. The clipboard carries a graph file (JSON, the same format as a saved graph) so it
 * pastes between tabs and into a text editor. That text must stand alone, so references to nodes
 * left behind are dropped from it; within one tab the full fragment (loop memberships and
 * references into the rest of the graph) is kept alongside and used when the text matches.
 */
import { parseGraph } from '../../runtime/graph/parse.ts';
import { serializeGraph } from '../../runtime/graph/serialize.ts';
import { GRAPH_FORMAT, GRAPH_FORMAT_VERSION, splitEndpoint, type GraphDoc, type GraphLoop, type GraphNode } from '../../runtime/graph/types.ts';
import { getBlock } from '../../blocks/registry.ts';
import type { UnrollError } from '../../runtime/errors/catalogue.ts';
import type { Fragment } from './changes.ts';

/** The nodes `ids` of `doc`, the wires among them and the loops they sit in. */
export function fragmentOf(doc: GraphDoc, ids: Iterable<string>): Fragment {
  const keep = new Set(ids);
  const nodes = doc.nodes.filter((n) => keep.has(n.id));
  const edges = doc.edges.filter((e) => keep.has(splitEndpoint(e.from)?.node ?? '') && keep.has(splitEndpoint(e.to)?.node ?? ''));
  const used = new Set(nodes.map((n) => n.loop).filter((l): l is string => l !== undefined));
  const loops = (doc.loops ?? []).filter((l) => used.has(l.id));
  return { nodes, edges, loops };
}

/** The fragment as a graph file that parses on its own (dangling references and loops dropped). */
export function fragmentText(frag: Fragment): string {
  const ids = new Set(frag.nodes.map((n) => n.id));
  const loops: GraphLoop[] = frag.loops.filter((l) => !('over' in l) || ids.has(l.over));
  const loopIds = new Set(loops.map((l) => l.id));
  const nodes: GraphNode[] = frag.nodes.map((n) => {
    const block = getBlock(n.type);
    const params = Object.fromEntries(
      Object.entries(n.params ?? {}).filter(([k, v]) => block?.params[k]?.kind !== 'nodeRef' || ids.has(v as string)),
    );
    const { loop, params: _p, ...rest } = n;
    return { ...rest, ...(Object.keys(params).length > 0 ? { params } : {}), ...(loop !== undefined && loopIds.has(loop) ? { loop } : {}) };
  });
  const doc: GraphDoc = {
    format: GRAPH_FORMAT,
    version: GRAPH_FORMAT_VERSION,
    name: 'clipboard',
    ...(loops.length > 0 ? { loops } : {}),
    nodes,
    edges: frag.edges,
  };
  return serializeGraph(doc);
}

/** Text from the clipboard as a fragment: through the file parser, so hostile text is refused. */
export function readFragment(text: string): { ok: true; fragment: Fragment } | { ok: false; errors: readonly UnrollError[] } {
  const parsed = parseGraph(text);
  if (!parsed.ok) return { ok: false, errors: parsed.errors };
  return { ok: true, fragment: { nodes: parsed.value.nodes, edges: parsed.value.edges, loops: parsed.value.loops ?? [] } };
}

/** Top-left corner of the fragment's nodes (0, 0 when none has a position). */
export function fragmentOrigin(frag: Fragment): { x: number; y: number } {
  const ps = frag.nodes.map((n) => n.position).filter((p) => p !== undefined);
  if (ps.length === 0) return { x: 0, y: 0 };
  return { x: Math.min(...ps.map((p) => p.x)), y: Math.min(...ps.map((p) => p.y)) };
}
