/**
 * Checks on how nodes are wired that need no types: one wire per input port (E204), required
 * ports connected (E203), `take` only where an edge leaves a loop (E208), and delays inside a loop
 * and fed from it (E209, E210).
 */
import { unrollError } from '../errors/catalogue.ts';
import { edgePath, fromEndpoint, nodePath, toEndpoint, type Ctx, type EdgeRec } from './context.ts';
import type { LoopAssignment } from './loops.ts';

/** Whether edge e leaves a loop: its source is in a loop its destination is not in. */
export const leavesLoop = (loopOf: Int32Array, e: EdgeRec): boolean => loopOf[e.from] !== -1 && loopOf[e.from] !== loopOf[e.to];

/** Report the wiring errors of every node and edge; nodes at fault are marked broken. */
export function checkWiring(ctx: Ctx, la: LoopAssignment): void {
  for (const n of ctx.nodes) {
    if (n.block === undefined) continue;
    const wires = ctx.incoming[n.index]!;
    for (const port of n.block.inputs) {
      const into = wires.filter((e) => e.toPort === port.name);
      if (into.length > 1) {
        ctx.errors.push(
          unrollError('E204', `port ${n.id}.${port.name} has ${into.length} wires (from ${into.map((e) => fromEndpoint(ctx, e)).join(', ')}); an input port takes one wire`, {
            path: edgePath(into[1]!.index),
            nodes: [n.id, ...into.map((e) => ctx.nodes[e.from]!.id)],
            ports: [`${n.id}.${port.name}`, ...into.map((e) => fromEndpoint(ctx, e))],
            edges: into.map((e) => e.index),
          }),
        );
        ctx.broken[n.index] = 1;
      } else if (into.length === 0 && port.optional !== true) {
        ctx.errors.push(
          unrollError('E203', `input ${n.id}.${port.name} is not connected; ${n.type} needs it (${port.doc})`, {
            path: nodePath(n.index),
            nodes: [n.id],
            ports: [`${n.id}.${port.name}`],
          }),
        );
        ctx.broken[n.index] = 1;
      }
    }
  }
  for (const e of ctx.edges) {
    if (e.take !== undefined && !leavesLoop(la.loopOf, e)) {
      ctx.errors.push(
        unrollError('E208', `edge ${fromEndpoint(ctx, e)} → ${toEndpoint(ctx, e)} has take "${e.take}", but it leaves no loop: remove take`, {
          path: edgePath(e.index, 'take'),
          nodes: [ctx.nodes[e.from]!.id, ctx.nodes[e.to]!.id],
          edges: [e.index],
        }),
      );
    }
  }
  checkDelays(ctx, la);
}

function checkDelays(ctx: Ctx, la: LoopAssignment): void {
  const loopName = (k: number): string => (k === -1 ? 'outside every loop' : `in loop ${la.loops[k]!.id}`);
  for (const n of ctx.nodes) {
    if (n.type !== 'delay' || n.block === undefined) continue;
    const k = la.loopOf[n.index]!;
    if (k === -1) {
      // A loss or source cannot be in a loop, but a delay outside one has no next step to feed.
      ctx.errors.push(
        unrollError('E209', `delay ${n.id} is outside every loop: a delay hands a value from one step of a loop to the next, so put it in the loop whose state it carries`, {
          path: nodePath(n.index),
          nodes: [n.id],
        }),
      );
      ctx.broken[n.index] = 1;
      continue;
    }
    for (const e of ctx.incoming[n.index]!) {
      if (!e.recurrent || la.loopOf[e.from] === k) continue;
      const src = ctx.nodes[e.from]!;
      ctx.errors.push(
        unrollError(
          'E210',
          `delay ${n.id} (in loop ${la.loops[k]!.id}) is fed from ${fromEndpoint(ctx, e)}, ${loopName(la.loopOf[e.from]!)}: a delay carries a value of its own loop to the next step; to start from another loop's value, wire that to ${n.id}.init`,
          { path: edgePath(e.index), nodes: [n.id, src.id], ports: [fromEndpoint(ctx, e), `${n.id}.in`], edges: [e.index] },
        ),
      );
      ctx.broken[n.index] = 1;
    }
  }
}
