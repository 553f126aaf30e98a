/**
 * Unroll's side of the benchmark: one model and one compiled training (or forward-only) pass of a
 * workload, fed one fixed random batch, stepped with Adam exactly as the trainer does (forward,
 * backward, optimiser step).
 */
import { analyzeGraph } from '../runtime/validate/validate.ts';
import { Model } from '../runtime/train/model.ts';
import type { Pass, SourceData } from '../runtime/train/pass.ts';
import { Optimizer, defaultOptimizerSpec } from '../runtime/train/optimizers.ts';
import { Rng } from '../runtime/train/prng.ts';
import type { FloatArray } from '../runtime/cpu/kernels/index.ts';
import { workloadGraph, type WorkloadShape } from './workloads.ts';

/** A ready-to-time workload: `step()` is one training step (or one forward pass). */
export interface UnrollRun {
  readonly step: () => number;
  readonly pass: Pass;
  readonly model: Model;
}

/** Random uniform(−1, 1) values for every source of the workload (x and y, `[batch, steps, features]`). */
export function sources(w: WorkloadShape, rng: Rng): Map<string, SourceData> {
  const make = (features: number): SourceData => ({
    values: Float32Array.from({ length: w.batch * w.steps * features }, () => rng.uniform(-1, 1)),
    length: w.steps,
  });
  return new Map([
    ['x', make(w.input)],
    ['y', make(w.output)],
  ]);
}

/** Build, initialise (seed 0) and feed a workload; `train: false` plans forward only. */
export function unrollRun(w: WorkloadShape, train: boolean, seed = 0): UnrollRun {
  const analysis = analyzeGraph(workloadGraph(w), { purpose: 'train' });
  if (!analysis.ok) throw new Error(`bench graph: ${analysis.errors.map((e) => e.message).join('; ')}`);
  const model = new Model(analysis, { dtype: 'float32', memoryBudget: 16 * 2 ** 30 });
  const rng = new Rng(seed);
  model.initialise(rng.fork('init'));
  const made = model.pass({ lengths: { x: w.steps }, batch: w.batch, backward: train });
  if (!made.ok) throw new Error(`bench pass: ${made.errors.map((e) => e.message).join('; ')}`);
  const pass = made.value;
  pass.feed({ size: w.batch, sources: sources(w, rng.fork('data')), lengths: new Map() });
  if (!train) return { pass, model, step: () => pass.forward() };
  const keys = model.weightSpecs.map((s) => s.key);
  const params: FloatArray[] = keys.map((k) => model.weights.get(k)!);
  const grads: FloatArray[] = keys.map((k) => model.grads.get(k)!);
  const opt = new Optimizer({ ...defaultOptimizerSpec('adam'), lr: 1e-3 }, params);
  return {
    pass,
    model,
    step: () => {
      const loss = pass.forward();
      pass.backward();
      opt.step(params, grads);
      return loss;
    },
  };
}
