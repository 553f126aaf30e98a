/** Timing helpers of the benchmark: warm-up, then the median of several timed runs. */

/** One timed measurement: steps per second of each run and their median. */
export interface Timing {
  /** Median over the runs. */
  readonly stepsPerSec: number;
  /** Each timed run's steps per second, in order. */
  readonly runs: readonly number[];
}

export interface TimingOptions {
  /** Untimed steps first (JIT, allocation, caches). */
  readonly warmup: number;
  /** Timed runs (≥ 5 for the README's numbers). */
  readonly runs: number;
  /** A run repeats the step until it has taken at least this long (timer resolution on fast steps). */
  readonly minRunMs: number;
}

export const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** Time `step` (sync or async): `warmup` untimed calls, then `runs` runs of ≥ `minRunMs` each. */
export async function timeSteps(step: () => unknown, o: TimingOptions): Promise<Timing> {
  for (let i = 0; i < o.warmup; i++) await step();
  const runs: number[] = [];
  for (let r = 0; r < o.runs; r++) {
    let n = 0;
    const t0 = performance.now();
    let ms: number;
    do {
      await step();
      n++;
      ms = performance.now() - t0;
    } while (ms < o.minRunMs);
    runs.push((1000 * n) / ms);
  }
  return { stepsPerSec: median(runs), runs };
}
