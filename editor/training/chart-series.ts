/**
 * The drawable form of each run's series, kept up to date incrementally: decimated train loss and
 * metric (raw and smoothed), gradient norm, clipped steps and gate saturation. Runs only ever
 * append, so each update takes the points since the last one; a run's entry lives as long as the
 * run is in the store.
 */
import { Ema, MinMaxDecimator, type Decimated } from './chart-decimate.ts';
import type { RunRecord, RunsView } from './runs.ts';

/** Points per decimated series (two per bucket and the ends). */
export const MAX_POINTS = 2000;
/** Gate lines are many and smooth: fewer points each. */
export const MAX_GATE_POINTS = 600;
/** Smoothing of the train curves (bias-corrected EMA over about 1/(1−β) = 20 steps). */
export const SMOOTHING = 0.95;

interface GateLines {
  readonly low: MinMaxDecimator;
  readonly high: MinMaxDecimator;
  taken: number;
}

class RunDerived {
  taken = 0;
  readonly loss = new MinMaxDecimator(MAX_POINTS);
  readonly lossSmooth = new MinMaxDecimator(MAX_POINTS);
  readonly metric = new MinMaxDecimator(MAX_POINTS);
  readonly metricSmooth = new MinMaxDecimator(MAX_POINTS);
  readonly gradNorm = new MinMaxDecimator(MAX_POINTS);
  readonly clipped = new MinMaxDecimator(MAX_POINTS);
  clippedCount = 0;
  private readonly lossEma = new Ema(SMOOTHING);
  private readonly metricEma = new Ema(SMOOTHING);
  readonly gates = new Map<string, GateLines>();

  update(r: RunRecord): void {
    const s = r.series;
    for (let i = this.taken; i < s.length; i++) {
      const x = s.steps[i]!;
      this.loss.push(x, s.loss[i]!);
      this.lossSmooth.push(x, this.lossEma.push(s.loss[i]!));
      this.metric.push(x, s.metric[i]!);
      this.metricSmooth.push(x, this.metricEma.push(s.metric[i]!));
      this.gradNorm.push(x, s.gradNorm[i]!);
      const c = s.clipped[i] === 1;
      if (c) this.clippedCount++;
      this.clipped.push(x, c ? s.gradNorm[i]! : NaN);
    }
    this.taken = s.length;
    const g = r.gateTrack;
    g.keys.forEach((key, k) => {
      let lines = this.gates.get(key);
      if (lines === undefined) {
        lines = { low: new MinMaxDecimator(MAX_GATE_POINTS), high: new MinMaxDecimator(MAX_GATE_POINTS), taken: 0 };
        this.gates.set(key, lines);
      }
      lines.low.pushRange(g.steps, g.low[k]!, lines.taken, g.length);
      lines.high.pushRange(g.steps, g.high[k]!, lines.taken, g.length);
      lines.taken = g.length;
    });
  }
}

/** A run's drawable series, as of the run record given. */
export interface RunCurves {
  readonly loss: Decimated;
  readonly lossSmooth: Decimated;
  readonly metric: Decimated;
  readonly metricSmooth: Decimated;
  readonly gradNorm: Decimated;
  /** The gradient norm of clipped steps only. */
  readonly clipped: Decimated;
  readonly clippedCount: number;
  /** Per gate key (`node.gate`, in `gateTrack.keys` order). */
  readonly gates: readonly { readonly key: string; readonly low: Decimated; readonly high: Decimated }[];
}

const cache = new Map<number, RunDerived>();

/** The curves of `r`, taking its points since the last call. */
export function runCurves(r: RunRecord): RunCurves {
  let d = cache.get(r.id);
  // A record behind what was taken (a store cleared and refilled) starts over.
  if (d === undefined || d.taken > r.series.length) {
    d = new RunDerived();
    cache.set(r.id, d);
  }
  d.update(r);
  return {
    loss: d.loss.points(),
    lossSmooth: d.lossSmooth.points(),
    metric: d.metric.points(),
    metricSmooth: d.metricSmooth.points(),
    gradNorm: d.gradNorm.points(),
    clipped: d.clipped.points(),
    clippedCount: d.clippedCount,
    gates: r.gateTrack.keys.map((key) => {
      const g = d.gates.get(key)!;
      return { key, low: g.low.points(), high: g.high.points() };
    }),
  };
}

/** Drop the curves of runs no longer in `view`. */
export function pruneCurves(view: RunsView): void {
  for (const id of cache.keys()) if (!view.runs.some((r) => r.id === id)) cache.delete(id);
}
