/**
 * The loops a graph runs: the declared ones, or the one implicit loop of a graph that declares
 * none, and which loop every node belongs to.
 */
import type { Direction } from '../graph/types.ts';
import { unrollError } from '../errors/catalogue.ts';
import { IMPLICIT_LOOP_ID } from './types.ts';
import { loopPath, nodePath, type Ctx, type NodeRec } from './context.ts';
import { article, isSequenceSource, isSource, type SourceAxes } from './sources.ts';

export interface LoopRec {
  readonly id: string;
  /** Position in `doc.loops`; undefined for the implicit loop. */
  readonly declIndex: number | undefined;
  /** Undefined when the loop runs over something that is not a sequence source (reported). */
  readonly axis: string | undefined;
  readonly steps: number | undefined;
  readonly direction: Direction;
  readonly implicit: boolean;
  /** Member node indices in document order. */
  readonly members: readonly number[];
}

export interface LoopAssignment {
  readonly loops: readonly LoopRec[];
  /** Loop number (index into `loops`) of every node by node index; -1 outside loops. */
  readonly loopOf: Int32Array;
}

/**
 * Declared loops as given; with none declared and at least one sequence input, one implicit
 * forward loop over the first sequence input holding every node but sources and losses.
 * Sources and losses sit outside loops: one given a `loop` is an error (E216) and is treated as
 * outside (a sequence source feeds a loop over its axis from outside, sliced step by step).
 */
export function assignLoops(ctx: Ctx, sources: SourceAxes): LoopAssignment {
  const declared = ctx.doc.loops ?? [];
  const loopOf = new Int32Array(ctx.nodes.length).fill(-1);
  for (const n of ctx.nodes) if (n.declaredLoop !== undefined && isSource(n)) sourceInLoop(ctx, n);
  if (declared.length === 0) return implicitLoop(ctx, sources, loopOf);

  const byId = new Map<string, number>();
  const specs = declared.map((l, k) => {
    if (!byId.has(l.id)) byId.set(l.id, k);
    return { ...loopSpec(ctx, sources, k), members: [] as number[] };
  });
  for (const n of ctx.nodes) {
    if (n.declaredLoop === undefined || isSource(n)) continue;
    const k = byId.get(n.declaredLoop);
    if (k === undefined) {
      ctx.errors.push(unrollError('E120', `node ${n.id} is in loop ${n.declaredLoop}, which the graph does not declare`, { path: nodePath(n.index, 'loop'), nodes: [n.id] }));
      ctx.broken[n.index] = 1;
    } else if (n.type === 'loss') {
      ctx.errors.push(
        unrollError('E216', `loss ${n.id} is inside loop ${n.declaredLoop}: a loss sits outside loops and reads the sequence with take "all" (every step) or "last"`, {
          path: nodePath(n.index, 'loop'),
          nodes: [n.id],
        }),
      );
      ctx.broken[n.index] = 1;
    } else {
      loopOf[n.index] = k;
      specs[k]!.members.push(n.index);
    }
  }
  specs.forEach((s, k) => {
    if (s.members.length === 0) ctx.warnings.push(unrollError('E217', `loop ${s.id} has no nodes`, { path: loopPath(k) }));
    // Nodes of a loop without an axis cannot be typed; the loop's own error says why.
    if (s.axis === undefined) for (const i of s.members) ctx.broken[i] = 1;
  });
  return { loops: specs, loopOf };
}

/** E216 for a source given a `loop`, whether or not that loop exists: the fix is the same. */
function sourceInLoop(ctx: Ctx, n: NodeRec): void {
  ctx.errors.push(
    unrollError('E216', `${n.type} ${n.id} is inside loop ${n.declaredLoop}: sources feed loops from outside (a loop over a sequence reads it one step at a time); remove its loop`, {
      path: nodePath(n.index, 'loop'),
      nodes: [n.id],
    }),
  );
  ctx.broken[n.index] = 1;
}

/** Axis, length and direction of declared loop k (E206 for `over` something that is not a sequence source). */
function loopSpec(ctx: Ctx, sources: SourceAxes, k: number): Omit<LoopRec, 'members'> {
  const l = ctx.doc.loops![k]!;
  const direction = l.direction ?? 'forward';
  const base = { id: l.id, declIndex: k, direction, implicit: false };
  if ('over' in l && typeof l.over === 'string') {
    const i = ctx.byId.get(l.over);
    const axis = i !== undefined ? sources.axisOf[i] : undefined;
    if (axis === undefined) {
      const n = i !== undefined ? ctx.nodes[i]! : undefined;
      const what = n === undefined ? 'no node has that id' : isSource(n) ? `${n.type} ${n.id} has sequence off` : `${n.id} is ${article(n.type)} ${n.type} node`;
      ctx.errors.push(
        unrollError('E206', `loop ${l.id} runs over "${l.over}", but ${what}: a loop runs over a sequence input or target, or a fixed number of steps`, {
          path: loopPath(k, 'over'),
          nodes: n !== undefined ? [n.id] : [],
        }),
      );
    }
    return { ...base, axis, steps: undefined };
  }
  const steps = 'steps' in l && typeof l.steps === 'number' ? l.steps : undefined;
  if (steps === undefined) {
    ctx.errors.push(unrollError('E121', `loop ${l.id} must give exactly one of over and steps`, { path: loopPath(k) }));
    return { ...base, axis: undefined, steps: undefined };
  }
  // A fixed loop's axis is its own id; it must not be mistaken for a source's axis.
  if (sources.axes.includes(l.id)) {
    ctx.errors.push(
      unrollError('E112', `loop ${l.id} has the id of the sequence axis ${l.id}: a steps loop's id names its own time axis, so rename the loop`, {
        path: loopPath(k, 'id'),
        nodes: [l.id],
      }),
    );
    return { ...base, axis: undefined, steps };
  }
  return { ...base, axis: l.id, steps };
}

function implicitLoop(ctx: Ctx, sources: SourceAxes, loopOf: Int32Array): LoopAssignment {
  for (const n of ctx.nodes) {
    if (n.declaredLoop !== undefined && !isSource(n)) {
      ctx.errors.push(unrollError('E120', `node ${n.id} is in loop ${n.declaredLoop}, but the graph declares no loops`, { path: nodePath(n.index, 'loop'), nodes: [n.id] }));
      ctx.broken[n.index] = 1;
    }
  }
  const over = ctx.nodes.find((n) => n.type === 'input' && isSequenceSource(n));
  if (over === undefined) return { loops: [], loopOf };
  const members = ctx.nodes.filter((n) => n.type !== 'input' && n.type !== 'target' && n.type !== 'loss').map((n) => n.index);
  for (const i of members) loopOf[i] = 0;
  const loop: LoopRec = {
    id: IMPLICIT_LOOP_ID,
    declIndex: undefined,
    axis: sources.axisOf[over.index],
    steps: undefined,
    direction: 'forward',
    implicit: true,
    members,
  };
  return { loops: [loop], loopOf };
}
