/**
 * Test support for gradient checks through whole models: example graphs shrunk for speed, random
 * batches of the right kind for every source, and analytic gradients (weights and float data)
 * against central differences of the batch-mean objective, in float64.
 */
import { readFileSync } from 'node:fs';
import type { GraphDoc } from '../graph/types.ts';
import { parseGraph } from '../graph/parse.ts';
import type { GraphAnalysis } from '../validate/types.ts';
import type { FloatArray } from '../cpu/kernels/index.ts';
import type { Pass, SourceData } from './pass.ts';
import type { Rng } from './prng.ts';

export const STEP = 1e-5;
export const TOL = 1e-6;

/** |a − n| / max(|a|, |n|, 1e-3). */
export const relErr = (a: number, n: number): number => Math.abs(a - n) / Math.max(Math.abs(a), Math.abs(n), 1e-3);

/** Sizes of the examples mapped to small ones (hidden 64 → 3, vocab 16 → 4, …), consistently per file. */
const SMALL: Readonly<Record<number, number>> = { 64: 3, 32: 3, 16: 4, 12: 5, 40: 5, 8: 3 };

type MutableDoc = { nodes: { id: string; type: string; params?: Record<string, unknown> }[] } & Record<string, unknown>;

/** `examples/<name>.json`, parsed, with its sizes shrunk and `edit` applied to a mutable copy. */
export function loadExample(name: string, edit?: (doc: MutableDoc) => void): GraphDoc {
  const r = parseGraph(readFileSync(new URL(`../../examples/${name}.json`, import.meta.url), 'utf8'));
  if (!r.ok) throw new Error(`${name}: ${r.errors[0]!.message}`);
  const doc = JSON.parse(JSON.stringify(r.value)) as MutableDoc;
  for (const n of doc.nodes) {
    for (const key of ['hidden', 'size', 'vocab']) {
      const v = n.params?.[key];
      if (typeof v === 'number' && SMALL[v] !== undefined) n.params![key] = SMALL[v];
    }
  }
  edit?.(doc);
  return doc as unknown as GraphDoc;
}

/** Set params of node `id` in a mutable copy. */
export function setParams(doc: MutableDoc, id: string, params: Record<string, unknown>): void {
  const n = doc.nodes.find((x) => x.id === id);
  if (n === undefined) throw new Error(`no node ${id}`);
  n.params = { ...n.params, ...params };
}

/** Random data for every source node: ids in range, vectors in [−1, 1], `[B, T, ...element]`. */
export function randomSources(a: GraphAnalysis, lengths: Readonly<Record<string, number>>, B: number, rng: Rng): Map<string, SourceData> {
  const sources = new Map<string, SourceData>();
  for (const n of a.doc.nodes) {
    if (n.type !== 'input' && n.type !== 'target') continue;
    const t = a.outputTypes.get(`${n.id}.out`);
    if (t === undefined) throw new Error(`no type for ${n.id}`);
    const T = t.seq !== undefined ? lengths[t.seq]! : 0;
    const e = t.shape.reduce((x, y) => x * y, 1);
    const values = Array.from({ length: B * Math.max(1, T) * e }, () => (t.dtype === 'int' ? rng.int(t.vocab!) : rng.uniform(-1, 1)));
    sources.set(n.id, { values, length: T });
  }
  return sources;
}

export interface GradReport {
  /** Entries compared. */
  readonly checked: number;
  readonly worst: number;
  /** Weight keys whose analytic gradient is all zero. */
  readonly zeroWeights: readonly string[];
}

/** Up to `k` distinct indices (all when `k` ≥ the size): about two thirds where `grad` is nonzero, the rest anywhere. */
function sample(grad: ArrayLike<number>, k: number, rng: Rng): number[] {
  if (k >= grad.length) return Array.from({ length: grad.length }, (_, i) => i);
  const nonzero: number[] = [];
  for (let i = 0; i < grad.length; i++) if (grad[i] !== 0) nonzero.push(i);
  const pick = new Set<number>();
  rng.shuffle(nonzero);
  for (const i of nonzero.slice(0, Math.ceil((2 * k) / 3))) pick.add(i);
  for (let tries = 0; pick.size < Math.min(k, grad.length) && tries < 100; tries++) pick.add(rng.int(grad.length));
  return [...pick];
}

/**
 * After `pass.feed`: run forward and backward, then compare up to `k` entries of every weight's
 * gradient and of every float data feed's gradient (passes planned with `inputGrads`) with central
 * differences. Throws on the first entry off by more than TOL.
 */
export function checkGradients(
  pass: Pass,
  weights: ReadonlyMap<string, FloatArray>,
  grads: ReadonlyMap<string, FloatArray>,
  rng: Rng,
  k = 6,
): GradReport {
  pass.forward();
  pass.backward();
  const tensors: { what: string; values: FloatArray; offset: number; grad: Float64Array }[] = [];
  const zeroWeights: string[] = [];
  for (const [key, w] of weights) {
    const g = Float64Array.from(grads.get(key)!);
    if (g.every((v) => v === 0)) zeroWeights.push(key);
    tensors.push({ what: `weight ${key}`, values: w, offset: 0, grad: g });
  }
  for (const { feed, ref } of pass.plan.feeds) {
    if (feed.kind !== 'data' || pass.plan.lowered.ops[feed.sym]!.dtype !== 'float') continue;
    const g = pass.inputGrad(feed.sym);
    if (g === undefined) continue; // no gradient reaches it (e.g. a target of an unused loss)
    const { array, offset } = pass.program.view(ref);
    tensors.push({ what: `data ${feed.node}@${feed.position ?? (feed.whole === true ? 'whole' : 'single')}`, values: array, offset, grad: Float64Array.from(g) });
  }
  let checked = 0;
  let worst = 0;
  for (const t of tensors) {
    for (const i of sample(t.grad, k, rng)) {
      const j = t.offset + i;
      const v = t.values[j]!;
      t.values[j] = v + STEP;
      const up = pass.forward();
      t.values[j] = v - STEP;
      const down = pass.forward();
      t.values[j] = v;
      const numeric = (up - down) / (2 * STEP);
      const err = relErr(t.grad[i]!, numeric);
      if (!(err <= TOL)) throw new Error(`${t.what}[${i}]: analytic ${t.grad[i]}, numeric ${numeric} (relative error ${err.toExponential(2)})`);
      worst = Math.max(worst, err);
      checked++;
    }
  }
  return { checked, worst, zeroWeights };
}

/**
 * Attention outside any loop reading a sequence input straight (keys and values): the sequence
 * enters as one whole feed `[T, 3]`; the query is a loop's last encoding of the same input.
 */
export function wholeSequenceGraph(score: string): GraphDoc {
  return {
    format: 'unroll-graph',
    version: 1,
    name: 'attention over a whole input sequence',
    loops: [{ id: 't', over: 'x' }],
    nodes: [
      { id: 'x', type: 'input', params: { kind: 'vector', size: 3 } },
      { id: 'enc', type: 'encoder', params: { kind: 'linear', size: 3 }, loop: 't' },
      { id: 'att', type: 'attention', params: { score, size: 2 } },
      { id: 'dec', type: 'decoder', params: { size: 2 } },
      { id: 'y', type: 'target', params: { kind: 'vector', size: 2, sequence: false } },
      { id: 'loss', type: 'loss', params: { kind: 'mse' } },
    ],
    edges: [
      { from: 'x.out', to: 'enc.in' },
      { from: 'x.out', to: 'att.keys' },
      { from: 'x.out', to: 'att.values' },
      { from: 'enc.out', to: 'att.query', take: 'last' },
      { from: 'att.context', to: 'dec.in' },
      { from: 'dec.out', to: 'loss.pred' },
      { from: 'y.out', to: 'loss.target' },
    ],
  } as GraphDoc;
}
