/**
 * Lengths for unrolling: every axis a sequence source or `over` loop uses needs one (E300),
 * each a whole number from 1 to MAX_LENGTH (E301), and no other key may be given (E304: a typo,
 * or a `steps` loop, whose length is fixed in the file). The copies they give are counted and
 * refused above MAX_UNROLLED_NODES (E302) before anything is built.
 */
import { unrollError, type Result, type UnrollError } from '../errors/catalogue.ts';
import { jsonPath } from '../graph/types.ts';
import type { GraphAnalysis } from '../validate/types.ts';
import { MAX_LENGTH, MAX_UNROLLED_NODES } from './types.ts';

export interface LengthPlan {
  /** Length of every axis used: sequence axes and the axes of `steps` loops. */
  readonly axes: ReadonlyMap<string, number>;
  /** Steps of every loop, by loop id. */
  readonly loops: ReadonlyMap<string, number>;
  /** Node copies the unrolled graph will have. */
  readonly count: number;
}

const isLength = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= MAX_LENGTH;

/** A length as given: numbers plainly, anything else as JSON, so that `"3"` reads as a string. */
const showLength = (v: unknown): string => (typeof v === 'number' ? String(v) : (JSON.stringify(v) ?? String(v)));

/** `1234567` → `1,234,567`, the same in every locale. */
const groupDigits = (n: number): string => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');

/** Check `lengths` against what the graph needs and count the copies. */
export function planLengths(a: GraphAnalysis, lengths: Readonly<Record<string, number>>): Result<LengthPlan> {
  const errors: UnrollError[] = [];
  const needed = [...a.axes];
  for (const l of a.loops.values()) if (l.steps === undefined && !needed.includes(l.axis)) needed.push(l.axis);
  const axes = new Map<string, number>();
  for (const axis of needed) {
    const users = sequenceUsers(a, axis);
    if (!Object.hasOwn(lengths, axis)) {
      errors.push(unrollError('E300', `no length given for sequence ${axis} (${users}); give one, e.g. ${axis}=10`));
    } else if (!isLength(lengths[axis])) {
      errors.push(unrollError('E301', `the length of ${axis} is ${showLength(lengths[axis])}; a length is a whole number from 1 to ${groupDigits(MAX_LENGTH)}`));
    } else axes.set(axis, lengths[axis]!);
  }
  for (const key of Object.keys(lengths)) {
    if (needed.includes(key)) continue;
    const fixed = [...a.loops.values()].find((l) => l.steps !== undefined && l.axis === key);
    const why = fixed !== undefined ? `${key} is loop ${fixed.id}'s axis, which runs the ${fixed.steps} steps the file gives` : `the graph has no axis ${key}`;
    const takes = needed.length > 0 ? `the axes that take lengths are ${needed.join(', ')}` : 'this graph takes no lengths';
    errors.push(unrollError('E304', `a length is given for ${key}, but ${why}: ${takes}`));
  }
  const loops = new Map<string, number>();
  for (const l of a.loops.values()) {
    if (l.steps === undefined) {
      const n = axes.get(l.axis);
      if (n !== undefined) loops.set(l.id, n);
    } else if (!isLength(l.steps)) {
      const k = (a.doc.loops ?? []).findIndex((d) => d.id === l.id);
      errors.push(
        unrollError('E301', `loop ${l.id} has ${l.steps} steps; a loop runs a whole number of steps from 1 to ${groupDigits(MAX_LENGTH)}`, {
          ...(k >= 0 ? { path: jsonPath(['loops', k, 'steps']) } : {}),
        }),
      );
    } else {
      loops.set(l.id, l.steps);
      axes.set(l.axis, l.steps);
    }
  }
  if (errors.length > 0) return { ok: false, errors };

  let count = 0;
  for (const id of a.nodeLoop.values()) if (id === undefined) count++;
  for (const l of a.loops.values()) count += loops.get(l.id)! * l.nodes.length;
  if (count > MAX_UNROLLED_NODES) {
    const per = [...a.loops.values()].map((l) => `loop ${l.id}: ${l.nodes.length} nodes × ${loops.get(l.id)} steps`).join(', ');
    return {
      ok: false,
      errors: [
        unrollError('E302', `unrolling gives ${groupDigits(count)} node copies (${per}), more than the ${groupDigits(MAX_UNROLLED_NODES)} Unroll builds: use shorter sequences or fewer steps`),
      ],
    };
  }
  return { ok: true, value: { axes, loops, count } };
}

/** "carried by x, y; read by loop enc": who needs an axis, for messages. */
function sequenceUsers(a: GraphAnalysis, axis: string): string {
  const sources = a.doc.nodes.filter((n) => (n.type === 'input' || n.type === 'target') && a.outputTypes.get(`${n.id}.out`)?.seq === axis).map((n) => n.id);
  const loops = [...a.loops.values()].filter((l) => l.steps === undefined && l.axis === axis).map((l) => (l.implicit ? 'the implicit loop' : `loop ${l.id}`));
  const parts = [...(sources.length > 0 ? [`carried by ${sources.join(', ')}`] : []), ...(loops.length > 0 ? [`run over by ${loops.join(', ')}`] : [])];
  return parts.join('; ');
}
