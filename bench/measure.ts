/**
 * One measurement in its own process (so peak memory is that workload's alone, and one
 * framework's threads or caches never slow another): `tsx bench/measure.ts '<Job JSON>'` prints
 * one JSON line, a {@link Measurement}.
 */
import { unrollRun } from './unroll-runner.ts';
import { timeSteps, type Timing, type TimingOptions } from './timing.ts';
import type { WorkloadShape } from './workloads.ts';

/** Who runs the workload. */
export type Framework = 'unroll' | 'tfjs-cpu' | 'tfjs-wasm';

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
  /** Which kernels Unroll's program ran (`fast` or `reference`). */
  readonly kernels?: string;
}

const rssMiB = (): number => process.memoryUsage().rss / 2 ** 20;

async function measure(job: Job): Promise<Measurement> {
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
