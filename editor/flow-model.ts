/**
 * The graph as React Flow draws it: block nodes with one handle per port, loop frames as parent
 * nodes, wires labelled with the shape validation inferred. Pure (no React state), so the canvas,
 * the minimap, the unrolled view and the test API all agree on what is drawn.
 */
import { MarkerType, type Edge, type Node } from '@xyflow/react';
import { resolveParams } from '../blocks/params.ts';
import { getBlock } from '../blocks/registry.ts';
import { formatType } from '../blocks/shape.ts';
import type { BlockCategory, ElementKind } from '../blocks/types.ts';
import type { UnrollError } from '../runtime/errors/catalogue.ts';
import { splitEndpoint, type GraphDoc, type GraphLoop } from '../runtime/graph/types.ts';
import { describeAccepts } from '../runtime/validate/port-forms.ts';
import { IMPLICIT_LOOP_ID, type GraphAnalysis } from '../runtime/validate/types.ts';
import { dagreLayout } from './model/auto-layout.ts';
import { edgeKey, type Point } from './model/changes.ts';

/** One port as a node shows it. */
export interface PortView {
  readonly name: string;
  readonly doc: string;
  readonly optional: boolean;
  /** Element kinds the port takes (inputs) or carries (outputs, once validation typed it). */
  readonly kinds: readonly ElementKind[];
  /** `takes a vector per step`, or the inferred type of an output. */
  readonly detail: string;
  /** Takes whole sequences (attention keys). */
  readonly sequence: boolean;
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
  /** The params that say most about the node: `hidden 64`. */
  readonly summary: string;
  /** Named by a validation error. */
  readonly error: boolean;
  /** A gated cell the user can open to see it drawn from primitives. */
  readonly composite: boolean;
}

export interface LoopNodeData extends Record<string, unknown> {
  readonly loopId: string;
  /** `loop t · over x · forward` */
  readonly label: string;
  readonly implicit: boolean;
  readonly empty: boolean;
  readonly error: boolean;
}

export type BlockFlowNode = Node<BlockNodeData, 'block'>;
export type LoopFlowNode = Node<LoopNodeData, 'loop'>;
export type FlowNode = BlockFlowNode | LoopFlowNode;

export interface EdgeData extends Record<string, unknown> {
  /** Index into the document's edges. */
  readonly index: number;
  readonly from: string;
  readonly to: string;
  readonly recurrent: boolean;
  readonly error: boolean;
  /** The type the wire delivers, formatted; undefined until validation typed it. */
  readonly shape: string | undefined;
  /** On a wire leaving a loop: what it carries (`all` unless the file says `last`). */
  readonly take: 'last' | 'all' | undefined;
}

export type WireEdge = Edge<EdgeData, 'wire'>;

export interface Selection {
  readonly nodes: readonly string[];
  /** Edge keys `from->to`. */
  readonly edges: readonly string[];
  readonly loops: readonly string[];
}

export const NO_SELECTION: Selection = { nodes: [], edges: [], loops: [] };

export interface FlowModel {
  /** Loop frames first (React Flow wants parents before their children), then blocks. */
  readonly nodes: readonly FlowNode[];
  readonly edges: readonly WireEdge[];
  /** Ids of the loops drawn as frames (declared loops, and the implicit loop). */
  readonly frames: readonly string[];
  /** Absolute top-left of every block and frame, by React Flow node id. */
  readonly absolute: ReadonlyMap<string, { x: number; y: number; width: number; height: number }>;
}

/** Wire colours; literal values because React Flow puts them into SVG marker ids. Match editor.css. */
export const WIRE_COLORS = { plain: '#64748b', recurrent: '#7c3aed', error: '#dc2626' } as const;

/** Block nodes have a fixed width so frames can be sized before the DOM is measured. */
export const NODE_WIDTH = 172;
const HEADER_HEIGHT = 42;
const PORT_ROW = 18;
const FRAME_PAD = { side: 24, top: 36, bottom: 20 };
const EMPTY_FRAME = { width: 260, height: 110 };

/** Height of a block node with these ports; editor.css lays nodes out to the same numbers. */
export function nodeHeight(inputs: number, outputs: number): number {
  return HEADER_HEIGHT + Math.max(inputs, outputs, 1) * PORT_ROW + 8;
}

/** Height of a node of block `type`. */
export function blockHeight(type: string): number {
  const def = getBlock(type);
  return nodeHeight(def?.inputs.length ?? 0, def?.outputs.length ?? 0);
}

/** Handle ids: a port name may be both an input and an output name of one block. */
export const inHandle = (port: string): string => `in:${port}`;
export const outHandle = (port: string): string => `out:${port}`;
/** The port a handle id names. */
export const handlePort = (handle: string | null | undefined): string => (handle ?? '').replace(/^(in|out):/, '');
/** Frame node ids; `:` is not allowed in node ids, so these never collide with blocks. */
export const frameNodeId = (loop: string): string => `loop:${loop}`;
export const isFrameId = (id: string): boolean => id.startsWith('loop:');
export const loopOfFrame = (id: string): string => id.slice('loop:'.length);

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

/** The node to show for an error: the first it names, else the destination of its first edge. */
export function focusNodeOf(e: UnrollError, doc: GraphDoc): string | undefined {
  const named = [...nodesNamedBy([e])].find((id) => doc.nodes.some((n) => n.id === id));
  if (named !== undefined) return named;
  const edge = e.edges?.[0] !== undefined ? doc.edges[e.edges[0]] : undefined;
  if (edge !== undefined) return splitEndpoint(edge.to)?.node;
  const m = e.path !== undefined ? /^\$\.nodes\[(\d+)\]/.exec(e.path) : null;
  return m ? doc.nodes[Number(m[1])]?.id : undefined;
}

/** Edges that close a cycle: validation's list, or (without an analysis) edges into a delay's `in`. */
function recurrentEdges(doc: GraphDoc, analysis: GraphAnalysis | undefined): Set<number> {
  if (analysis !== undefined && analysis.doc === doc) return new Set(analysis.recurrentEdges);
  const types = new Map(doc.nodes.map((n) => [n.id, n.type]));
  const out = new Set<number>();
  doc.edges.forEach((e, i) => {
    const to = splitEndpoint(e.to);
    if (to !== undefined && to.port === 'in' && types.get(to.node) === 'delay') out.add(i);
  });
  return out;
}

export function loopLabel(loop: GraphLoop | undefined, id: string, analysis: GraphAnalysis | undefined): string {
  const info = analysis?.loops.get(id);
  if (loop === undefined) return `implicit loop · over ${info?.axis || '?'} · ${info?.direction ?? 'forward'}`;
  const extent = 'over' in loop ? `over ${loop.over}` : `${loop.steps} steps`;
  return `loop ${id} · ${extent} · ${loop.direction ?? 'forward'}`;
}

/** The params worth showing on a node: enums and ints, at most two, `kind embedding · size 32`. */
function summary(type: string, params: GraphDoc['nodes'][number]['params']): string {
  const def = getBlock(type);
  if (def === undefined) return '';
  const resolved = resolveParams(def.params, params);
  const parts: string[] = [];
  for (const [name, p] of Object.entries(def.params)) {
    if (parts.length >= 2) break;
    const v = resolved[name];
    if (v === undefined || (p.kind !== 'int' && p.kind !== 'enum' && p.kind !== 'optionalInt')) continue;
    parts.push(p.kind === 'enum' && name === 'kind' ? String(v) : `${name} ${String(v)}`);
  }
  return parts.join(' · ');
}

/** The loop each node runs in: validation's answer for the current document, else the file's. */
export function loopResolver(doc: GraphDoc, analysis: GraphAnalysis | undefined): (id: string) => string | undefined {
  const current = analysis !== undefined && analysis.doc === doc;
  const declared = new Map(doc.nodes.map((n) => [n.id, n.loop]));
  return (id) => (current && analysis.nodeLoop.has(id) ? analysis.nodeLoop.get(id) : declared.get(id));
}

/** Auto-layout (dagre): new absolute positions for every node, data flowing left to right, loops kept together. */
export function autoLayout(doc: GraphDoc, analysis: GraphAnalysis | undefined): Record<string, Point> {
  const current = analysis !== undefined && analysis.doc === doc ? analysis : undefined;
  return dagreLayout(doc, { loopOf: loopResolver(doc, current), recurrent: recurrentEdges(doc, current), width: NODE_WIDTH, heightOf: blockHeight });
}

/** Absolute positions of the blocks: the file's, else auto-layout's, placed below the positioned nodes. */
export function absolutePositions(doc: GraphDoc, analysis: GraphAnalysis | undefined): Map<string, { x: number; y: number }> {
  const laidOut = doc.nodes.every((n) => n.position !== undefined) ? undefined : autoLayout(doc, analysis);
  const below = Math.max(0, ...doc.nodes.map((n) => (n.position ? n.position.y + 140 : 0)));
  return new Map(
    doc.nodes.map((n) => {
      if (n.position) return [n.id, { x: n.position.x, y: n.position.y }] as const;
      const p = laidOut![n.id]!;
      return [n.id, { x: p.x, y: p.y + below }] as const;
    }),
  );
}

/** What React Flow draws for `doc`; `errors` are the errors to highlight (parse or validation). */
export function buildFlow(
  doc: GraphDoc,
  analysis: GraphAnalysis | undefined,
  errors: readonly UnrollError[],
  selection: Selection = NO_SELECTION,
): FlowModel {
  return applySelection(buildUnselectedFlow(doc, analysis, errors), selection);
}

/**
 * `flow` with `selection` marked. Only the elements whose selected state differs from `flow` are
 * new objects, so the canvas can apply a selection without rebuilding the graph (buildUnselectedFlow
 * runs once per document).
 */
export function applySelection(flow: FlowModel, selection: Selection): FlowModel {
  const selNodes = new Set(selection.nodes);
  const selEdges = new Set(selection.edges);
  const selLoops = new Set(selection.loops);
  const nodeSelected = (n: FlowNode): boolean => (n.type === 'loop' ? selLoops.has(n.data.loopId) : selNodes.has(n.id));
  const edgeSelected = (e: WireEdge): boolean => selEdges.has(edgeKey(e.data!));
  const nodes = flow.nodes.map((n) => (nodeSelected(n) === (n.selected === true) ? n : ({ ...n, selected: nodeSelected(n) } as FlowNode)));
  const edges = flow.edges.map((e) => (edgeSelected(e) === (e.selected === true) ? e : { ...e, selected: edgeSelected(e) }));
  return { ...flow, nodes, edges };
}

/** Structural equality down to `depth` levels of plain objects and arrays (functions and class instances by identity). */
function same(a: unknown, b: unknown, depth: number): boolean {
  if (Object.is(a, b)) return true;
  if (depth === 0 || typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!same(a[i], b[i], depth - 1)) return false;
    return true;
  }
  if (Array.isArray(b) || Object.getPrototypeOf(a) !== Object.prototype || Object.getPrototypeOf(b) !== Object.prototype) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) {
    if (!Object.hasOwn(b, k) || !same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], depth - 1)) return false;
  }
  return true;
}

/** Node → data → ports → port → kinds: deep enough for every field of a flow node or edge. */
const ELEMENT_DEPTH = 5;

/** Each of `next` that equals its namesake in `prev` is replaced by that (older) object; the array too when nothing changed. */
function reuseById<T extends { readonly id: string; readonly data?: unknown }>(prev: readonly T[], next: readonly T[]): readonly T[] {
  const old = new Map(prev.map((x) => [x.id, x]));
  let changed = prev.length !== next.length;
  const out = next.map((x, i) => {
    const p = old.get(x.id);
    if (p === undefined) {
      changed = true;
      return x;
    }
    if (same(p, x, ELEMENT_DEPTH)) {
      if (prev[i] !== p) changed = true;
      return p;
    }
    changed = true;
    // Moved or selected but drawn the same: keep the data object (what the node component reads).
    return x.data !== undefined && same(p.data, x.data, ELEMENT_DEPTH - 1) ? { ...x, data: p.data } : x;
  });
  return changed ? out : prev;
}

/**
 * `next` with every node, edge and data object that did not change replaced by the one `prev`
 * had, so React Flow (which compares node objects by identity) re-renders only what an edit or a
 * selection change touched: an edit of one block of 2,000 redraws that block.
 */
export function stabilizeFlow(prev: FlowModel | undefined, next: FlowModel): FlowModel {
  if (prev === undefined || prev === next) return next;
  const nodes = reuseById(prev.nodes, next.nodes);
  const edges = reuseById(prev.edges, next.edges);
  return nodes === next.nodes && edges === next.edges ? next : { ...next, nodes, edges };
}

/** What React Flow draws for `doc`, nothing selected. */
export function buildUnselectedFlow(doc: GraphDoc, analysis: GraphAnalysis | undefined, errors: readonly UnrollError[]): FlowModel {
  const current = analysis !== undefined && analysis.doc === doc ? analysis : undefined;
  const loopOf = loopResolver(doc, current);
  const recurrent = recurrentEdges(doc, current);
  const bad = nodesNamedBy(errors);
  const badEdges = new Set(errors.flatMap((e) => e.edges ?? []));
  const abs = absolutePositions(doc, current);

  const blocks = doc.nodes.map((n) => {
    const def = getBlock(n.type);
    const inputs: PortView[] = (def?.inputs ?? []).map((p) => ({
      name: p.name,
      doc: p.doc,
      optional: p.optional === true,
      kinds: [...new Set(p.accepts.map((a) => a.kind))],
      detail: `takes ${describeAccepts(p.accepts)}`,
      sequence: p.accepts.every((a) => a.seq),
    }));
    const outputs: PortView[] = (def?.outputs ?? []).map((p) => {
      const t = current?.outputTypes.get(`${n.id}.${p.name}`);
      const kind = t === undefined ? undefined : t.dtype === 'int' ? (t.shape.length === 0 ? 'tokens' : 'bag') : t.shape.length === 0 ? 'scalar' : t.shape.length === 1 ? 'vector' : 'matrix';
      return { name: p.name, doc: p.doc, optional: false, kinds: kind ? [kind as ElementKind] : [], detail: t ? `gives ${formatType(t)}` : 'type not known yet', sequence: t?.seq !== undefined };
    });
    const data: BlockNodeData = {
      id: n.id,
      type: n.type,
      title: def?.title ?? n.type,
      doc: def?.doc ?? 'This block type is not in the registry.',
      category: def?.category,
      inputs,
      outputs,
      summary: summary(n.type, n.params),
      error: bad.has(n.id),
      composite: def?.composite !== undefined,
    };
    return { node: n, data, height: nodeHeight(inputs.length, outputs.length) };
  });

  // One frame per declared loop (empty ones to the right of the graph) and for the implicit loop.
  const declared = new Map((doc.loops ?? []).map((l) => [l.id, l]));
  const members = new Map<string, typeof blocks>();
  for (const l of doc.loops ?? []) members.set(l.id, []);
  for (const b of blocks) {
    const loop = loopOf(b.node.id);
    if (loop === undefined || (!declared.has(loop) && loop !== IMPLICIT_LOOP_ID)) continue;
    if (!members.has(loop)) members.set(loop, []);
    members.get(loop)!.push(b);
  }
  const right = Math.max(0, ...[...abs.values()].map((p) => p.x + NODE_WIDTH)) + 80;
  let emptyRow = 0;
  const loopErrors = new Set(errors.flatMap((e) => (e.path !== undefined ? [/^\$\.loops\[(\d+)\]/.exec(e.path)?.[1]] : [])).filter((x) => x !== undefined).map(Number));
  const frames: LoopFlowNode[] = [];
  const absolute = new Map<string, { x: number; y: number; width: number; height: number }>();
  const origin = new Map<string, { x: number; y: number }>();
  for (const [loop, inside] of members) {
    let box: { x0: number; y0: number; x1: number; y1: number };
    if (inside.length === 0) {
      const y0 = emptyRow * (EMPTY_FRAME.height + 30);
      emptyRow++;
      box = { x0: right, y0, x1: right + EMPTY_FRAME.width, y1: y0 + EMPTY_FRAME.height };
    } else {
      box = {
        x0: Math.min(...inside.map((b) => abs.get(b.node.id)!.x)) - FRAME_PAD.side,
        y0: Math.min(...inside.map((b) => abs.get(b.node.id)!.y)) - FRAME_PAD.top,
        x1: Math.max(...inside.map((b) => abs.get(b.node.id)!.x + NODE_WIDTH)) + FRAME_PAD.side,
        y1: Math.max(...inside.map((b) => abs.get(b.node.id)!.y + b.height)) + FRAME_PAD.bottom,
      };
    }
    origin.set(loop, { x: box.x0, y: box.y0 });
    const implicit = loop === IMPLICIT_LOOP_ID;
    const id = frameNodeId(loop);
    absolute.set(id, { x: box.x0, y: box.y0, width: box.x1 - box.x0, height: box.y1 - box.y0 });
    const declIndex = (doc.loops ?? []).findIndex((l) => l.id === loop);
    frames.push({
      id,
      type: 'loop',
      position: { x: box.x0, y: box.y0 },
      width: box.x1 - box.x0,
      height: box.y1 - box.y0,
      data: {
        loopId: loop,
        label: loopLabel(declared.get(loop), loop, current),
        implicit,
        empty: inside.length === 0,
        error: declIndex >= 0 && loopErrors.has(declIndex),
      },
      selectable: !implicit,
      draggable: !implicit,
      selected: false,
      zIndex: -1,
      ariaLabel: implicit ? 'implicit loop' : `loop ${loop}`,
    });
  }

  const blockNodes: BlockFlowNode[] = blocks.map(({ node, data, height }) => {
    const p = abs.get(node.id)!;
    absolute.set(node.id, { x: p.x, y: p.y, width: NODE_WIDTH, height });
    const loop = loopOf(node.id);
    const o = loop !== undefined ? origin.get(loop) : undefined;
    return {
      id: node.id,
      type: 'block',
      data,
      // Known sizes: the minimap and frames need dimensions before the DOM is measured.
      width: NODE_WIDTH,
      height,
      selected: false,
      ariaLabel: `${node.id} (${data.title})`,
      ...(o ? { parentId: frameNodeId(loop!), position: { x: p.x - o.x, y: p.y - o.y } } : { position: p }),
    };
  });

  const seen = new Map<string, number>();
  const edges = doc.edges.flatMap((e, index): WireEdge[] => {
    const from = splitEndpoint(e.from);
    const to = splitEndpoint(e.to);
    if (from === undefined || to === undefined) return [];
    const type = current?.edgeTypes[index];
    const isRecurrent = recurrent.has(index);
    const fromLoop = loopOf(from.node);
    const leaving = fromLoop !== undefined && fromLoop !== loopOf(to.node);
    const key = edgeKey(e);
    const n = seen.get(key) ?? 0;
    seen.set(key, n + 1);
    const id = n === 0 ? key : `${key}#${n}`;
    return [
      {
        id,
        type: 'wire',
        source: from.node,
        sourceHandle: outHandle(from.port),
        target: to.node,
        targetHandle: inHandle(to.port),
        selected: false,
        data: {
          index,
          from: e.from,
          to: e.to,
          recurrent: isRecurrent,
          error: badEdges.has(index),
          shape: type ? formatType(type) : undefined,
          take: leaving || e.take !== undefined ? (e.take ?? 'all') : undefined,
        },
        markerEnd: { type: MarkerType.ArrowClosed, color: badEdges.has(index) ? WIRE_COLORS.error : isRecurrent ? WIRE_COLORS.recurrent : WIRE_COLORS.plain },
        ariaLabel: `wire ${e.from} to ${e.to}`,
      },
    ];
  });

  return { nodes: [...frames, ...blockNodes], edges, frames: [...members.keys()], absolute };
}
