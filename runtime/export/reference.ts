/**
 * Unroll's own outputs for an exported model's inputs, the numbers the ONNX and PyTorch exports
 * are checked against: the CPU backend's compiled forward pass (`Model.pass`, float32, every
 * output kept), read out as the exported outputs (`<node>.<port>`, `[B, T, …]` for `take: all`).
 */
import { Model } from '../train/model.ts';
import { Rng } from '../train/prng.ts';
import type { FeedData, SourceData } from '../train/pass.ts';
import type { GraphAnalysis } from '../validate/types.ts';
import type { Result } from '../errors/catalogue.ts';
import type { ExportOutput } from './outputs.ts';

/** Data of one source for every example: row-major `[B, (T,) …element]`. */
export interface SourceTensor {
  readonly dtype: 'int' | 'float';
  readonly shape: readonly number[];
  readonly data: Float64Array;
}

/** Random, valid data for every source of `a` (token ids below their vocab, normal floats). */
export function randomInputs(a: GraphAnalysis, lengths: Readonly<Record<string, number>>, batch: number, seed: number): Map<string, SourceTensor> {
  const rng = new Rng(seed);
  const out = new Map<string, SourceTensor>();
  for (const n of a.doc.nodes) {
    if (n.type !== 'input' && n.type !== 'target') continue;
    const t = a.outputTypes.get(`${n.id}.out`)!;
    const shape = [batch, ...(t.seq !== undefined ? [lengths[t.seq]!] : []), ...t.shape];
    const data = new Float64Array(shape.reduce((x, y) => x * y, 1));
    for (let i = 0; i < data.length; i++) data[i] = t.dtype === 'int' ? rng.int(t.vocab ?? 1) : rng.normal();
    out.set(n.id, { dtype: t.dtype, shape, data });
  }
  return out;
}

/** One output's values and shape. */
export interface OutputTensor {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

/**
 * Run `model` (weights set) on `inputs` with every axis full length; the exported outputs and
 * each loss node's per-example loss (when the graph has losses and their targets are given).
 */
export function referenceOutputs(
  model: Model,
  inputs: ReadonlyMap<string, SourceTensor>,
  lengths: Readonly<Record<string, number>>,
  outputs: readonly ExportOutput[],
): Result<{ outputs: Map<string, OutputTensor>; losses: Map<string, Float32Array> }> {
  const a = model.analysis;
  const batch = [...inputs.values()][0]?.shape[0] ?? 1;
  const sources = new Map<string, SourceData>();
  for (const [id, s] of inputs) {
    const seq = a.outputTypes.get(`${id}.out`)?.seq;
    sources.set(id, { values: Float32Array.from(s.data), length: seq !== undefined ? s.shape[1]! : 0 });
  }
  const made = model.pass({ lengths, batch, backward: false, keepOutputs: true });
  if (!made.ok) return made;
  const pass = made.value;
  const feed: FeedData = { size: batch, sources, lengths: new Map() };
  pass.feed(feed, new Rng(0));
  pass.forward(batch);
  const low = pass.plan.lowered;
  const result = new Map<string, OutputTensor>();
  for (const o of outputs) {
    const per = o.shape.reduce((x, y) => x * y, 1);
    const loopId = a.nodeLoop.get(o.node);
    const loop = loopId !== undefined ? a.loops.get(loopId) : undefined;
    const read = (key: string): Float32Array => Float32Array.from(pass.valueOf(low.outputs.get(key)!).subarray(0, batch * per));
    if (loop === undefined) {
      result.set(o.name, { shape: [batch, ...o.shape], data: read(o.name) });
      continue;
    }
    const T = loop.steps ?? pass.lengths[loop.axis]!;
    const stepAt = (p: number): number => (loop.direction === 'reverse' ? T - 1 - p : p);
    if (o.take === 'last') {
      result.set(o.name, { shape: [batch, ...o.shape], data: read(`${o.node}@${T - 1}.${o.port}`) });
      continue;
    }
    const data = new Float32Array(batch * T * per);
    for (let p = 0; p < T; p++) {
      const v = read(`${o.node}@${stepAt(p)}.${o.port}`);
      for (let b = 0; b < batch; b++) data.set(v.subarray(b * per, (b + 1) * per), (b * T + p) * per);
    }
    result.set(o.name, { shape: [batch, T, ...o.shape], data });
  }
  const losses = new Map<string, Float32Array>();
  for (const n of a.doc.nodes) {
    if (n.type !== 'loss') continue;
    const sym = low.outputs.get(`${n.id}.value`);
    if (sym !== undefined) losses.set(n.id, Float32Array.from(pass.valueOf(sym).subarray(0, batch)));
  }
  return { ok: true, value: { outputs: result, losses } };
}

/** Largest absolute and relative difference between two arrays of equal length. */
export function maxError(got: ArrayLike<number>, want: ArrayLike<number>): { abs: number; rel: number } {
  if (got.length !== want.length) return { abs: Infinity, rel: Infinity };
  let abs = 0;
  let rel = 0;
  for (let i = 0; i < got.length; i++) {
    const d = Math.abs(got[i]! - want[i]!);
    if (!(d <= abs)) abs = d; // NaN counts as the largest error
    const r = d / Math.max(Math.abs(want[i]!), 1e-6);
    if (!(r <= rel)) rel = r;
  }
  return { abs, rel };
}
