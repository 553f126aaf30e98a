/**
 * The graph as React Flow draws it: block nodes with one handle per port, loop frames as parent
 * nodes, edges labelled with the shape validation inferred. Pure (no React state), so the
 * canvas, the minimap and the test API all agree on what is drawn.
 */
import { MarkerType, type Edge, type Node } from '@xyflow/react';
import { getBlock } from '../blocks/registry.ts';
import { formatType } from '../blocks/shape.ts';
import type { BlockCategory } from '../blocks/types.ts';
import type { UnrollError } from '../runtime/errors/catalogue.ts';
import { splitEndpoint, type GraphDoc, type GraphLoop } from '../runtime/graph/types.ts';
import { IMPLICIT_LOOP_ID, type GraphAnalysis } from '../runtime/validate/types.ts';
import { columnLayout, LAYOUT } from './layout.ts';

/** One port as a node shows it. */
export interface PortView {
  readonly name: string;
  readonly doc: string;
  readonly optional: boolean;
}

export interface BlockNodeData extends Record<string, unknown> {
  readonly id: string;
  readonly type: string;
  readonly title: string;
  readonly doc: string;
  /** Undefined for a type the registry lacks (parse refuses those, so only while blocks are missing). */
  readonly category: BlockCategory | undefined;
  readonly inputs: readonly PortView[];
  readonly outputs: readonly PortView[];
  /** Named by a validation error. */
  readonly error: boolean;
}

export interface LoopNodeData extends Record<string, unknown> {
  readonly loopId: string;
  /** `loop t · over x · forward` */
  readonly label: string;
  readonly implicit: boolean;
}

export type BlockFlowNode = Node<BlockNodeData, 'block'>;
export type LoopFlowNode = Node<LoopNodeData, 'loop'>;
export type FlowNode = BlockFlowNode | LoopFlowNode;

export interface EdgeData extends Record<string, unknown> {
  /** Index into the document's edges. */
  readonly index: number;
  readonly recurrent: boolean;
  readonly error: boolean;
}

export interface FlowModel {
  /** Loop frames first (React Flow wants parents before their children), then blocks. */
  readonly nodes: readonly FlowNode[];
  readonly edges: readonly Edge<EdgeData>[];
  /** Ids of the loops drawn as frames (declared loops with members, and the implicit loop). */
  readonly frames: readonly string[];
}

/** Wire colours; literal values because React Flow puts them into SVG marker ids. Match editor.css. */
export const WIRE_COLORS = { plain: '#64748b', recurrent: '#7c3aed', error: '#dc2626' } as const;

/** Block nodes have a fixed width so frames can be sized before the DOM is measured. */
export const NODE_WIDTH = 172;
const HEADER_HEIGHT = 42;
const PORT_ROW = 18;
const FRAME_PAD = { side: 24, top: 36, bottom: 20 };

/** Height of a block node with these ports; editor.css lays nodes out to the same numbers. */
export function nodeHeight(inputs: number, outputs: number): number {
  return HEADER_HEIGHT + Math.max(inputs, outputs, 1) * PORT_ROW + 8;
}

/** Handle ids: a port name may be both an input and an output name of one block. */
export const inHandle = (port: string): string => `in:${port}`;
export const outHandle = (port: string): string => `out:${port}`;
/** Frame node ids; `:` is not allowed in node ids, so these never collide with blocks. */
export const frameNodeId = (loop: string): string => `loop:${loop}`;

/** Node ids an error names, directly or through one of its ports. */
export function nodesNamedBy(errors: readonly UnrollError[]): Set<string> {
  const ids = new Set<string>();
  for (const e of errors) {
    for (const n of e.nodes ?? []) ids.add(n);
    for (const p of e.ports ?? []) {
      const node = splitEndpoint(p)?.node;
      if (node !== undefined) ids.add(node);
    }
  }
  return ids;
}

/** Edges that close a cycle: validation's list, or (without an analysis) edges into a delay's `in`. */
function recurrentEdges(doc: GraphDoc, analysis: GraphAnalysis | undefined): Set<number> {
  if (analysis !== undefined) return new Set(analysis.recurrentEdges);
  const types = new Map(doc.nodes.map((n) => [n.id, n.type]));
  const out = new Set<number>();
  doc.edges.forEach((e, i) => {
    const to = splitEndpoint(e.to);
    if (to !== undefined && to.port === 'in' && types.get(to.node) === 'delay') out.add(i);
  });
  return out;
}

function loopLabel(loop: GraphLoop | undefined, id: string, analysis: GraphAnalysis | undefined): string {
  const info = analysis?.loops.get(id);
  if (loop === undefined) return `implicit loop · over ${info?.axis ?? '?'} · ${info?.direction ?? 'forward'}`;
  const extent = 'over' in loop ? `over ${loop.over}` : `${loop.steps} steps`;
  return `loop ${id} · ${extent} · ${loop.direction ?? 'forward'}`;
}

/** What React Flow draws for `doc`; `errors` are the errors to highlight (parse or validation). */
export function buildFlow(doc: GraphDoc, analysis: GraphAnalysis | undefined, errors: readonly UnrollError[]): FlowModel {
  const loopOf = (id: string): string | undefined =>
    analysis?.nodeLoop.has(id) === true ? analysis.nodeLoop.get(id) : doc.nodes.find((n) => n.id === id)?.loop;
  const recurrent = recurrentEdges(doc, analysis);
  const bad = nodesNamedBy(errors);
  const badEdges = new Set(errors.flatMap((e) => e.edges ?? []));

  // Absolute positions: the file's, else the fallback layout placed below the positioned nodes.
  const laidOut = doc.nodes.every((n) => n.position !== undefined) ? undefined : columnLayout(doc, loopOf, recurrent);
  const below = Math.max(0, ...doc.nodes.map((n) => (n.position ? n.position.y + LAYOUT.rowHeight : 0)));
  const abs = new Map(
    doc.nodes.map((n) => {
      const p = n.position ?? laidOut!.get(n.id)!;
      return [n.id, n.position ? { x: p.x, y: p.y } : { x: p.x, y: p.y + below }] as const;
    }),
  );

  const blocks = doc.nodes.map((n) => {
    const def = getBlock(n.type);
    const ports = (list: readonly { name: string; doc: string; optional?: boolean }[] | undefined): PortView[] =>
      (list ?? []).map((p) => ({ name: p.name, doc: p.doc, optional: p.optional === true }));
    const data: BlockNodeData = {
      id: n.id,
      type: n.type,
      title: def?.title ?? n.type,
      doc: def?.doc ?? 'This block type is not in the registry.',
      category: def?.category,
      inputs: ports(def?.inputs),
      outputs: ports(def?.outputs),
      error: bad.has(n.id),
    };
    return { node: n, data, height: nodeHeight(data.inputs.length, data.outputs.length) };
  });

  // One frame per loop that has members, sized around them.
  const declared = new Map((doc.loops ?? []).map((l) => [l.id, l]));
  const members = new Map<string, typeof blocks>();
  for (const b of blocks) {
    const loop = loopOf(b.node.id);
    if (loop === undefined || (!declared.has(loop) && loop !== IMPLICIT_LOOP_ID)) continue;
    if (!members.has(loop)) members.set(loop, []);
    members.get(loop)!.push(b);
  }
  const frames: LoopFlowNode[] = [];
  const origin = new Map<string, { x: number; y: number }>();
  for (const [loop, inside] of members) {
    const x0 = Math.min(...inside.map((b) => abs.get(b.node.id)!.x)) - FRAME_PAD.side;
    const y0 = Math.min(...inside.map((b) => abs.get(b.node.id)!.y)) - FRAME_PAD.top;
    const x1 = Math.max(...inside.map((b) => abs.get(b.node.id)!.x + NODE_WIDTH)) + FRAME_PAD.side;
    const y1 = Math.max(...inside.map((b) => abs.get(b.node.id)!.y + b.height)) + FRAME_PAD.bottom;
    origin.set(loop, { x: x0, y: y0 });
    frames.push({
      id: frameNodeId(loop),
      type: 'loop',
      position: { x: x0, y: y0 },
      width: x1 - x0,
      height: y1 - y0,
      data: { loopId: loop, label: loopLabel(declared.get(loop), loop, analysis), implicit: loop === IMPLICIT_LOOP_ID },
      selectable: false,
      zIndex: -1,
    });
  }

  const blockNodes: BlockFlowNode[] = blocks.map(({ node, data, height }) => {
    const p = abs.get(node.id)!;
    const loop = loopOf(node.id);
    const o = loop !== undefined ? origin.get(loop) : undefined;
    return {
      id: node.id,
      type: 'block',
      data,
      // Known sizes: the canvas is read-only, so React Flow's measurements never flow back into
      // these objects, and the minimap and frames need dimensions up front.
      width: NODE_WIDTH,
      height,
      ...(o ? { parentId: frameNodeId(loop!), position: { x: p.x - o.x, y: p.y - o.y } } : { position: p }),
    };
  });

  const edges = doc.edges.flatMap((e, index): Edge<EdgeData>[] => {
    const from = splitEndpoint(e.from);
    const to = splitEndpoint(e.to);
    if (from === undefined || to === undefined) return [];
    const type = analysis?.edgeTypes[index];
    const isRecurrent = recurrent.has(index);
    const error = badEdges.has(index);
    const parts = [isRecurrent ? 'z⁻¹' : undefined, e.take, type ? formatType(type) : undefined].filter((s) => s !== undefined);
    const color = error ? WIRE_COLORS.error : isRecurrent ? WIRE_COLORS.recurrent : WIRE_COLORS.plain;
    return [
      {
        id: `e${index}`,
        // A wire closing a cycle runs backwards; right-angled routing keeps it clear of the cell.
        ...(isRecurrent ? { type: 'smoothstep' } : {}),
        source: from.node,
        sourceHandle: outHandle(from.port),
        target: to.node,
        targetHandle: inHandle(to.port),
        ...(parts.length > 0 ? { label: parts.join(' · ') } : {}),
        className: ['wire', isRecurrent ? 'wire-recurrent' : '', error ? 'wire-error' : ''].filter(Boolean).join(' '),
        style: { stroke: color, strokeWidth: isRecurrent ? 2 : 1.5, ...(isRecurrent ? { strokeDasharray: '6 4' } : {}) },
        markerEnd: { type: MarkerType.ArrowClosed, color },
        data: { index, recurrent: isRecurrent, error },
        // Edges sit above loop frames so wires inside a frame are never hidden by it.
        zIndex: 1,
      },
    ];
  });

  return { nodes: [...frames, ...blockNodes], edges, frames: [...members.keys()] };
}
