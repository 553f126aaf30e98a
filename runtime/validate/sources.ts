/**
 * Sources (`input`, `target`) and their time axes. A sequence source runs along its own axis,
 * except that a decoder input (`teacher` or `feedback` set) carries a target shifted by one step,
 * so it shares that target's axis, and a source with `align_with` shares the named source's axis.
 */
import { formatType, sameType } from '../../blocks/shape.ts';
import type { ValueType } from '../../blocks/types.ts';
import { unrollError } from '../errors/catalogue.ts';
import { nodePath, type Ctx, type NodeRec } from './context.ts';

export const isSource = (n: NodeRec): boolean => n.block !== undefined && (n.type === 'input' || n.type === 'target');
/** A source with `sequence` on (the default). */
export const isSequenceSource = (n: NodeRec): boolean => isSource(n) && n.params.sequence !== false;

export interface SourceAxes {
  /** Axis of every sequence source, by node index; undefined for every other node. */
  readonly axisOf: readonly (string | undefined)[];
  /** The distinct axes of the sequence sources, in document order of the first source on each. */
  readonly axes: readonly string[];
  /** Targets some input carries as its teacher (used, even without wires of their own). */
  readonly teachers: ReadonlySet<number>;
}

/** Resolve every source's axis; report bad `teacher`, `feedback` and `align_with` references. */
export function resolveSourceAxes(ctx: Ctx): SourceAxes {
  const teacherOf = ctx.nodes.map((n) => (n.type === 'input' && n.block !== undefined ? resolveTeacher(ctx, n) : undefined));
  const alignOf = ctx.nodes.map((n) => (isSequenceSource(n) ? resolveAlign(ctx, n) : undefined));
  const axisOf: (string | undefined)[] = ctx.nodes.map(() => undefined);
  for (const n of ctx.nodes) {
    if (!isSequenceSource(n) || axisOf[n.index] !== undefined) continue;
    followAxis(ctx, n.index, (i) => teacherOf[i] ?? alignOf[i], axisOf);
  }
  // A decoder input that also sets align_with must agree with its teacher.
  for (const n of ctx.nodes) {
    const t = teacherOf[n.index];
    const a = alignOf[n.index];
    if (t !== undefined && a !== undefined && axisOf[t] !== axisOf[a]) {
      ctx.errors.push(
        unrollError('E215', `input ${n.id} carries target ${ctx.nodes[t]!.id} shifted by one step, so it cannot also run along ${ctx.nodes[a]!.id}: remove align_with`, {
          path: nodePath(n.index, 'params', 'align_with'),
          nodes: [n.id, ctx.nodes[a]!.id],
        }),
      );
      ctx.broken[n.index] = 1;
    }
  }
  const axes: string[] = [];
  for (const axis of axisOf) if (axis !== undefined && !axes.includes(axis)) axes.push(axis);
  const teachers = new Set<number>();
  for (const t of teacherOf) if (t !== undefined) teachers.add(t);
  return { axisOf, axes, teachers };
}

/**
 * Follow `ref` from `start` to a source that refers to no other, and give every source on the way
 * that source's id as axis. A chain that comes back on itself is reported; its sources keep their ids.
 */
function followAxis(ctx: Ctx, start: number, ref: (i: number) => number | undefined, axisOf: (string | undefined)[]): void {
  const chain: number[] = [];
  const onChain = new Set<number>();
  let cur = start;
  for (;;) {
    if (axisOf[cur] !== undefined) break;
    if (onChain.has(cur)) {
      const names = chain.map((i) => ctx.nodes[i]!.id);
      ctx.errors.push(
        unrollError('E215', `sources ${names.join(' → ')} → ${ctx.nodes[cur]!.id} name each other (align_with / teacher): one of them must run along its own axis`, {
          path: nodePath(start, 'params', 'align_with'),
          nodes: names,
        }),
      );
      for (const i of chain) {
        axisOf[i] = ctx.nodes[i]!.id;
        ctx.broken[i] = 1;
      }
      return;
    }
    chain.push(cur);
    onChain.add(cur);
    const next = ref(cur);
    if (next === undefined) break;
    cur = next;
  }
  const axis = axisOf[cur] ?? ctx.nodes[cur]!.id;
  for (const i of chain) axisOf[i] = axis;
}

/** The sequence source `align_with` names, or undefined (reported when it names something else). */
function resolveAlign(ctx: Ctx, n: NodeRec): number | undefined {
  const ref = n.params.align_with;
  if (typeof ref !== 'string') return undefined;
  const i = ctx.byId.get(ref);
  if (i === undefined || !isSequenceSource(ctx.nodes[i]!) || i === n.index) {
    const what = i === undefined ? 'does not exist' : i === n.index ? 'is the node itself' : 'is not a sequence input or target';
    ctx.errors.push(
      unrollError('E215', `${n.type} ${n.id} has align_with "${ref}", which ${what}: align_with names another sequence source`, {
        path: nodePath(n.index, 'params', 'align_with'),
        nodes: i === undefined ? [n.id] : [n.id, ref],
      }),
    );
    ctx.broken[n.index] = 1;
    return undefined;
  }
  return i;
}

/**
 * The target a decoder input carries shifted by one step: `teacher` when set, else inferred from
 * `feedback`. Reports (E215) an input with sequence off, a teacher that is not a sequence target
 * and a feedback whose teacher cannot be found, and (E200) a teacher whose element type is not the
 * input's. What the feedback node produces is checked once loops and types are known (feedback.ts).
 */
function resolveTeacher(ctx: Ctx, n: NodeRec): number | undefined {
  const teacher = typeof n.params.teacher === 'string' ? n.params.teacher : undefined;
  const feedback = typeof n.params.feedback === 'string' ? n.params.feedback : undefined;
  if (teacher === undefined && feedback === undefined) return undefined;
  const fail = (message: string, param: string, nodes: readonly string[]): undefined => {
    ctx.errors.push(unrollError('E215', message, { path: nodePath(n.index, 'params', param), nodes: [n.id, ...nodes] }));
    ctx.broken[n.index] = 1;
    return undefined;
  };
  // Only a sequence can be shifted by one step; checked first, as every other check assumes one.
  if (n.params.sequence === false) {
    const param = teacher !== undefined ? 'teacher' : 'feedback';
    return fail(
      `input ${n.id} has sequence off but sets ${param} "${teacher ?? feedback}": a decoder input carries the target shifted by one step, and the target shifted by one step is a sequence; turn sequence on or remove ${param}`,
      param,
      [],
    );
  }
  let ti: number | undefined;
  let param: string;
  if (teacher !== undefined) {
    param = 'teacher';
    ti = ctx.byId.get(teacher);
    if (ti === undefined || ctx.nodes[ti]!.type !== 'target') {
      const what = ti === undefined ? 'does not exist' : `is ${article(ctx.nodes[ti]!.type)} ${ctx.nodes[ti]!.type} node`;
      return fail(`input ${n.id} has teacher "${teacher}", which ${what}: teacher names the target this input carries shifted by one step`, param, ti === undefined ? [] : [teacher]);
    }
  } else {
    param = 'feedback';
    const fi = ctx.byId.get(feedback!);
    if (fi === undefined || isSource(ctx.nodes[fi]!)) {
      const what = fi === undefined ? 'does not exist' : `is a source (${ctx.nodes[fi]!.type})`;
      return fail(`input ${n.id} has feedback "${feedback}", which ${what}: feedback names the decoder whose previous prediction this input carries`, param, fi === undefined ? [] : [feedback!]);
    }
    ti = inferTeacher(ctx, fi);
    if (ti === undefined) {
      return fail(
        `cannot tell which target input ${n.id} carries while training: its feedback node ${feedback} reaches no loss whose target port is fed by a target node; set input ${n.id}'s teacher param to that target`,
        param,
        [feedback!],
      );
    }
  }
  const t = ctx.nodes[ti]!;
  if (t.params.sequence === false) {
    return fail(`input ${n.id} is a sequence, but its teacher ${t.id} is not: a decoder input carries a sequence target shifted by one step`, param, [t.id]);
  }
  const mine = elementOf(n);
  const theirs = elementOf(t);
  if (mine !== undefined && theirs !== undefined && !sameType(mine, theirs)) {
    ctx.errors.push(
      unrollError(
        'E200',
        `input ${n.id} carries target ${t.id} shifted by one step, so its element ${formatType(mine)} must be the target's ${formatType(theirs)}: set its kind, vocab and size like ${t.id}'s`,
        { path: nodePath(n.index, 'params', param), nodes: [n.id, t.id], ports: [`${n.id}.out`, `${t.id}.out`] },
      ),
    );
    ctx.broken[n.index] = 1;
  }
  return ti;
}

/** The first target (breadth-first from `start`, edges in document order) read at `loss.target`
 *  by a loss whose `pred` port `start` reaches. */
function inferTeacher(ctx: Ctx, start: number): number | undefined {
  const seen = new Uint8Array(ctx.nodes.length);
  seen[start] = 1;
  const queue = [start];
  for (let head = 0; head < queue.length; head++) {
    for (const e of ctx.outgoing[queue[head]!]!) {
      const v = ctx.nodes[e.to]!;
      if (v.type === 'loss' && e.toPort === 'pred') {
        const wire = ctx.incoming[e.to]!.find((w) => w.toPort === 'target' && ctx.nodes[w.from]!.type === 'target');
        if (wire !== undefined) return wire.from;
      }
      if (seen[e.to] === 0) {
        seen[e.to] = 1;
        queue.push(e.to);
      }
    }
  }
  return undefined;
}

/** One element of a source as its block defines it (undefined if the block refuses, reported later). */
export function elementOf(n: NodeRec): ValueType | undefined {
  try {
    return n.block?.shape({}, n.params).out;
  } catch {
    return undefined;
  }
}

/** "a" or "an" before a block type name. */
export const article = (word: string): string => (/^[aeiou]/i.test(word) ? 'an' : 'a');
