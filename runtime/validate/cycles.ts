/**
 * Delay-free cycles (E202). Edges into a delay's `in` port carry a value to the next step, so they
 * are cut; any cycle left within one loop (or among nodes outside every loop) cannot be computed
 * and is reported with the nodes on one actual cycle. A cycle that passes through several loops,
 * or through a loop and nodes outside it, is a loop that depends on its own result: no delay can
 * fix it, and the schedule reports it (E212), so edges between loops are left out here.
 */
import { unrollError } from '../errors/catalogue.ts';
import { edgePath, fromEndpoint, toEndpoint, type Ctx, type EdgeRec } from './context.ts';
import { componentSizes, onCycle, shortestCycleThrough, stronglyConnected, type Arc, type Succ } from './graph-algo.ts';
import type { LoopAssignment } from './loops.ts';

/** The node graph with recurrent edges and edges between loops cut: vertex = node index. */
export function cutGraph(ctx: Ctx, la: LoopAssignment): Succ {
  const succ: Arc[][] = ctx.nodes.map(() => []);
  for (const e of ctx.edges) {
    if (!e.recurrent && la.loopOf[e.from] === la.loopOf[e.to]) succ[e.from]!.push({ to: e.to, edge: e.index });
  }
  return succ;
}

/** An edge into a delay's `init` port: it looks like a delay on the cycle, but is read within the step. */
const intoInit = (ctx: Ctx, e: EdgeRec): boolean => ctx.nodes[e.to]!.type === 'delay' && e.toPort === 'init';

/**
 * Report one cycle per strongly connected component that has one (its shortest cycle through its
 * first node in document order). Marks every node of such a component broken.
 */
export function findDelayFreeCycles(ctx: Ctx, succ: Succ): void {
  const { comp, count } = stronglyConnected(succ);
  const sizes = componentSizes(comp, count);
  const reported = new Uint8Array(count);
  for (let v = 0; v < ctx.nodes.length; v++) {
    if (!onCycle(succ, comp, sizes, v)) continue;
    ctx.broken[v] = 1;
    const c = comp[v]!;
    if (reported[c] === 1) continue;
    reported[c] = 1;
    // v is the component's first node in document order: the cycle is reported starting there.
    const cycle = shortestCycleThrough(succ, comp, v);
    if (cycle === undefined) continue;
    const ids = cycle.vertices.map((i) => ctx.nodes[i]!.id);
    const wires = cycle.edges.map((k) => ctx.edgeAt[k]!);
    const ports = wires.flatMap((e) => [fromEndpoint(ctx, e), toEndpoint(ctx, e)]);
    const init = wires.find((e) => intoInit(ctx, e));
    // Wiring into init is the likely slip: say why it does not count and where the wire belongs.
    const advice =
      init !== undefined
        ? `a cycle must pass through a delay's in port; this one passes through ${toEndpoint(ctx, init)}, but a delay's init port does not break a cycle (only its in port does): wire ${fromEndpoint(ctx, init)} to ${ctx.nodes[init.to]!.id}.in instead`
        : 'a cycle must pass through a delay (z⁻¹); put a delay on one of its edges';
    ctx.errors.push(
      unrollError('E202', `${[...ids, ids[0]].join(' → ')}: ${advice}`, {
        path: edgePath(cycle.edges[0]!),
        nodes: ids,
        ports,
        edges: cycle.edges,
      }),
    );
  }
}
