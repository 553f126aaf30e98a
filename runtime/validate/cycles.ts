/**
 * Delay-free cycles (E202). Edges into a delay's `in` port carry a value to the next step, so they
 * are cut; any cycle left cannot be computed and is reported with the nodes on one actual cycle.
 */
import { unrollError } from '../errors/catalogue.ts';
import { edgePath, fromEndpoint, toEndpoint, type Ctx } from './context.ts';
import { componentSizes, onCycle, shortestCycleThrough, stronglyConnected, type Arc, type Succ } from './graph-algo.ts';

/** The node graph with recurrent edges cut: vertex = node index. */
export function cutGraph(ctx: Ctx): Succ {
  const succ: Arc[][] = ctx.nodes.map(() => []);
  for (const e of ctx.edges) if (!e.recurrent) succ[e.from]!.push({ to: e.to, edge: e.index });
  return succ;
}

/**
 * Report one cycle per strongly connected component that has one (its shortest cycle through its
 * first node in document order). Marks every node of such a component broken and returns them.
 */
export function findDelayFreeCycles(ctx: Ctx, succ: Succ): Uint8Array {
  const { comp, count } = stronglyConnected(succ);
  const sizes = componentSizes(comp, count);
  const cyclic = new Uint8Array(ctx.nodes.length);
  const reported = new Uint8Array(count);
  for (let v = 0; v < ctx.nodes.length; v++) {
    if (!onCycle(succ, comp, sizes, v)) continue;
    cyclic[v] = 1;
    ctx.broken[v] = 1;
    const c = comp[v]!;
    if (reported[c] === 1) continue;
    reported[c] = 1;
    // v is the component's first node in document order: the cycle is reported starting there.
    const cycle = shortestCycleThrough(succ, comp, v);
    if (cycle === undefined) continue;
    const ids = cycle.vertices.map((i) => ctx.nodes[i]!.id);
    const ports = cycle.edges.flatMap((k) => {
      const e = ctx.edgeAt[k]!;
      return [fromEndpoint(ctx, e), toEndpoint(ctx, e)];
    });
    ctx.errors.push(
      unrollError('E202', `${[...ids, ids[0]].join(' → ')}: a cycle must pass through a delay (z⁻¹); put a delay on one of its edges`, {
        path: edgePath(cycle.edges[0]!),
        nodes: ids,
        ports,
        edges: cycle.edges,
      }),
    );
  }
  return cyclic;
}
