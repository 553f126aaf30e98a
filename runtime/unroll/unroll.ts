/**
 * Unrolling a validated graph for concrete lengths into a DAG of node copies that share weights.
 */
import { unrollError, type Result } from '../errors/catalogue.ts';
import type { GraphAnalysis } from '../validate/types.ts';
import { planLengths } from './lengths.ts';
import { copyKey, positionOf, SourceResolver, type LoopShape } from './sources.ts';
import type { UnrolledGraph, UnrolledLoop, UnrolledNode, WeightRef } from './types.ts';
import { progress } from '../progress.ts';

/**
 * Unroll `a` for `lengths` (by axis: a sequence source's axis id). Pure and deterministic.
 *
 * - E303 unless `a.ok`. Every axis a sequence source or an `over` loop uses needs a length (E300),
 *   a whole number from 1 to MAX_LENGTH (E301); `steps` loops use their own count, and a length
 *   for any other key, a `steps` loop's axis included, is refused (E304). The number of
 *   copies, Σ loop length × loop size + nodes outside loops, is checked against
 *   MAX_UNROLLED_NODES (E302) before anything is built.
 * - Loops come in dependency order. A looped node becomes copies `id@t`, t the processing step
 *   (position t in a forward loop, T-1-t in a reverse one); a node outside loops keeps its id.
 * - Inputs: a copy of the same step as `{kind: 'node'}`; a sequence source sliced into a loop as
 *   `{kind: 'slice', index: position}`; a delay's `in` at step t > 0 is its source's copy at t-1,
 *   at step 0 the source of its `init` port if wired (the `init` port itself is then not an input
 *   of the copies), else `{kind: 'init'}` with the delay's shared learned weight if any. An edge
 *   leaving a loop: take "last" is the last step's copy, "all" a `{kind: 'stack'}` in position
 *   order, or, sliced into a loop over the same axis, the copy at that position.
 * - One WeightRef per (node, weight) the node owns; every copy of the node refers to that same
 *   object, and so does every copy of a node that borrows the weight (`analysis.shares`).
 */
export function unrollGraph(a: GraphAnalysis, lengths: Readonly<Record<string, number>>): Result<UnrolledGraph> {
  if (!a.ok) {
    const first = a.errors[0];
    return {
      ok: false,
      errors: [unrollError('E303', `the graph has ${a.errors.length} error${a.errors.length === 1 ? '' : 's'}; fix ${a.errors.length === 1 ? 'it' : 'them'} before unrolling${first !== undefined ? ` (first: ${first.code} ${first.message})` : ''}`)],
    };
  }
  const plan = planLengths(a, lengths);
  if (!plan.ok) return plan;

  const weights = weightRefs(a);
  const shapes = new Map<string, LoopShape>();
  for (const l of a.loops.values()) shapes.set(l.id, { length: plan.value.loops.get(l.id)!, reverse: l.direction === 'reverse' });
  const resolver = new SourceResolver(a, shapes, weights);
  const typeOf = new Map(a.doc.nodes.map((n) => [n.id, n.type]));
  const weightsOf = new Map<string, Readonly<Record<string, WeightRef>>>();
  for (const n of a.doc.nodes) {
    const refs = (a.weights.get(n.id) ?? []).map((w) => [w.name, weights.get(`${n.id}.${w.name}`)!] as const);
    // A borrowed weight (`share`) is the owner's very WeightRef: one key, one tensor, gradients add.
    const borrowed = Object.entries(a.shares.get(n.id) ?? {}).map(([name, key]) => [name, weights.get(key)!] as const);
    weightsOf.set(n.id, Object.freeze(Object.fromEntries([...refs, ...borrowed])));
  }

  const nodes: UnrolledNode[] = [];
  const loops: UnrolledLoop[] = [];
  const done = new Set<string>();
  for (const id of a.order) {
    const loopId = a.nodeLoop.get(id);
    const type = typeOf.get(id)!;
    if (loopId === undefined) {
      nodes.push({ key: id, node: id, type, inputs: resolver.inputs(id, type, undefined, 0), weights: weightsOf.get(id)! });
      continue;
    }
    if (done.has(loopId)) continue;
    done.add(loopId);
    const info = a.loops.get(loopId)!;
    const shape = shapes.get(loopId)!;
    loops.push({ id: loopId, length: shape.length, direction: info.direction, nodes: info.nodes });
    // Whole steps one after another: a delay's copy at t reads step t-1, emitted before it.
    for (let t = 0; t < shape.length; t++) {
      progress();
      const position = positionOf(shape, t);
      for (const n of info.nodes) {
        const nType = typeOf.get(n)!;
        nodes.push({ key: copyKey(n, t), node: n, type: nType, loop: loopId, step: t, position, inputs: resolver.inputs(n, nType, loopId, t), weights: weightsOf.get(n)! });
      }
    }
  }
  // Loops without nodes (a warning, not an error) still report their length.
  for (const l of a.loops.values()) {
    if (!done.has(l.id)) loops.push({ id: l.id, length: shapes.get(l.id)!.length, direction: l.direction, nodes: l.nodes });
  }
  return { ok: true, value: { lengths: Object.fromEntries(plan.value.axes), loops, nodes, weights } };
}

/** Exactly one frozen WeightRef per (node, weight), keyed `<nodeId>.<weightName>`, in document order. */
function weightRefs(a: GraphAnalysis): ReadonlyMap<string, WeightRef> {
  const refs = new Map<string, WeightRef>();
  for (const n of a.doc.nodes) {
    for (const w of a.weights.get(n.id) ?? []) {
      const key = `${n.id}.${w.name}`;
      refs.set(key, Object.freeze({ key, node: n.id, name: w.name, shape: w.shape, init: w.init }));
    }
  }
  return refs;
}
