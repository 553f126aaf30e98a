import { beforeEach, describe, expect, it } from 'vitest';
import type { MetricsBatch, StateCurve } from '../../runtime/worker/protocol.ts';
import { gateChart, gradNormChart, lossChart, metricChart, timestepChart } from './chart-model.ts';
import { chartsInfo } from './chart-snapshot.ts';
import { beginRun, clearRuns, getRuns, recordBatch, recordEval, setRunShown, type RunInit } from './runs.ts';

const LSTM: RunInit = { graphName: 'LSTM', task: 'brackets', metricName: 'accuracy', higherIsBetter: true, clip: 1, steps: 100 };
const ELMAN: RunInit = { ...LSTM, graphName: 'Elman', clip: 0 };

const curve = (delay: string, source: string, norms: number[]): StateCurve => ({ delay, source, loop: 't', norms: Float64Array.from(norms) });

function batch(from: number, n: number, extra: Partial<MetricsBatch> = {}): MetricsBatch {
  const steps = Float64Array.from({ length: n }, (_, i) => from + i);
  return {
    steps,
    loss: steps.map((s) => 2 / s),
    metric: steps.map((s) => Math.min(1, s / 100)),
    gradNorm: steps.map((s) => (s % 2 === 0 ? 2 : 0.5)),
    clipped: Uint8Array.from(steps, (s) => (s % 2 === 0 ? 1 : 0)),
    diagnostics: [],
    evals: [],
    stepsPerSecond: 10,
    elapsedSeconds: 1,
    status: { state: 'running', step: from + n - 1, steps: 100, backend: { name: 'cpu' } },
    sentAt: 0,
    ...extra,
  };
}

/** Non-null values of column `i` (series i−1) of a model's data. */
const col = (m: { data: unknown[] }, i: number): number[] => (m.data[i] as (number | null)[]).filter((v): v is number => v !== null);

beforeEach(() => clearRuns());

describe('chart models', () => {
  it('say what to do before any run', () => {
    const v = getRuns();
    for (const m of [lossChart(v, { smooth: true }), metricChart(v, { smooth: false }), gradNormChart(v), timestepChart(v), gateChart(v)]) expect(m.empty).toMatch(/Train the graph/);
    expect(chartsInfo().timestep).toBeUndefined();
  });

  it('loss: train per step (raw, or smoothed over the raw drawn faint) and test evaluations as points', () => {
    beginRun(LSTM);
    recordEval({ split: 'test', step: 0, loss: 0.7, metric: 0.5 });
    recordBatch(batch(1, 50, { evals: [{ split: 'test', step: 25, loss: 0.3, metric: 0.7, count: 10 }] }));
    const raw = lossChart(getRuns(), { smooth: false });
    expect(raw.series.map((s) => [s.label, s.kind])).toEqual([
      ['#1 LSTM train', 'line'],
      ['#1 LSTM test', 'points'],
    ]);
    expect([...raw.data[0]]).toEqual(Array.from({ length: 51 }, (_, i) => i));
    expect(col(raw, 1)).toEqual(Array.from({ length: 50 }, (_, i) => 2 / (i + 1)));
    expect(raw.data[2]).toEqual(Array.from(raw.data[0], (x) => (x === 0 ? 0.7 : x === 25 ? 0.3 : null)));
    const smooth = lossChart(getRuns(), { smooth: true });
    expect(smooth.series.map((s) => s.label)).toEqual(['#1 LSTM train (raw)', '#1 LSTM train', '#1 LSTM test']);
    expect(smooth.key).not.toBe(raw.key);
    // A smoothed curve starts at the first value and lags behind a falling loss.
    const s = col(smooth, 2);
    expect(s[0]).toBeCloseTo(2, 12);
    expect(s[49]!).toBeGreaterThan(2 / 50);
    const m = metricChart(getRuns(), { smooth: false });
    expect(m.yLabel).toBe('accuracy');
    expect(col(m, 2)).toEqual([0.5, 0.7]);
  });

  it('overlays shown runs of the session in their colours, the current run last; hidden runs go', () => {
    const a = beginRun(ELMAN);
    recordBatch(batch(1, 10, { diagnostics: [{ step: 1, states: [curve('h', 'rnn.h', [1e-6, 1e-3, 1])], gates: [] }] }));
    const b = beginRun(LSTM);
    recordBatch(batch(1, 20, { diagnostics: [{ step: 1, states: [curve('h', 'lstm.h', [0.1, 0.2, 0.3, 0.4]), curve('c', 'lstm.c', [0.5, 0, 0.7, 0.8])], gates: [] }] }));
    const runs = getRuns().runs;
    const loss = lossChart(getRuns(), { smooth: false });
    expect(loss.series.map((s) => [s.run, s.colour])).toEqual([
      [a, runs[0]!.colour],
      [a, runs[0]!.colour],
      [b, runs[1]!.colour],
      [b, runs[1]!.colour],
    ]);
    const ts = timestepChart(getRuns());
    expect(ts.log).toBe(true);
    expect(ts.series.map((s) => `${s.run - a} ${s.label} ${s.dash.length > 0 ? 'dashed' : 'solid'}`)).toEqual(['0 h (rnn.h) solid', '1 h (lstm.h) solid', '1 c (lstm.c) dashed']);
    // One x per time step; the shorter sequence ends early; 0 is no point on a log scale.
    expect([...ts.data[0]]).toEqual([0, 1, 2, 3]);
    expect(ts.data.slice(1)).toEqual([
      [1e-6, 1e-3, 1, null],
      [0.1, 0.2, 0.3, 0.4],
      [0.5, null, 0.7, 0.8],
    ]);
    const info = chartsInfo();
    expect(info.timestep!.series.map((s) => [s.run, s.label, s.values.length, s.points])).toEqual([
      [a, 'h (rnn.h)', 3, 3],
      [b, 'h (lstm.h)', 4, 4],
      [b, 'c (lstm.c)', 4, 3],
    ]);
    expect(info.timestep!.series[2]!.values).toEqual([0.5, 0, 0.7, 0.8]);
    // Several runs: the legend names them; one run: the states alone.
    expect(ts.legend.map((l) => l.label)).toEqual([`h (rnn.h) · #${a} Elman`, `h (lstm.h) · #${b} LSTM`, `c (lstm.c) · #${b} LSTM`]);
    setRunShown(a, false);
    expect(timestepChart(getRuns()).series.map((s) => s.run)).toEqual([b, b]);
    expect(timestepChart(getRuns()).legend.map((l) => l.label)).toEqual(['h (lstm.h)', 'c (lstm.c)']);
    expect(chartsInfo().loss.runs).toEqual([b]);
    expect(chartsInfo().runs.map((r) => [r.id, r.shown])).toEqual([
      [a, false],
      [b, true],
    ]);
  });

  it('compares metrics only between runs of the same metric', () => {
    const a = beginRun({ ...ELMAN, task: 'adding', metricName: 'mse' });
    recordBatch(batch(1, 5));
    const b = beginRun(LSTM);
    recordBatch(batch(1, 5));
    expect(metricChart(getRuns(), { smooth: false }).series.map((s) => s.run)).toEqual([b, b]);
    expect(lossChart(getRuns(), { smooth: false }).series.map((s) => s.run)).toEqual([a, a, b, b]);
  });

  it('gradient norm: log scale, clipped steps as points, the threshold as a line at clip', () => {
    beginRun(LSTM);
    recordBatch(batch(1, 10));
    const g = gradNormChart(getRuns());
    expect(g.log).toBe(true);
    expect(g.series.map((s) => [s.label, s.kind])).toEqual([
      ['clipped', 'points'],
      ['‖∇‖', 'line'],
      ['clip = 1', 'line'],
    ]);
    expect(col(g, 2)).toEqual([0.5, 2, 0.5, 2, 0.5, 2, 0.5, 2, 0.5, 2]);
    expect(col(g, 1)).toEqual([2, 2, 2, 2, 2]);
    expect(g.data[3]).toEqual(Array.from(g.data[0], (x) => (x === 1 || x === 10 ? 1 : null)));
    expect(g.legend.map((l) => l.label)).toEqual(['‖∇‖', 'clipped 50%', 'clip = 1']);
    expect(chartsInfo().gradNorm).toEqual({ points: 10, clip: 1, clipped: 5, clippedPoints: 5, log: true });
  });

  it('no threshold without clipping', () => {
    beginRun(ELMAN);
    recordBatch(batch(1, 4));
    expect(gradNormChart(getRuns()).series.map((s) => s.label)).toEqual(['‖∇‖']);
  });

  it('gate saturation over training per gate, or a note when the graph has no gated cell', () => {
    beginRun(ELMAN);
    recordBatch(batch(1, 4, { diagnostics: [{ step: 1, states: [curve('h', 'rnn.h', [1])], gates: [] }] }));
    expect(gateChart(getRuns()).empty).toMatch(/No gated cells/);
    expect(chartsInfo().gates).toBeUndefined();
    beginRun(LSTM);
    const gates = (f: number) => [{ node: 'lstm', gates: [{ name: 'input', low: 0.1 * f, high: 0.2 * f }, { name: 'forget', low: 0.01 * f, high: 0.5 * f }] }];
    recordBatch(batch(1, 4, { diagnostics: [{ step: 1, states: [], gates: gates(1) }] }));
    recordBatch(batch(5, 4, { diagnostics: [{ step: 5, states: [], gates: gates(2) }] }));
    const m = gateChart(getRuns());
    expect(m.empty).toBeUndefined();
    expect(m.yRange).toEqual([0, 1]);
    expect(m.series.map((s) => s.label)).toEqual(['lstm.input > 0.9', 'lstm.input < 0.1', 'lstm.forget > 0.9', 'lstm.forget < 0.1']);
    // One gated cell: the legend names the gates alone.
    expect(m.legend.map((l) => l.label)).toEqual(['input', 'forget', '> 0.9', '< 0.1']);
    expect([...m.data[0]]).toEqual([1, 5]);
    expect(m.data.slice(1)).toEqual([
      [0.2, 0.4],
      [0.1, 0.2],
      [0.5, 1],
      [0.01, 0.02],
    ]);
    expect(chartsInfo().gates).toEqual([
      { gate: 'lstm.input', low: 0.2, high: 0.4, points: 2 },
      { gate: 'lstm.forget', low: 0.02, high: 1, points: 2 },
    ]);
  });

  it('decimates a long run to the point budget while the series keeps every step', () => {
    beginRun(LSTM);
    for (let s = 1; s <= 20_000; s += 500) recordBatch(batch(s, 500));
    expect(getRuns().runs[0]!.series.length).toBe(20_000);
    const info = chartsInfo();
    expect(info.loss.train).toBeLessThanOrEqual(2000);
    expect(info.loss.train).toBeGreaterThan(1000);
    expect(info.gradNorm.points).toBeLessThanOrEqual(2000);
  });
});
