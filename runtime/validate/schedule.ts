/**
 * The evaluation order. Every loop is condensed into one vertex (nodes outside loops stay single
 * vertices); the condensed graph must be acyclic, else loops depend on each other (E212). The order
 * is a topological order of the condensed graph with each loop expanded into its per-step order,
 * so every loop is one contiguous run. Ties go to the earliest node in the document.
 */
import { unrollError } from '../errors/catalogue.ts';
import { fromEndpoint, loopPath, toEndpoint, type Ctx } from './context.ts';
import { componentSizes, shortestCycleThrough, smallestFirstTopoOrder, stronglyConnected, type Arc } from './graph-algo.ts';
import type { LoopAssignment } from './loops.ts';

export interface Schedule {
  /** Every node index once. */
  readonly order: readonly number[];
  /** Per loop (same numbering as the assignment), its nodes in per-step order. */
  readonly loopOrder: readonly (readonly number[])[];
}

/** Order the graph; report loops that depend on each other, also through nodes outside loops.
 *  (Delay-free cycles within one loop lie inside one vertex here: cycles.ts reports those.) */
export function schedule(ctx: Ctx, la: LoopAssignment): Schedule {
  // Groups are numbered in document order of their first node, so group numbers break ties.
  const groupOf = new Int32Array(ctx.nodes.length);
  const groupLoop: number[] = [];
  const groupNode: number[] = [];
  const loopGroup = new Map<number, number>();
  for (const n of ctx.nodes) {
    const k = la.loopOf[n.index]!;
    let g = k === -1 ? undefined : loopGroup.get(k);
    if (g === undefined) {
      g = groupLoop.length;
      groupLoop.push(k);
      groupNode.push(n.index);
      if (k !== -1) loopGroup.set(k, g);
    }
    groupOf[n.index] = g;
  }
  const all: Arc[][] = groupLoop.map(() => []);
  for (const e of ctx.edges) {
    const a = groupOf[e.from]!;
    const b = groupOf[e.to]!;
    if (e.recurrent || a === b) continue;
    all[a]!.push({ to: b, edge: e.index });
  }
  reportLoopCycles(ctx, la, all, groupLoop, groupNode);

  const loopOrder = la.loops.map((l) => perStepOrder(ctx, l.members));
  const order: number[] = [];
  for (const g of smallestFirstTopoOrder(all).order) {
    const k = groupLoop[g]!;
    if (k === -1) order.push(groupNode[g]!);
    else order.push(...loopOrder[k]!);
  }
  return { order, loopOrder };
}

/** The members of one loop in an order that respects its within-step edges (delay inputs cut). */
function perStepOrder(ctx: Ctx, members: readonly number[]): readonly number[] {
  const local = new Map<number, number>();
  members.forEach((m, i) => local.set(m, i));
  const succ: Arc[][] = members.map(() => []);
  members.forEach((m, i) => {
    for (const e of ctx.outgoing[m]!) {
      const j = local.get(e.to);
      if (!e.recurrent && j !== undefined) succ[i]!.push({ to: j, edge: e.index });
    }
  });
  return smallestFirstTopoOrder(succ).order.map((i) => members[i]!);
}

function reportLoopCycles(ctx: Ctx, la: LoopAssignment, succ: readonly Arc[][], groupLoop: readonly number[], groupNode: readonly number[]): void {
  const { comp, count } = stronglyConnected(succ);
  const sizes = componentSizes(comp, count);
  const done = new Uint8Array(count);
  const loopName = (k: number): string => (la.loops[k]!.implicit ? 'the implicit loop' : `loop ${la.loops[k]!.id}`);
  const name = (g: number): string => (groupLoop[g] === -1 ? ctx.nodes[groupNode[g]!]!.id : loopName(groupLoop[g]!));
  for (let g = 0; g < succ.length; g++) {
    const c = comp[g]!;
    if (sizes[c]! < 2 || done[c] === 1) continue;
    done[c] = 1;
    const cycle = shortestCycleThrough(succ, comp, g);
    if (cycle === undefined) continue;
    const loops: number[] = [];
    for (let h = 0; h < succ.length; h++) if (comp[h] === c && groupLoop[h] !== -1) loops.push(groupLoop[h]!);
    if (loops.length === 0) continue; // only outside nodes: a delay-free cycle, reported already
    const wires = cycle.edges.map((k) => ctx.edgeAt[k]!);
    const who = loops.length > 1 ? `loops ${loops.map((k) => la.loops[k]!.id).join(', ')} depend on each other` : `${loopName(loops[0]!)} depends on its own result`;
    // A delay's init looks like a way round, but it is read before its loop's first step.
    const init = wires.find((e) => ctx.nodes[e.to]!.type === 'delay' && e.toPort === 'init');
    const initNote = init !== undefined ? `; ${toEndpoint(ctx, init)} is read before the first step of its loop, so it can only take a value computed before that loop starts` : '';
    const path = [...cycle.vertices, cycle.vertices[0]!].map(name).join(' → ');
    const via = wires.map((e) => `${fromEndpoint(ctx, e)} → ${toEndpoint(ctx, e)}`).join(', ');
    const nodes: string[] = [];
    for (const e of wires) for (const i of [e.from, e.to]) if (!nodes.includes(ctx.nodes[i]!.id)) nodes.push(ctx.nodes[i]!.id);
    const first = la.loops[loops[0]!];
    ctx.errors.push(
      unrollError('E212', `${who}: ${path} (through ${via}); a loop runs to its end before anything outside it reads its result, so data may only flow from a loop into what comes after it${initNote}`, {
        ...(first?.declIndex !== undefined ? { path: loopPath(first.declIndex) } : {}),
        nodes,
        edges: cycle.edges,
      }),
    );
  }
}
