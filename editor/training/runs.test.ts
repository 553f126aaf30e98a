import { beforeEach, describe, expect, it } from 'vitest';
import type { MetricsBatch, StepDiagnostics } from '../../runtime/worker/protocol.ts';
import {
  appendGates,
  appendSeries,
  beginRun,
  clearRuns,
  endRun,
  ensureCapacity,
  getRuns,
  hasRun,
  recordBatch,
  recordEval,
  recordStep,
  removeRun,
  retargetRun,
  setRunShown,
  subscribeRuns,
  type RunInit,
  type RunSeries,
} from './runs.ts';

const INIT: RunInit = { graphName: 'LSTM', task: 'brackets', metricName: 'accuracy', higherIsBetter: true, clip: 1, steps: 100 };

/** A batch of steps `from..from+n-1` with values derived from the step (so any misplacement shows). */
function batch(from: number, n: number, extra: { diagnostics?: StepDiagnostics[]; evals?: MetricsBatch['evals'] } = {}): MetricsBatch {
  const steps = Float64Array.from({ length: n }, (_, i) => from + i);
  return {
    steps,
    loss: steps.map((s) => 1 / s),
    metric: steps.map((s) => s / 1000),
    gradNorm: steps.map((s) => s * 0.5),
    clipped: Uint8Array.from(steps, (s) => (s % 3 === 0 ? 1 : 0)),
    diagnostics: extra.diagnostics ?? [],
    evals: extra.evals ?? [],
    stepsPerSecond: 42,
    elapsedSeconds: 1,
    status: { state: 'running', step: from + n - 1, steps: 100, backend: { name: 'cpu' } },
    sentAt: 0,
  };
}

const read = (s: RunSeries) => ({
  steps: [...s.steps.subarray(0, s.length)],
  loss: [...s.loss.subarray(0, s.length)],
  clipped: [...s.clipped.subarray(0, s.length)],
});

beforeEach(() => clearRuns());

describe('growing series', () => {
  it('doubles capacity: n appends of one copy O(n) elements in all', () => {
    let a = new Float64Array(0);
    let copied = 0;
    let allocations = 0;
    for (let n = 0; n < 10_000; n++) {
      const b = ensureCapacity(a, n, n + 1);
      if (b !== a) {
        copied += n;
        allocations++;
      }
      b[n] = n;
      a = b;
    }
    expect(copied).toBeLessThan(2 * 10_000);
    expect(allocations).toBeLessThanOrEqual(Math.ceil(Math.log2(10_000 / 16)) + 1);
    expect([...a.subarray(0, 10_000)]).toEqual(Array.from({ length: 10_000 }, (_, i) => i));
  });

  it('appends batches in order, and an earlier snapshot still reads what it had', () => {
    const empty: RunSeries = { length: 0, steps: new Float64Array(0), loss: new Float64Array(0), metric: new Float64Array(0), gradNorm: new Float64Array(0), clipped: new Uint8Array(0) };
    const a = appendSeries(empty, batch(1, 10));
    const b = appendSeries(a, batch(11, 3)); // fits in a's capacity: shares its arrays
    expect(b.steps).toBe(a.steps);
    const c = appendSeries(b, batch(14, 40)); // regrows
    expect(read(a)).toEqual({ steps: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], loss: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((s) => 1 / s), clipped: [0, 0, 1, 0, 0, 1, 0, 0, 1, 0] });
    expect(read(c).steps).toEqual(Array.from({ length: 53 }, (_, i) => i + 1));
    expect([...c.gradNorm.subarray(0, c.length)]).toEqual(Array.from({ length: 53 }, (_, i) => (i + 1) * 0.5));
    expect([...c.metric.subarray(0, c.length)]).toEqual(Array.from({ length: 53 }, (_, i) => (i + 1) / 1000));
  });

  it('tracks gate saturation per gate key; a gate seen later reads NaN before', () => {
    let t = appendGates({ length: 0, keys: [], steps: new Float64Array(0), low: [], high: [] }, 1, [{ node: 'lstm', gates: [{ name: 'input', low: 0.1, high: 0.2 }] }]);
    t = appendGates(t, 5, []); // no gates: unchanged
    t = appendGates(t, 9, [{ node: 'lstm', gates: [{ name: 'input', low: 0.3, high: 0.4 }, { name: 'forget', low: 0.5, high: 0.6 }] }]);
    expect(t.length).toBe(2);
    expect(t.keys).toEqual(['lstm.input', 'lstm.forget']);
    expect([...t.steps.subarray(0, 2)]).toEqual([1, 9]);
    expect([...t.low[0]!.subarray(0, 2)]).toEqual([0.1, 0.3]);
    expect([...t.high[1]!.subarray(0, 2)]).toEqual([NaN, 0.6]);
  });
});

describe('the runs store', () => {
  it('records batches, evaluations and the end into the current run, and notifies', () => {
    let notified = 0;
    const off = subscribeRuns(() => notified++);
    const id = beginRun(INIT);
    recordEval({ split: 'test', step: 0, loss: 0.7, metric: 0.5 });
    const curve = { delay: 'h', source: 'lstm.h', loop: 't', norms: Float64Array.of(1, 2, 3) };
    recordBatch(batch(1, 5, { diagnostics: [{ step: 1, states: [curve], gates: [{ node: 'lstm', gates: [{ name: 'forget', low: 0, high: 0.25 }] }] }] }));
    recordBatch(batch(6, 5, { evals: [{ split: 'test', step: 10, loss: 0.4, metric: 0.8, count: 100 }] }));
    endRun('done');
    off();
    const r = getRuns().runs[0]!;
    expect(getRuns().current).toBe(id);
    expect(notified).toBe(5);
    expect(r).toMatchObject({ id, label: `#${id} LSTM`, task: 'brackets', stepsPerSecond: 42, ended: 'done', shown: true });
    expect(read(r.series).steps).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(r.evals).toEqual([
      { split: 'test', step: 0, loss: 0.7, metric: 0.5 },
      { split: 'test', step: 10, loss: 0.4, metric: 0.8 },
    ]);
    // The second batch had no diagnostics: the first's stay the latest.
    expect(r.timestep).toEqual({ step: 1, states: [curve] });
    expect(r.gates).toEqual([{ node: 'lstm', gates: [{ name: 'forget', low: 0, high: 0.25 }] }]);
    expect(r.gateTrack.length).toBe(1);
  });

  it('keeps every run, each with its own colour; a new run becomes current and later batches go to it', () => {
    const a = beginRun({ ...INIT, graphName: 'Elman' });
    recordBatch(batch(1, 3));
    endRun('stopped');
    const b = beginRun(INIT);
    recordBatch(batch(1, 7));
    const [ra, rb] = getRuns().runs;
    expect(ra!.id).toBe(a);
    expect(rb!.id).toBe(b);
    expect(ra!.series.length).toBe(3);
    expect(rb!.series.length).toBe(7);
    expect(ra!.ended).toBe('stopped');
    expect(rb!.ended).toBeUndefined();
    expect(ra!.colour).not.toBe(rb!.colour);
  });

  it('a run started again after Stop (same weights, same record) reads as running until it ends again', () => {
    beginRun(INIT);
    recordBatch(batch(1, 3));
    endRun('stopped');
    expect(getRuns().runs[0]!.ended).toBe('stopped');
    // The last batch of a run carries the ended status: it does not clear the end.
    recordBatch({ ...batch(4, 1), status: { state: 'idle', step: 4, steps: 100, backend: { name: 'cpu' } } });
    expect(getRuns().runs[0]!.ended).toBe('stopped');
    recordBatch(batch(5, 2));
    expect(getRuns().runs[0]!.ended).toBeUndefined();
    expect(getRuns().runs[0]!.series.length).toBe(6);
  });

  it('shows, hides and removes runs; ids are not reused; batches for a removed run go nowhere', () => {
    const a = beginRun(INIT);
    const b = beginRun(INIT);
    setRunShown(a, false);
    expect(getRuns().runs.map((r) => r.shown)).toEqual([false, true]);
    removeRun(b);
    expect(getRuns().current).toBeUndefined();
    recordBatch(batch(1, 2));
    expect(getRuns().runs.map((r) => [r.id, r.series.length])).toEqual([[a, 0]]);
    const c = beginRun(INIT);
    expect(c).toBe(b + 1);
  });

  it('writes land on the run they name, not the current one; a removed run’s id writes nothing', () => {
    const a = beginRun(INIT);
    const b = beginRun(INIT);
    recordBatch(batch(1, 3), a);
    recordEval({ split: 'test', step: 3, loss: 0.5, metric: 0.6 }, a);
    recordStep({ step: 4, loss: 0.25, metric: 0.7, gradNorm: 2, clipped: true, states: [{ delay: 'h', source: 'lstm.h', loop: 'main', norms: [1, 2] }], gates: [] }, a);
    endRun('stopped', a);
    retargetRun(a, 500);
    const [ra, rb] = getRuns().runs;
    expect(getRuns().current).toBe(b);
    expect(rb!.series.length).toBe(0);
    expect(rb!.evals).toEqual([]);
    expect(read(ra!.series)).toEqual({ steps: [1, 2, 3, 4], loss: [1, 1 / 2, 1 / 3, 0.25], clipped: [0, 0, 1, 1] });
    expect(ra!.evals).toEqual([{ split: 'test', step: 3, loss: 0.5, metric: 0.6 }]);
    expect(ra!.timestep?.step).toBe(4);
    expect([...ra!.timestep!.states[0]!.norms]).toEqual([1, 2]);
    // A Step has no speed of its own and does not restart an ended run.
    expect([ra!.stepsPerSecond, ra!.ended, ra!.steps]).toEqual([42, 'stopped', 500]);
    removeRun(a);
    expect(hasRun(a)).toBe(false);
    recordBatch(batch(5, 2), a);
    expect(getRuns().runs.map((r) => [r.id, r.series.length])).toEqual([[b, 0]]);
  });
});
