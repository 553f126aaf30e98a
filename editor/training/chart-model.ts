/**
 * What each chart draws, built from the runs store: its series (label, colour, line or points),
 * the aligned data and a legend. Pure apart from the incremental curve cache, so the test API
 * reports exactly what the charts are given.
 *
 * The focus run is the current one (else the last); loss, metric and the per-timestep gradient
 * overlay every shown run in its own colour, the focus run drawn last (on top); the gradient
 * norm and gate saturation are the focus run's.
 */
import { alignSeries, type Aligned, type XY } from './chart-align.ts';
import { CLIP_COLOUR, CLIPPED_COLOUR, gateColour, stateDash, withAlpha } from './chart-colours.ts';
import { pruneCurves, runCurves } from './chart-series.ts';
import type { EvalPoint, RunRecord, RunsView } from './runs.ts';

export type ChartName = 'loss' | 'metric' | 'gradNorm' | 'timestep' | 'gates';

export interface SeriesSpec {
  /** e.g. `#2 LSTM brackets classifier train`, `h (lstm.h)`. */
  readonly label: string;
  readonly colour: string;
  readonly kind: 'line' | 'points';
  /** Line width in CSS px. */
  readonly width: number;
  /** Dash pattern in CSS px (empty: solid). */
  readonly dash: readonly number[];
  /** Diameter of a `points` series' dots in CSS px. */
  readonly pointSize: number;
  /** The run it belongs to. */
  readonly run: number;
}

export interface LegendItem {
  readonly label: string;
  readonly colour: string;
  readonly marker: 'line' | 'dot';
  readonly dash: readonly number[];
}

export interface ChartModel {
  /** The series' structure (the plot replaces its series when it changes; the same key: new data only). */
  readonly key: string;
  readonly series: readonly SeriesSpec[];
  /** x, then one array per series. */
  readonly data: Aligned;
  /** Log₁₀ y axis. */
  readonly log: boolean;
  /** Fixed y range (else fitted to the data). */
  readonly yRange: readonly [number, number] | undefined;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly legend: readonly LegendItem[];
  /** Why there is nothing to draw (the chart shows this instead). */
  readonly empty: string | undefined;
}

export interface ChartOptions {
  /** Draw train loss and metric smoothed (with the focus run's raw curve faint behind). */
  readonly smooth: boolean;
}

/** The run the single-run charts show: the current one, else the last. */
export function focusRun(view: RunsView): RunRecord | undefined {
  return view.runs.find((r) => r.id === view.current) ?? view.runs.at(-1);
}

/** Shown runs, the focus run last so it is drawn on top. */
function drawnRuns(view: RunsView, focus: RunRecord | undefined): RunRecord[] {
  const shown = view.runs.filter((r) => r.shown && r !== focus);
  if (focus !== undefined && focus.shown) shown.push(focus);
  return shown;
}

/** The split a run evaluates on during training: its first evaluation's (`test` for most tasks). */
export function primarySplit(r: RunRecord): string | undefined {
  return r.evals[0]?.split;
}

/** A run's evaluations of its primary split, by step (a later one at the same step wins). */
export function primaryEvals(r: RunRecord): EvalPoint[] {
  const split = primarySplit(r);
  return r.evals.filter((e) => e.split === split).sort((a, b) => a.step - b.step);
}

const evalXY = (evals: readonly EvalPoint[], value: (e: EvalPoint) => number): XY => ({ length: evals.length, xs: evals.map((e) => e.step), ys: evals.map(value) });

const line = (label: string, colour: string, run: number, width = 1.5, dash: readonly number[] = []): SeriesSpec => ({ label, colour, kind: 'line', width, dash, pointSize: 0, run });
const points = (label: string, colour: string, run: number, pointSize = 6): SeriesSpec => ({ label, colour, kind: 'points', width: 1, dash: [], pointSize, run });

function model(name: ChartName, parts: { series: SeriesSpec[]; xy: XY[]; log?: boolean; yRange?: [number, number]; xLabel: string; yLabel: string; legend: LegendItem[]; empty?: string }): ChartModel {
  const key = [name, parts.log ? 'log' : 'lin', ...parts.series.map((s) => `${s.kind}|${s.label}|${s.colour}|${s.width}|${s.dash.join(',')}|${s.pointSize}`)].join('\n');
  return {
    key,
    series: parts.series,
    data: alignSeries(parts.xy, parts.log ? (y) => y > 0 : undefined),
    log: parts.log ?? false,
    yRange: parts.yRange,
    xLabel: parts.xLabel,
    yLabel: parts.yLabel,
    legend: parts.legend,
    empty: parts.empty,
  };
}

const NO_RUNS = 'Train the graph to see its curves here.';

function noData(view: RunsView, focus: RunRecord | undefined): string | undefined {
  if (view.runs.length === 0 || focus === undefined) return NO_RUNS;
  return undefined;
}

/** Train and test curves of one quantity (loss or the task's metric) for every shown run. */
function trainTest(name: 'loss' | 'metric', view: RunsView, opts: ChartOptions): ChartModel {
  const focus = focusRun(view);
  const runs = drawnRuns(view, focus).filter((r) => name === 'loss' || r.metricName === focus?.metricName);
  const series: SeriesSpec[] = [];
  const xy: XY[] = [];
  const legend: LegendItem[] = [];
  for (const r of runs) {
    const c = runCurves(r);
    const raw = name === 'loss' ? c.loss : c.metric;
    const smooth = name === 'loss' ? c.lossSmooth : c.metricSmooth;
    if (opts.smooth && r === focus) {
      series.push(line(`${r.label} train (raw)`, withAlpha(r.colour, 0.25), r.id, 1));
      xy.push(raw);
    }
    series.push(line(`${r.label} train`, r.colour, r.id));
    xy.push(opts.smooth ? smooth : raw);
    const evals = primaryEvals(r);
    series.push(points(`${r.label} ${primarySplit(r) ?? 'test'}`, r.colour, r.id));
    xy.push(evalXY(evals, (e) => (name === 'loss' ? e.loss : e.metric)));
    legend.push({ label: r.label, colour: r.colour, marker: 'line', dash: [] });
  }
  // What lines and dots mean first (short), then the runs (long names, cut to fit).
  if (runs.length > 0) {
    legend.unshift(
      { label: 'train', colour: '#374151', marker: 'line', dash: [] },
      { label: focus !== undefined ? (primarySplit(focus) ?? 'test') : 'test', colour: '#374151', marker: 'dot', dash: [] },
    );
  }
  const yLabel = name === 'loss' ? 'loss' : (focus?.metricName ?? 'metric');
  const nothing = noData(view, focus) ?? (runs.length === 0 ? 'Every run is hidden.' : undefined);
  return model(name, { series, xy, xLabel: 'step', yLabel, legend, ...(nothing !== undefined ? { empty: nothing } : {}) });
}

export const lossChart = (view: RunsView, opts: ChartOptions): ChartModel => trainTest('loss', view, opts);
export const metricChart = (view: RunsView, opts: ChartOptions): ChartModel => trainTest('metric', view, opts);

/** The focus run's global gradient norm (log scale), its clipped steps and the clipping threshold. */
export function gradNormChart(view: RunsView): ChartModel {
  const focus = focusRun(view);
  const series: SeriesSpec[] = [];
  const xy: XY[] = [];
  const legend: LegendItem[] = [];
  if (focus !== undefined) {
    const c = runCurves(focus);
    const n = focus.series.length;
    // The clipped steps first, so that the norm's line is drawn over its dots.
    if (focus.clip > 0) {
      series.push(points('clipped', CLIPPED_COLOUR, focus.id, 3));
      xy.push(c.clipped);
    }
    series.push(line('‖∇‖', focus.colour, focus.id, 1));
    xy.push(c.gradNorm);
    legend.push({ label: '‖∇‖', colour: focus.colour, marker: 'line', dash: [] });
    if (focus.clip > 0) {
      const pct = n === 0 ? 0 : (100 * c.clippedCount) / n;
      legend.push({ label: `clipped ${pct < 1 && pct > 0 ? pct.toFixed(1) : Math.round(pct)}%`, colour: CLIPPED_COLOUR, marker: 'dot', dash: [] });
      // The threshold as a line across the steps so far.
      series.push(line(`clip = ${focus.clip}`, CLIP_COLOUR, focus.id, 1, [4, 3]));
      const first = n > 0 ? focus.series.steps[0]! : 0;
      const last = n > 0 ? focus.series.steps[n - 1]! : 1;
      xy.push({ length: 2, xs: [first, Math.max(last, first + 1)], ys: [focus.clip, focus.clip] });
      legend.push({ label: `clip = ${focus.clip}`, colour: CLIP_COLOUR, marker: 'line', dash: [4, 3] });
    }
  }
  return model('gradNorm', { series, xy, log: true, xLabel: 'step', yLabel: '‖∇‖', legend, ...(focus === undefined ? { empty: NO_RUNS } : {}) });
}

/** `h (lstm.h)`: a recurrent state's delay and the port that feeds it. */
export const stateLabel = (s: { delay: string; source: string }): string => `${s.delay} (${s.source})`;

/**
 * ‖∂L/∂z_t‖ over t = 0 … T−1 (log scale), one line per recurrent state, from each shown run's
 * latest diagnostics: run colour, state told apart by dash.
 */
export function timestepChart(view: RunsView): ChartModel {
  const focus = focusRun(view);
  const series: SeriesSpec[] = [];
  const xy: XY[] = [];
  const legend: LegendItem[] = [];
  const runs = drawnRuns(view, focus).filter((r) => r.timestep !== undefined);
  for (const r of runs) {
    r.timestep!.states.forEach((s, k) => {
      const label = stateLabel(s);
      series.push(line(label, r.colour, r.id, 1.5, stateDash(k)));
      const T = s.norms.length;
      xy.push({ length: T, xs: Float64Array.from({ length: T }, (_, t) => t), ys: s.norms });
      // Runs are told apart by colour; their names only when there are several.
      legend.push({ label: runs.length > 1 ? `${label} · ${r.label}` : label, colour: r.colour, marker: 'line', dash: stateDash(k) });
    });
  }
  const empty = noData(view, focus) ?? (series.length === 0 ? (focus?.timestep !== undefined ? 'Every run is hidden.' : focus?.series.length ? 'No recurrent state to follow.' : 'Waiting for the first diagnostics…') : undefined);
  return model('timestep', { series, xy, log: true, xLabel: 'time step t', yLabel: '‖∂L/∂z_t‖', legend, ...(empty !== undefined ? { empty } : {}) });
}

/** The focus run's gate saturation over training: per gate, the fraction of activations > 0.9 (solid) and < 0.1 (dashed). */
export function gateChart(view: RunsView): ChartModel {
  const focus = focusRun(view);
  const series: SeriesSpec[] = [];
  const xy: XY[] = [];
  const legend: LegendItem[] = [];
  if (focus !== undefined) {
    const gates = runCurves(focus).gates;
    // `lstm.forget` reads `forget` when there is one gated cell.
    const nodes = new Set(gates.map((g) => g.key.slice(0, g.key.lastIndexOf('.'))));
    gates.forEach((g, k) => {
      const colour = gateColour(k);
      series.push(line(`${g.key} > 0.9`, colour, focus.id));
      xy.push(g.high);
      series.push(line(`${g.key} < 0.1`, colour, focus.id, 1.5, [4, 3]));
      xy.push(g.low);
      legend.push({ label: nodes.size > 1 ? g.key : g.key.slice(g.key.lastIndexOf('.') + 1), colour, marker: 'line', dash: [] });
    });
    if (series.length > 0) {
      legend.push({ label: '> 0.9', colour: '#374151', marker: 'line', dash: [] });
      legend.push({ label: '< 0.1', colour: '#374151', marker: 'line', dash: [4, 3] });
    }
  }
  const empty = noData(view, focus) ?? (series.length === 0 ? (focus!.series.length > 0 ? 'No gated cells in this graph.' : 'Waiting for the first diagnostics…') : undefined);
  return model('gates', { series, xy, yRange: [0, 1], xLabel: 'step', yLabel: 'fraction', legend, ...(empty !== undefined ? { empty } : {}) });
}

/** Every chart's builder, by name. */
export function buildChart(name: ChartName, view: RunsView, opts: ChartOptions): ChartModel {
  pruneCurves(view);
  switch (name) {
    case 'loss':
      return lossChart(view, opts);
    case 'metric':
      return metricChart(view, opts);
    case 'gradNorm':
      return gradNormChart(view);
    case 'timestep':
      return timestepChart(view);
    case 'gates':
      return gateChart(view);
  }
}
