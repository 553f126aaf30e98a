/**
 * Inside a gated cell: the `composite` its block definition gives (the same cell wired from
 * primitive blocks), drawn read-only with the outer ports as small terminal nodes and each inner
 * weight labelled with the rows of the outer weight it is.
 */
import dagre from '@dagrejs/dagre';
import type { Edge, Node } from '@xyflow/react';
import { resolveParams } from '../../blocks/params.ts';
import { getBlock } from '../../blocks/registry.ts';
import { vector } from '../../blocks/shape.ts';
import type { PortTypes } from '../../blocks/types.ts';
import { splitEndpoint, type GraphDoc } from '../../runtime/graph/types.ts';
import type { GraphAnalysis } from '../../runtime/validate/types.ts';
import { blockHeight, inHandle, NODE_WIDTH, outHandle, type BlockNodeData } from '../flow-model.ts';

export interface TerminalData extends Record<string, unknown> {
  readonly port: string;
  readonly side: 'in' | 'out';
}

export type CompositeFlowNode = Node<BlockNodeData, 'block'> | Node<TerminalData, 'terminal'>;

export type CompositeResult =
  | { readonly ok: true; readonly title: string; readonly nodes: readonly CompositeFlowNode[]; readonly edges: readonly Edge[]; readonly inner: readonly string[] }
  | { readonly ok: false; readonly message: string };

const TERMINAL = { width: 90, height: 30 };

/** Whether node `id` of `doc` can be opened. */
export function canOpen(doc: GraphDoc, id: string): boolean {
  const n = doc.nodes.find((x) => x.id === id);
  return n !== undefined && getBlock(n.type)?.composite !== undefined;
}

export function buildCompositeFlow(doc: GraphDoc, analysis: GraphAnalysis | undefined, id: string): CompositeResult {
  const node = doc.nodes.find((n) => n.id === id);
  const block = node ? getBlock(node.type) : undefined;
  if (node === undefined || block?.composite === undefined) return { ok: false, message: `${id} is not a cell that can be opened` };
  const params = resolveParams(block.params, node.params);
  // The types arriving at the cell; where validation has none yet, a vector of the hidden size.
  const ins: Record<string, ReturnType<typeof vector>> = {};
  doc.edges.forEach((e, i) => {
    const to = splitEndpoint(e.to);
    const t = analysis?.doc === doc ? analysis.edgeTypes[i] : undefined;
    if (to?.node === id && t !== undefined) ins[to.port] = t;
  });
  for (const p of block.inputs) ins[p.name] ??= vector(typeof params.hidden === 'number' ? params.hidden : 1);
  const def = block.composite(ins as PortTypes, params);

  const rows = new Map<string, string[]>();
  for (const w of def.weights) {
    const [inner, name] = [w.inner.slice(0, w.inner.indexOf('.')), w.inner.slice(w.inner.indexOf('.') + 1)];
    if (!rows.has(inner)) rows.set(inner, []);
    rows.get(inner)!.push(`${name} = ${w.outer}[${w.rows[0]}:${w.rows[1]}]`);
  }

  const g = new dagre.graphlib.Graph({ multigraph: true });
  g.setGraph({ rankdir: 'LR', nodesep: 24, ranksep: 60 });
  g.setDefaultEdgeLabel(() => ({}));
  const inTerm = (p: string) => `in:${p}`;
  const outTerm = (p: string) => `out:${p}`;
  for (const p of Object.keys(def.inputs)) g.setNode(inTerm(p), TERMINAL);
  for (const p of Object.keys(def.outputs)) g.setNode(outTerm(p), TERMINAL);
  for (const n of def.nodes) g.setNode(n.id, { width: NODE_WIDTH, height: blockHeight(n.type) });
  const edges: Edge[] = [];
  const add = (source: string, sourceHandle: string, target: string, targetHandle: string) => {
    g.setEdge(source, target, {}, `e${edges.length}`);
    edges.push({ id: `c${edges.length}`, source, sourceHandle, target, targetHandle, selectable: false, focusable: false });
  };
  for (const [port, targets] of Object.entries(def.inputs)) {
    for (const t of targets) {
      const to = splitEndpoint(t)!;
      add(inTerm(port), 'out', to.node, inHandle(to.port));
    }
  }
  for (const e of def.edges) {
    const from = splitEndpoint(e.from)!;
    const to = splitEndpoint(e.to)!;
    add(from.node, outHandle(from.port), to.node, inHandle(to.port));
  }
  for (const [port, source] of Object.entries(def.outputs)) {
    const from = splitEndpoint(source)!;
    add(from.node, outHandle(from.port), outTerm(port), 'in');
  }
  dagre.layout(g);
  const place = (key: string) => {
    const p = g.node(key) as { x: number; y: number; width: number; height: number };
    return { x: Math.round(p.x - p.width / 2), y: Math.round(p.y - p.height / 2) };
  };
  const nodes: CompositeFlowNode[] = [
    ...Object.keys(def.inputs).map((p): CompositeFlowNode => ({ id: inTerm(p), type: 'terminal', position: place(inTerm(p)), data: { port: p, side: 'in' }, ...TERMINAL })),
    ...def.nodes.map((n): CompositeFlowNode => {
      const inner = getBlock(n.type);
      const detail = [Object.entries(n.params).map(([k, v]) => `${k} ${String(v)}`).join(' · '), ...(rows.get(n.id) ?? [])].filter(Boolean);
      return {
        id: n.id,
        type: 'block',
        position: place(n.id),
        width: NODE_WIDTH,
        height: blockHeight(n.type),
        data: {
          id: n.id,
          type: n.type,
          title: inner?.title ?? n.type,
          doc: [inner?.doc ?? '', ...detail].join('\n'),
          category: inner?.category,
          inputs: (inner?.inputs ?? []).map((p) => ({ name: p.name, doc: p.doc, optional: p.optional === true, kinds: [], detail: '', sequence: false })),
          outputs: (inner?.outputs ?? []).map((p) => ({ name: p.name, doc: p.doc, optional: false, kinds: [], detail: '', sequence: false })),
          summary: detail[0] ?? '',
          error: false,
          composite: false,
        },
      };
    }),
    ...Object.keys(def.outputs).map((p): CompositeFlowNode => ({ id: outTerm(p), type: 'terminal', position: place(outTerm(p)), data: { port: p, side: 'out' }, ...TERMINAL })),
  ];
  return { ok: true, title: `${id} (${block.title})`, nodes, edges, inner: def.nodes.map((n) => n.id) };
}
