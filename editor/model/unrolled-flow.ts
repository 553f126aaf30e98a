/**
 * The unrolled view: the graph unrolled for a small T, laid out along time like the lecture's
 * figure (each loop's nodes repeated step after step to the right, nodes after a loop moved past
 * its last step). Copies of one node share its weights; they carry the same mark (colour and
 * label), one mark per weighted node.
 */
import type { Edge, Node } from '@xyflow/react';
import { getBlock } from '../../blocks/registry.ts';
import type { GraphDoc } from '../../runtime/graph/types.ts';
import type { GraphAnalysis } from '../../runtime/validate/types.ts';
import type { UnrolledGraph } from '../../runtime/unroll/types.ts';
import { unrollGraph } from '../../runtime/unroll/unroll.ts';
import { absolutePositions } from '../flow-model.ts';

/** Marks for weighted nodes, in document order; literal colours (also used in SVG). */
export const SHARED_COLORS = ['#2563eb', '#db2777', '#059669', '#d97706', '#7c3aed', '#0891b2', '#dc2626', '#4d7c0f', '#9333ea', '#0f766e', '#b45309', '#be123c'];

export interface CopyData extends Record<string, unknown> {
  /** `lstm@2`, or the node id outside loops. */
  readonly key: string;
  readonly node: string;
  readonly type: string;
  readonly title: string;
  readonly step: number | undefined;
  /** The weights this copy uses, shared with every copy of the same node. */
  readonly weights: readonly string[];
  /** Index into SHARED_COLORS; undefined for a node without weights. */
  readonly mark: number | undefined;
  /** Its node is selected (in either view). */
  readonly linked: boolean;
}

export interface StepData extends Record<string, unknown> {
  readonly label: string;
}

export type CopyNode = Node<CopyData, 'copy'>;
export type StepNode = Node<StepData, 'step'>;
export type UnrolledFlowNode = CopyNode | StepNode;

export interface UnrolledFlow {
  readonly nodes: readonly UnrolledFlowNode[];
  readonly edges: readonly Edge[];
  /** Copies drawn per folded node id. */
  readonly copies: Readonly<Record<string, number>>;
  /** Mark of each weighted node, by node id. */
  readonly marks: Readonly<Record<string, number>>;
  readonly lengths: Readonly<Record<string, number>>;
}

export type UnrolledResult = { readonly ok: true; readonly flow: UnrolledFlow } | { readonly ok: false; readonly message: string };

/** Largest T the view draws (the point is to see the structure; complaint: unreadable unrolled diagrams). */
export const MAX_VIEW_STEPS = 8;

/** Copies are smaller than blocks, and the folded layout is squeezed, so that several steps fit the pane. */
export const COPY_SIZE = { width: 118, height: 40 } as const;
const SCALE = { x: 0.62, y: 0.62 } as const;
const STEP_GAP = 46;
const COPY_HEIGHT = COPY_SIZE.height;

/** Unroll `analysis` with every sequence of length `steps` and lay the copies out. */
export function buildUnrolledFlow(doc: GraphDoc, analysis: GraphAnalysis | undefined, steps: number, selected: ReadonlySet<string>): UnrolledResult {
  if (analysis === undefined || analysis.doc !== doc) return { ok: false, message: 'The graph is being checked.' };
  if (!analysis.ok) {
    const n = analysis.errors.length;
    return { ok: false, message: `Fix the ${n} error${n === 1 ? '' : 's'} listed under Problems to see the graph unrolled.` };
  }
  const lengths = Object.fromEntries(analysis.axes.map((a) => [a, steps]));
  const res = unrollGraph(analysis, lengths);
  if (!res.ok) return { ok: false, message: res.errors.map((e) => `${e.code}: ${e.message}`).join('\n') };
  return { ok: true, flow: layout(doc, analysis, res.value, selected) };
}

function layout(doc: GraphDoc, analysis: GraphAnalysis, u: UnrolledGraph, selected: ReadonlySet<string>): UnrolledFlow {
  const folded = absolutePositions(doc, analysis);
  const abs = new Map([...folded].map(([id, p]) => [id, { x: p.x * SCALE.x, y: p.y * SCALE.y }]));
  const types = new Map(doc.nodes.map((n) => [n.id, n.type]));
  // Extent of each loop's nodes on the folded canvas, and the width of one step.
  const extents = u.loops
    .filter((l) => l.nodes.length > 0)
    .map((l) => {
      const ps = l.nodes.map((id) => abs.get(id)!);
      const minX = Math.min(...ps.map((p) => p.x));
      const maxX = Math.max(...ps.map((p) => p.x)) + COPY_SIZE.width;
      const minY = Math.min(...ps.map((p) => p.y));
      const maxY = Math.max(...l.nodes.map((id) => abs.get(id)!.y + COPY_HEIGHT));
      return { id: l.id, length: l.length, minX, maxX, minY, maxY, width: maxX - minX + STEP_GAP };
    });
  const byLoop = new Map(extents.map((e) => [e.id, e]));
  // Everything right of a loop moves right by the room its extra steps take.
  const shift = (x: number, own?: string): number =>
    extents.filter((e) => e.id !== own && e.maxX <= x + 1).reduce((s, e) => s + (e.length - 1) * e.width, 0);

  // Maps, not plain objects: node ids may be Object.prototype names (`constructor`, `__proto__`).
  const marks = new Map<string, number>();
  for (const n of doc.nodes) if ((analysis.weights.get(n.id) ?? []).length > 0) marks.set(n.id, marks.size % SHARED_COLORS.length);
  // A node that borrows its weight (`share`) wears its owner's colour: their copies read one tensor.
  for (const [id, borrowed] of analysis.shares) {
    const owner = Object.values(borrowed)[0]!.split('.')[0]!;
    if (!marks.has(id) && marks.has(owner)) marks.set(id, marks.get(owner)!);
  }

  const nodes: UnrolledFlowNode[] = [];
  for (const e of extents) {
    const base = shift(e.minX, e.id);
    for (let p = 0; p < e.length; p++) {
      nodes.push({
        id: `step:${e.id}:${p}`,
        type: 'step',
        position: { x: e.minX + base + p * e.width - 10, y: e.minY - 26 },
        width: e.width - STEP_GAP + 20,
        height: e.maxY - e.minY + 36,
        data: { label: `${e.id.startsWith('$') ? 'step' : e.id} · t = ${p}` },
        selectable: false,
        draggable: false,
        zIndex: -1,
      });
    }
  }
  const copies = new Map<string, number>();
  for (const c of u.nodes) {
    const p = abs.get(c.node)!;
    const loop = c.loop !== undefined ? byLoop.get(c.loop) : undefined;
    const x = loop !== undefined ? p.x + shift(loop.minX, loop.id) + (c.position ?? 0) * loop.width : p.x + shift(p.x);
    copies.set(c.node, (copies.get(c.node) ?? 0) + 1);
    const type = types.get(c.node) ?? c.type;
    nodes.push({
      id: c.key,
      type: 'copy',
      position: { x, y: p.y },
      width: COPY_SIZE.width,
      height: COPY_HEIGHT,
      data: {
        key: c.key,
        node: c.node,
        type,
        title: getBlock(type)?.title ?? type,
        step: c.step,
        weights: Object.values(c.weights).map((w) => w.key),
        mark: marks.get(c.node),
        linked: selected.has(c.node),
      },
      draggable: false,
      connectable: false,
    });
  }
  const stepOf = new Map(u.nodes.map((c) => [c.key, c.step]));
  const edges: Edge[] = [];
  const wire = (from: string, to: string, port: string, label?: string) => {
    const back = stepOf.get(from) !== undefined && stepOf.get(to) !== undefined && stepOf.get(from) !== stepOf.get(to);
    edges.push({
      id: `${from}->${to}.${port}#${edges.length}`,
      source: from,
      target: to,
      ...(label !== undefined ? { label } : {}),
      className: back ? 'unrolled-wire across-steps' : 'unrolled-wire',
      selectable: false,
      focusable: false,
    });
  };
  for (const c of u.nodes) {
    for (const [port, s] of Object.entries(c.inputs)) {
      if (s.kind === 'node') wire(s.key, c.key, port);
      else if (s.kind === 'slice') wire(s.key, c.key, port, `[${s.index}]`);
      else if (s.kind === 'stack') for (const item of s.items) wire(item.key, c.key, port);
    }
  }
  return { nodes, edges, copies: Object.fromEntries(copies), marks: Object.fromEntries(marks), lengths: u.lengths };
}
