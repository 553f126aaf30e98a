/**
 * One measurement in its own process (so peak memory is that workload's alone, and one
 * framework's threads or caches never slow another): `tsx bench/measure.ts '<Job JSON>'` prints
 * one JSON line, a {@link Measurement}, or {@link Skipped} when there is no WebGPU adapter. The
 * WebGPU job's process must start with a Vulkan driver in its environment (`swiftShaderEnv`).
 */
import { unrollRun } from './unroll-runner.ts';
import { timeSteps, type Timing, type TimingOptions } from './timing.ts';
import type { WorkloadShape } from './workloads.ts';

/** Who runs the workload: Unroll on the CPU or on WebGPU, or a TF.js backend. */
export type Framework = 'unroll' | 'unroll-webgpu' | 'tfjs-cpu' | 'tfjs-wasm';

/** What a child process is asked to measure. */
export interface Job {
  readonly framework: Framework;
  readonly shape: WorkloadShape;
  /** Also time forward-only (inference) steps. */
  readonly infer: boolean;
  readonly timing: TimingOptions;
}

/** What it reports. */
export interface Measurement {
  readonly train: Timing;
  readonly infer?: Timing;
  /** Growth of the resident set from before the model was built to its peak, MiB. */
  readonly peakRssMiB: number;
  /** Which kernels Unroll's program ran (`fast`, `reference`, or `webgpu: <adapter>`). */
  readonly kernels?: string;
  /** `unroll-webgpu`: the adapter that ran it, and the first training step's loss against the CPU's. */
  readonly gpu?: GpuMeasured;
}

/** What the WebGPU measurement says about its adapter (see `describeAdapter`). */
export interface GpuMeasured {
  /** `google swiftshader (software)`, `nvidia ampere (NVIDIA A100)`. */
  readonly adapter: string;
  /** A software adapter: its numbers show the backend works, not how fast a GPU is. */
  readonly fallback: boolean;
  /** |GPU − CPU| / max(1, |CPU|) of the first training step's loss, same weights and batch. */
  readonly lossDiff: number;
  /** The timing used ({@link FALLBACK_TIMING} on a software adapter, else the job's). */
  readonly timing: TimingOptions;
}

/** A measurement that could not be made (no WebGPU adapter): the row is left out, with the reason. */
export interface Skipped {
  readonly skipped: string;
}

/**
 * Timing on a software adapter: SwiftShader runs a reference step in tens of seconds, so one
 * timed step after the correctness check (which warms the pipelines up) — enough to show the
 * backend works, and the numbers say nothing about a GPU anyway.
 */
export const FALLBACK_TIMING: TimingOptions = { warmup: 0, runs: 1, minRunMs: 0 };

const rssMiB = (): number => process.memoryUsage().rss / 2 ** 20;

/** Unroll on WebGPU: the same workload and steps on the GPU twin of the CPU pass (one submission a step). */
async function measureGpu(job: Job, cpuLoss: number, sample: () => void): Promise<Omit<Measurement, 'peakRssMiB'> | Skipped> {
  const { requestGpu, describeAdapter } = await import('../runtime/webgpu/context.ts');
  const { unrollGpuRun } = await import('./unroll-gpu-runner.ts');
  const gpu = await requestGpu();
  if (!gpu.ok) return { skipped: gpu.reason };
  const { context } = gpu;
  try {
    const adapter = describeAdapter(context.adapter);
    const fallback = context.adapter.fallback;
    const timing = fallback ? FALLBACK_TIMING : job.timing;
    const train = await unrollGpuRun(context, job.shape, true);
    // First step against the CPU's (same seed, weights and batch): the rows time a correct backend.
    const gpuLoss = await train.step();
    const lossDiff = Math.abs(gpuLoss - cpuLoss) / Math.max(1, Math.abs(cpuLoss));
    const t = await timeSteps(async () => (await train.step(), sample()), timing);
    train.destroy();
    let inf: Timing | undefined;
    if (job.infer) {
      const fwd = await unrollGpuRun(context, job.shape, false);
      // One untimed pass compiles the forward pipelines a training pass did not need.
      inf = await timeSteps(async () => (await fwd.step(), sample()), { ...timing, warmup: Math.max(1, timing.warmup) });
      fwd.destroy();
    }
    return { train: t, ...(inf !== undefined ? { infer: inf } : {}), kernels: `webgpu: ${adapter}`, gpu: { adapter, fallback, lossDiff, timing } };
  } finally {
    // A live device keeps Dawn's threads, and so Node, running.
    context.device.destroy();
  }
}

async function measure(job: Job): Promise<Measurement | Skipped> {
  // The CPU's first training loss, for the WebGPU check, before the memory baseline.
  const cpuLoss = job.framework === 'unroll-webgpu' ? unrollRun(job.shape, true).step() : NaN;
  const base = rssMiB();
  let peak = base;
  const sample = (): void => {
    peak = Math.max(peak, rssMiB());
  };
  if (job.framework === 'unroll') {
    const train = unrollRun(job.shape, true);
    const t = await timeSteps(() => (train.step(), sample()), job.timing);
    const kernels = train.pass.program.kernels;
    let inf: Timing | undefined;
    if (job.infer) {
      const fwd = unrollRun(job.shape, false);
      inf = await timeSteps(() => (fwd.step(), sample()), job.timing);
    }
    return { train: t, ...(inf !== undefined ? { infer: inf } : {}), peakRssMiB: peak - base, kernels };
  }
  if (job.framework === 'unroll-webgpu') {
    const m = await measureGpu(job, cpuLoss, sample);
    // Host memory only: the GPU's buffers are not in the resident set (except on a software adapter).
    return 'skipped' in m ? m : { ...m, peakRssMiB: peak - base };
  }
  const { tfjsRun, useBackend } = await import('./tfjs-runner.ts');
  await useBackend(job.framework === 'tfjs-cpu' ? 'cpu' : 'wasm');
  const train = tfjsRun(job.shape, true);
  const t = await timeSteps(async () => (await train.step(), sample()), job.timing);
  train.dispose();
  let inf: Timing | undefined;
  if (job.infer) {
    const fwd = tfjsRun(job.shape, false);
    inf = await timeSteps(async () => (await fwd.step(), sample()), job.timing);
    fwd.dispose();
  }
  return { train: t, ...(inf !== undefined ? { infer: inf } : {}), peakRssMiB: peak - base };
}

const arg = process.argv[2];
if (arg !== undefined) {
  // TF.js prints advice on stdout (e.g. about its orthogonal initialiser); keep stdout for the result.
  const log = console.log;
  console.log = (...a: unknown[]) => console.error(...a);
  console.warn = (...a: unknown[]) => console.error(...a);
  measure(JSON.parse(arg) as Job).then(
    (m) => log(JSON.stringify(m)),
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
}
