/**
 * Common subexpressions, computed once: two ops with the same kind, inputs and attributes give the
 * same value, so the second is dropped and its readers read the first. Block forwards are written
 * per step, so a projection of a whole sequence (additive attention's W_k·keys) would otherwise be
 * recomputed at every step — T² work instead of T.
 */
import type { OpNode } from '../../blocks/ops.ts';
import type { LoweredGraph } from './types.ts';

/** `lowered` with duplicate ops merged and every reference renumbered; ops stay in a valid order. */
export function dedupeOps(lowered: LoweredGraph): LoweredGraph {
  const newId = new Array<number>(lowered.ops.length);
  const byKey = new Map<string, number>();
  const ops: OpNode[] = [];
  for (const n of lowered.ops) {
    const inputs = n.inputs.map((i) => newId[i]!);
    // Sources are distinct by construction; a truncation cut must stay its own op.
    const unique = n.op === 'input' || n.op === 'weight' || lowered.detached.has(n.id);
    const key = unique ? undefined : `${n.op}|${inputs.join(',')}|${JSON.stringify(n.attrs)}|${n.batched ? 1 : 0}`;
    const hit = key !== undefined ? byKey.get(key) : undefined;
    if (hit !== undefined) {
      newId[n.id] = hit;
      continue;
    }
    const id = ops.length;
    ops.push({ ...n, id, inputs });
    newId[n.id] = id;
    if (key !== undefined) byKey.set(key, id);
  }
  if (ops.length === lowered.ops.length) return lowered;
  const re = (i: number): number => newId[i]!;
  return {
    ops,
    feeds: lowered.feeds.map((f) => ({ ...f, sym: re(f.sym) })),
    weights: new Map([...lowered.weights].map(([k, s]) => [k, re(s)])),
    losses: lowered.losses.map(re),
    detached: new Set([...lowered.detached].map(re)),
    predictions: lowered.predictions.map((p) => ({ ...p, syms: p.syms.map(re) })),
    states: lowered.states.map((s) => ({ ...s, syms: s.syms.map(re) })),
    gates: lowered.gates.map((g) => ({ ...g, syms: g.syms.map(re) })),
    outputs: new Map([...lowered.outputs].map(([k, s]) => [k, re(s)])),
  };
}
