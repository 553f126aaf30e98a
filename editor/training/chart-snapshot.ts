/**
 * What the training charts display, as numbers for browser tests (`window.__unroll.training.charts()`):
 * built by the same chart models the charts draw, so a test can check the curves without reading
 * pixels.
 */
import { buildChart, focusRun, primaryEvals, primarySplit, stateLabel, type ChartModel, type ChartName } from './chart-model.ts';
import { getChartSettings } from './chart-settings.ts';
import { getRuns } from './runs.ts';

/** Points a series of a model has (non-null values). */
function pointsOf(m: ChartModel, i: number): number {
  const col = m.data[i + 1];
  if (col === undefined || i < 0) return 0;
  let n = 0;
  for (const y of col) if (y !== null) n++;
  return n;
}

export interface ChartsInfo {
  /** The run the single-run charts show (the current, else the last); undefined before any. */
  readonly focus: number | undefined;
  /** Charts drawn on the page now (mounted, visible and with a plot). */
  readonly drawn: readonly ChartName[];
  /** Smoothing of the train curves is on. */
  readonly smooth: boolean;
  readonly loss: {
    /** Points of the focus run's train curve as drawn (decimated) and of its test evaluations. */
    readonly train: number;
    readonly eval: number;
    /** Runs overlaid (the focus run included). */
    readonly runs: readonly number[];
  };
  readonly metric: {
    readonly name: string | undefined;
    readonly split: string | undefined;
    readonly train: number;
    /** The focus run's evaluations of its primary split, by step (step 0: before training). */
    readonly evals: readonly { readonly step: number; readonly value: number }[];
    readonly runs: readonly number[];
  };
  readonly gradNorm: {
    readonly points: number;
    /** 0: no clipping (no threshold drawn). */
    readonly clip: number;
    /** Steps clipped so far (all, not decimated) and points of them drawn. */
    readonly clipped: number;
    readonly clippedPoints: number;
    readonly log: boolean;
  };
  /** The per-timestep gradient chart: every line drawn, focus run's and overlaid runs'. */
  readonly timestep:
    | {
        /** The focus run's diagnostics step. */
        readonly step: number | undefined;
        readonly log: boolean;
        /** `values`: ‖∂L/∂z_t‖ for t = 0 … T−1 as the run recorded them; `points`: those drawn (> 0 on the log scale). */
        readonly series: readonly { readonly run: number; readonly label: string; readonly values: readonly number[]; readonly points: number }[];
      }
    | undefined;
  /** The focus run's latest gate saturation; undefined: no gated cells (or no diagnostics yet). */
  readonly gates: readonly { readonly gate: string; readonly low: number; readonly high: number; readonly points: number }[] | undefined;
  readonly runs: readonly { readonly id: number; readonly label: string; readonly task: string; readonly colour: string; readonly shown: boolean; readonly ended: string | undefined; readonly steps: number }[];
}

const drawnCharts = new Set<ChartName>();

/** Called by the chart components when a plot is drawn or goes. */
export function setDrawn(name: ChartName, drawn: boolean): void {
  if (drawn) drawnCharts.add(name);
  else drawnCharts.delete(name);
}

export function chartsInfo(): ChartsInfo {
  const view = getRuns();
  const { smooth } = getChartSettings();
  const focus = focusRun(view);
  const opts = { smooth };
  const loss = buildChart('loss', view, opts);
  const metric = buildChart('metric', view, opts);
  const grad = buildChart('gradNorm', view, opts);
  const ts = buildChart('timestep', view, opts);
  const gates = buildChart('gates', view, opts);
  const trainIndex = (m: ChartModel): number => m.series.findIndex((s) => s.run === focus?.id && s.kind === 'line' && s.label.endsWith(' train'));
  const evalIndex = (m: ChartModel): number => m.series.findIndex((s) => s.run === focus?.id && s.kind === 'points');
  const runsOf = (m: ChartModel): number[] => [...new Set(m.series.map((s) => s.run))];
  const gi = grad.series.findIndex((s) => s.kind === 'line' && s.label === '‖∇‖');
  const ci = grad.series.findIndex((s) => s.label === 'clipped');
  const last = focus?.gates ?? [];
  return {
    focus: focus?.id,
    drawn: [...drawnCharts],
    smooth,
    loss: { train: trainIndex(loss) < 0 ? 0 : pointsOf(loss, trainIndex(loss)), eval: evalIndex(loss) < 0 ? 0 : pointsOf(loss, evalIndex(loss)), runs: runsOf(loss) },
    metric: {
      name: focus?.metricName,
      split: focus !== undefined ? primarySplit(focus) : undefined,
      train: trainIndex(metric) < 0 ? 0 : pointsOf(metric, trainIndex(metric)),
      evals: focus !== undefined ? primaryEvals(focus).map((e) => ({ step: e.step, value: e.metric })) : [],
      runs: runsOf(metric),
    },
    gradNorm: { points: gi < 0 ? 0 : pointsOf(grad, gi), clip: focus?.clip ?? 0, clipped: focus === undefined ? 0 : countClipped(focus.series.clipped, focus.series.length), clippedPoints: ci < 0 ? 0 : pointsOf(grad, ci), log: grad.log },
    timestep:
      ts.series.length === 0
        ? undefined
        : {
            step: focus?.timestep?.step,
            log: ts.log,
            series: ts.series.map((spec, i) => {
              const state = view.runs.find((r) => r.id === spec.run)?.timestep?.states.find((s) => stateLabel(s) === spec.label);
              return { run: spec.run, label: spec.label, values: [...(state?.norms ?? [])], points: pointsOf(ts, i) };
            }),
          },
    gates: gates.series.length === 0 ? undefined : last.flatMap((g) => g.gates.map((x) => ({ gate: `${g.node}.${x.name}`, low: x.low, high: x.high, points: pointsOf(gates, gates.series.findIndex((s) => s.label === `${g.node}.${x.name} > 0.9`)) }))),
    runs: view.runs.map((r) => ({ id: r.id, label: r.label, task: r.task, colour: r.colour, shown: r.shown, ended: r.ended, steps: r.series.length })),
  };
}

function countClipped(c: Uint8Array, n: number): number {
  let k = 0;
  for (let i = 0; i < n; i++) k += c[i]!;
  return k;
}
