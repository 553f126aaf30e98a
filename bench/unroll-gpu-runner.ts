/**
 * Unroll's WebGPU side of the benchmark: the CPU runner's model, pass and batch (same seed), with
 * the weights and Adam's state in a `GpuOptimizer` and the pass compiled into a GPU twin from the
 * same plan — as `TrainerGpu` does. One training step is one submission (feed up; forward,
 * backward, gradient norm and Adam update on the GPU; losses and the step's results back), and
 * the read-back is awaited every step, so a step's time includes the round trip a trainer pays.
 */
import type { GpuContext } from '../runtime/webgpu/context.ts';
import { GpuOptimizer, paramLayout } from '../runtime/webgpu/optimizer.ts';
import { GpuProgram } from '../runtime/webgpu/program.ts';
import { Pass } from '../runtime/train/pass.ts';
import { defaultOptimizerSpec } from '../runtime/train/optimizers.ts';
import { sources, unrollRun } from './unroll-runner.ts';
import { Rng } from '../runtime/train/prng.ts';
import type { WorkloadShape } from './workloads.ts';

/** The learning rate of the CPU runner's Adam. */
const LR = 1e-3;

/** A ready-to-time GPU workload: `step()` is one training step (or one forward pass); `destroy()` frees its buffers. */
export interface UnrollGpuRun {
  readonly step: () => Promise<number>;
  readonly destroy: () => void;
}

/**
 * Build the CPU runner's workload (seed 0), move its weights to the GPU and compile the GPU twin
 * of its pass; `train: false` plans forward only (the weights still live in the optimiser's
 * buffer, which is where GPU programs read them). Throws with the catalogue message when the
 * adapter refuses the pass or the optimiser (over its limits, a refused kernel).
 */
export async function unrollGpuRun(context: GpuContext, w: WorkloadShape, train: boolean, seed = 0): Promise<UnrollGpuRun> {
  const { pass: cpu, model } = unrollRun(w, train, seed);
  const layout = paramLayout(model.weightSpecs.map((s) => ({ key: s.key, size: model.weights.get(s.key)!.length })));
  const opt = await GpuOptimizer.create(context, layout, { ...defaultOptimizerSpec('adam'), lr: LR });
  if (!opt.ok) throw new Error(`bench GPU optimiser: ${opt.errors.map((e) => e.message).join('; ')}`);
  const optimizer = opt.value;
  optimizer.upload(model.weights);
  const program = await GpuProgram.create(context, cpu.plan, optimizer);
  if (!program.ok) {
    optimizer.destroy();
    throw new Error(`bench GPU pass: ${program.errors.map((e) => e.message).join('; ')}`);
  }
  const pass = new Pass(program.value, cpu.lengths, cpu.bytes);
  // The same batch as the CPU runner's (the same fork of the same seed).
  pass.feed({ size: w.batch, sources: sources(w, new Rng(seed).fork('data')), lengths: new Map() });
  const destroy = (): void => {
    program.value.destroy();
    optimizer.destroy();
  };
  if (!train) return { destroy, step: async () => (await pass.run(w.batch, { backward: false })).objective };
  return {
    destroy,
    step: async () => {
      const { objective, extras } = await pass.run(w.batch, {
        backward: true,
        // No clipping, as the CPU runner's Adam.
        after: (encoder) => optimizer.encodeStep(encoder, LR, 0),
        extra: [optimizer.readback],
      });
      optimizer.parseStep(extras[0]!);
      return objective;
    },
  };
}
