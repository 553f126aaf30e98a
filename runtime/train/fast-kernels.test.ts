/**
 * Whole models on the fast kernels (WebAssembly SIMD, float32) against the reference kernels:
 * every example graph at its full size (hidden sizes that are multiples of four, so the fused
 * cells and pointwise kernels take the SIMD path) and shrunk (odd sizes, so they fall back), with
 * a ragged batch. The loss and every weight and input gradient must match the float32 reference
 * and the float64 reference (whose gradients the gradient checks prove) to float32 rounding;
 * and the fast path must be deterministic, bit for bit, as checkpoint/restore relies on.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { GraphDoc } from '../graph/types.ts';
import { parseGraph } from '../graph/parse.ts';
import { analyzeGraph } from '../validate/validate.ts';
import type { CellLowering } from '../compile/types.ts';
import { cpuKernels, setCpuKernels, type CpuKernels } from '../cpu/kernel-mode.ts';
import type { DType } from '../cpu/program.ts';
import { Model } from './model.ts';
import { Rng } from './prng.ts';
import { loadExample, randomSources } from './gradcheck-support.ts';

const B = 3;

function fullExample(name: string): GraphDoc {
  const r = parseGraph(readFileSync(new URL(`../../examples/${name}.json`, import.meta.url), 'utf8'));
  if (!r.ok) throw new Error(name);
  return r.value;
}

const CASES: readonly { name: string; doc: GraphDoc; lengths: Record<string, number>; cells?: CellLowering }[] = [
  { name: 'lstm (full size)', doc: fullExample('lstm'), lengths: { x: 5 } },
  { name: 'lstm (full size, primitive cells)', doc: fullExample('lstm'), lengths: { x: 4 }, cells: 'primitive' },
  { name: 'gru (full size)', doc: fullExample('gru'), lengths: { x: 5 } },
  { name: 'elman-rnn (full size)', doc: fullExample('elman-rnn'), lengths: { x: 5 } },
  { name: 'bilstm (full size)', doc: fullExample('bilstm'), lengths: { x: 4 } },
  { name: 'seq2seq-attention (full size)', doc: fullExample('seq2seq-attention'), lengths: { src: 4, y: 3 } },
  { name: 'memory-network (full size)', doc: fullExample('memory-network'), lengths: { story: 3 } },
  { name: 'bilinear-rnn (full size)', doc: fullExample('bilinear-rnn'), lengths: { x: 3 } },
  { name: 'seq2seq (shrunk)', doc: loadExample('seq2seq'), lengths: { src: 3, y: 3 } },
  { name: 'gru-from-primitives (shrunk)', doc: loadExample('gru-from-primitives'), lengths: { x: 4 } },
];

interface Run {
  readonly loss: number;
  readonly grads: Map<string, Float64Array>;
  readonly kernels: string;
}

function run(doc: GraphDoc, lengths: Record<string, number>, dtype: DType, kernels: CpuKernels, cells: CellLowering = 'fused'): Run {
  const before = cpuKernels();
  setCpuKernels(kernels);
  try {
    const analysis = analyzeGraph(doc, { purpose: 'train' });
    if (!analysis.ok) throw new Error(analysis.errors[0]!.message);
    const model = new Model(analysis, { dtype, cells });
    // Weights drawn in float32 for every run, so all runs start from exactly the same values.
    const init = new Model(analysis, { dtype: 'float32', cells });
    init.initialise(new Rng(7).fork('init'));
    model.setWeights(init.weights);
    const r = model.pass({ lengths, batch: B, backward: true, inputGrads: true });
    if (!r.ok) throw new Error(r.errors[0]!.message);
    const pass = r.value;
    const rng = new Rng(11);
    pass.feed({ size: B, sources: randomSources(analysis, lengths, B, rng), lengths: new Map() }, rng.fork('random states'));
    const loss = pass.forward();
    pass.backward();
    const grads = new Map([...model.grads].map(([k, g]) => [k, Float64Array.from(g)]));
    for (const sym of pass.plan.inputGrads.keys()) grads.set(`input ${sym}`, Float64Array.from(pass.inputGrad(sym)!));
    return { loss, grads, kernels: pass.program.kernels };
  } finally {
    setCpuKernels(before);
  }
}

/** Every gradient within `tol` of the largest entry of the reference's tensor (float32 rounding of sums). */
function expectClose(got: Run, want: Run, tol: number): void {
  expect(Math.abs(got.loss - want.loss)).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(want.loss)));
  expect([...got.grads.keys()].sort()).toEqual([...want.grads.keys()].sort());
  for (const [key, w] of want.grads) {
    const g = got.grads.get(key)!;
    let scale = 0;
    for (const v of w) scale = Math.max(scale, Math.abs(v));
    for (let i = 0; i < w.length; i++) {
      const err = Math.abs(g[i]! - w[i]!);
      if (!(err <= tol * scale + 1e-7)) throw new Error(`${key}[${i}]: ${g[i]} vs ${w[i]} (error ${err.toExponential(2)}, scale ${scale.toExponential(2)})`);
    }
  }
}

describe.each(CASES.map((c) => [c.name, c] as const))('fast kernels: %s', (_name, c) => {
  it('loss and every gradient equal the float32 and float64 reference kernels', () => {
    const fast = run(c.doc, c.lengths, 'float32', 'fast', c.cells);
    expect(fast.kernels).toBe('fast');
    const ref32 = run(c.doc, c.lengths, 'float32', 'reference', c.cells);
    expect(ref32.kernels).toBe('reference');
    const ref64 = run(c.doc, c.lengths, 'float64', 'fast', c.cells);
    expect(ref64.kernels, 'float64 always runs on the reference kernels').toBe('reference');
    expectClose(fast, ref32, 2e-5);
    expectClose(fast, ref64, 2e-5);
  });

  it('is deterministic: the same weights and data give bit-identical results', () => {
    const a = run(c.doc, c.lengths, 'float32', 'fast', c.cells);
    const b = run(c.doc, c.lengths, 'float32', 'fast', c.cells);
    expect(a.loss).toBe(b.loss);
    for (const [k, g] of a.grads) expect(Array.from(b.grads.get(k)!), k).toEqual(Array.from(g));
  });
});
