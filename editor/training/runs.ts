/**
 * The session's runs: the curves of every run started in this tab (kept across graphs, so an
 * Elman RNN's can be overlaid on an LSTM's), fed by the training session and read by the charts.
 * Its own store: ten metrics batches a second re-render the charts and nothing else.
 *
 * Series grow in place: each batch appends to typed arrays whose capacity doubles when full, so
 * a batch costs its own length (amortised), not the run's. A published `RunRecord` is a snapshot
 * that shares those arrays with later ones; it stays valid because appends only write past its
 * `length`, and a regrown array is a new array (the old one keeps its contents).
 */
import type { MetricsBatch, StateCurve } from '../../runtime/worker/protocol.ts';
import type { GateSaturation } from '../../runtime/train/pass.ts';
import type { StepReport } from '../../runtime/train/trainer.ts';
import { MetricsWindow } from '../../runtime/worker/metrics-window.ts';
import { runColour } from './chart-colours.ts';

/** What a run is, known when its graph has loaded. */
export interface RunInit {
  /** The graph's name (`doc.name`). */
  readonly graphName: string;
  readonly task: string;
  readonly metricName: string;
  readonly higherIsBetter: boolean;
  /** Clipping threshold of the global gradient norm; 0: none. */
  readonly clip: number;
  /** Steps the run was asked for. */
  readonly steps: number;
}

/** One evaluation of a split at a step (step 0: before training). */
export interface EvalPoint {
  readonly split: string;
  readonly step: number;
  readonly loss: number;
  readonly metric: number;
}

/** The latest per-timestep gradient curves of a run: ‖∂L/∂z_t‖ for each recurrent state. */
export interface TimestepCurves {
  readonly step: number;
  readonly states: readonly StateCurve[];
}

/** Per training step, parallel arrays of length `length` (the arrays grow; read only `[0, length)`). */
export interface RunSeries {
  readonly length: number;
  /** 1-based step numbers. */
  readonly steps: Float64Array;
  readonly loss: Float64Array;
  readonly metric: Float64Array;
  /** Global gradient norm before clipping. */
  readonly gradNorm: Float64Array;
  /** 1 where the step's gradient was clipped. */
  readonly clipped: Uint8Array;
}

/**
 * Gate saturation over training, one entry per step run with diagnostics. `keys[k]` is
 * `node.gate` (e.g. `lstm.forget`); `low[k][i]`/`high[k][i]` are the fractions of that gate's
 * activations below 0.1 / above 0.9 at `steps[i]`. Read only `[0, length)`.
 */
export interface GateTrack {
  readonly length: number;
  readonly keys: readonly string[];
  readonly steps: Float64Array;
  readonly low: readonly Float64Array[];
  readonly high: readonly Float64Array[];
}

export interface RunRecord extends RunInit {
  /** 1-based within the session; never reused after a run is removed. */
  readonly id: number;
  /** e.g. `#2 LSTM brackets classifier`. */
  readonly label: string;
  /** CSS colour of the run's curves (fixed by its id). */
  readonly colour: string;
  readonly series: RunSeries;
  /** In the order they were recorded. */
  readonly evals: readonly EvalPoint[];
  readonly timestep: TimestepCurves | undefined;
  /** The latest gate saturation (empty: no gated cells, or no diagnostics yet). */
  readonly gates: readonly GateSaturation[];
  readonly gateTrack: GateTrack;
  readonly stepsPerSecond: number;
  /** undefined while it runs. */
  readonly ended: 'done' | 'stopped' | 'halted' | 'failed' | undefined;
  /** Drawn on the charts (the current run and previous runs alike). */
  readonly shown: boolean;
}

export interface RunsView {
  readonly runs: readonly RunRecord[];
  /** The run in progress or last started; undefined before the first (or once it is removed). */
  readonly current: number | undefined;
}

// The store below is the contract the training session and the charts share; see beginRun etc.
let state: RunsView = { runs: [], current: undefined };
let nextId = 1;
const listeners = new Set<() => void>();

export const getRuns = (): RunsView => state;

export function subscribeRuns(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function publish(next: RunsView): void {
  state = next;
  for (const l of listeners) l();
}

type Typed = Float64Array | Uint8Array;

/**
 * `old` with room for `need` elements: itself when it has it, else a copy into an array of at
 * least twice the capacity (so n appends copy O(n) elements in all).
 */
export function ensureCapacity<A extends Typed>(old: A, used: number, need: number): A {
  if (need <= old.length) return old;
  let cap = Math.max(16, old.length);
  while (cap < need) cap *= 2;
  const out = new (old.constructor as new (n: number) => A)(cap);
  out.set(old.subarray(0, used) as never);
  return out;
}

/** Append `add` at `used` (growing as needed); returns the array to keep. */
function append<A extends Typed>(old: A, used: number, add: ArrayLike<number>): A {
  const out = ensureCapacity(old, used, used + add.length);
  out.set(add as never, used);
  return out;
}

const EMPTY_SERIES: RunSeries = { length: 0, steps: new Float64Array(0), loss: new Float64Array(0), metric: new Float64Array(0), gradNorm: new Float64Array(0), clipped: new Uint8Array(0) };
const EMPTY_GATES: GateTrack = { length: 0, keys: [], steps: new Float64Array(0), low: [], high: [] };

/** `series` with a batch's steps appended. */
export function appendSeries(s: RunSeries, b: Pick<MetricsBatch, 'steps' | 'loss' | 'metric' | 'gradNorm' | 'clipped'>): RunSeries {
  if (b.steps.length === 0) return s;
  return {
    length: s.length + b.steps.length,
    steps: append(s.steps, s.length, b.steps),
    loss: append(s.loss, s.length, b.loss),
    metric: append(s.metric, s.length, b.metric),
    gradNorm: append(s.gradNorm, s.length, b.gradNorm),
    clipped: append(s.clipped, s.length, b.clipped),
  };
}

/** `track` with one step's gate saturation appended; gates it has not seen before start empty-handed (NaN before). */
export function appendGates(track: GateTrack, step: number, gates: readonly GateSaturation[]): GateTrack {
  if (gates.length === 0) return track;
  const n = track.length;
  const keys = [...track.keys];
  const low = [...track.low];
  const high = [...track.high];
  const values = new Map<string, { low: number; high: number }>();
  for (const g of gates) for (const x of g.gates) values.set(`${g.node}.${x.name}`, x);
  for (const key of values.keys()) {
    if (keys.includes(key)) continue;
    keys.push(key);
    low.push(new Float64Array(track.steps.length).fill(NaN));
    high.push(new Float64Array(track.steps.length).fill(NaN));
  }
  keys.forEach((key, k) => {
    const v = values.get(key);
    low[k] = append(low[k]!, n, [v?.low ?? NaN]);
    high[k] = append(high[k]!, n, [v?.high ?? NaN]);
  });
  return { length: n + 1, keys, steps: append(track.steps, n, [step]), low, high };
}

/** A new run becomes the current one; returns its id. */
export function beginRun(init: RunInit): number {
  const id = nextId++;
  const run: RunRecord = {
    ...init,
    id,
    label: `#${id} ${init.graphName}`,
    colour: runColour(id),
    series: EMPTY_SERIES,
    evals: [],
    timestep: undefined,
    gates: [],
    gateTrack: EMPTY_GATES,
    stepsPerSecond: 0,
    ended: undefined,
    shown: true,
  };
  publish({ runs: [...state.runs, run], current: id });
  return id;
}

function updateRun(id: number | undefined, f: (r: RunRecord) => RunRecord): void {
  if (id === undefined || !state.runs.some((r) => r.id === id)) return;
  publish({ ...state, runs: state.runs.map((r) => (r.id === id ? f(r) : r)) });
}

/** `r` with a metrics batch appended. */
function withBatch(r: RunRecord, batch: MetricsBatch): RunRecord {
  let gateTrack = r.gateTrack;
  for (const d of batch.diagnostics) gateTrack = appendGates(gateTrack, d.step, d.gates);
  const d = batch.diagnostics.findLast((x) => x.states.length > 0);
  const g = batch.diagnostics.findLast((x) => x.gates.length > 0);
  return {
    ...r,
    series: appendSeries(r.series, batch),
    evals: batch.evals.length === 0 ? r.evals : [...r.evals, ...batch.evals.map((e) => ({ split: e.split, step: e.step, loss: e.loss, metric: e.metric }))],
    timestep: d !== undefined ? { step: d.step, states: d.states } : r.timestep,
    gates: g !== undefined ? g.gates : r.gates,
    gateTrack,
    stepsPerSecond: batch.stepsPerSecond,
    // A run started again after Stop (the session goes on with the same weights) is running again.
    ended: batch.status.state === 'running' ? undefined : r.ended,
  };
}

/*
 * The writers below name the run they write to: the session passes the id beginRun gave it, so a
 * record never lands on another run (the current one may have been removed, or be another's). The
 * id defaults to the current run for the tests that drive the store alone. A removed run's id
 * writes nothing.
 */

/** Append a metrics batch to run `id`. */
export function recordBatch(batch: MetricsBatch, id: number | undefined = state.current): void {
  updateRun(id, (r) => withBatch(r, batch));
}

/** Append one step taken outside the run loop (the Step button) to run `id`: its series, curves and gates. */
export function recordStep(step: StepReport, id: number | undefined = state.current): void {
  const window = new MetricsWindow();
  window.addStep(step);
  // The status is not read from a single step's batch (only its series are).
  const { batch } = window.take({ state: 'idle', step: step.step, steps: 0, backend: { name: 'cpu' } }, 0, 0, 0);
  // A single step has no speed of its own, and does not change how the run ended.
  updateRun(id, (r) => ({ ...withBatch(r, batch), stepsPerSecond: r.stepsPerSecond, ended: r.ended }));
}

/** An evaluation made outside the run loop (before the first step, or by the Evaluate button). */
export function recordEval(point: EvalPoint, id: number | undefined = state.current): void {
  updateRun(id, (r) => ({ ...r, evals: [...r.evals, point] }));
}

export function endRun(ended: NonNullable<RunRecord['ended']>, id: number | undefined = state.current): void {
  updateRun(id, (r) => ({ ...r, ended }));
}

/** Run `id` goes on to `steps` (Steps was raised, or lowered, and Start went on with the run). */
export function retargetRun(id: number, steps: number): void {
  updateRun(id, (r) => (r.steps === steps ? r : { ...r, steps }));
}

/** Whether run `id` is still in the store (not removed). */
export const hasRun = (id: number | undefined): boolean => id !== undefined && state.runs.some((r) => r.id === id);

/** Show or hide a run on the charts. */
export function setRunShown(id: number, shown: boolean): void {
  updateRun(id, (r) => (r.shown === shown ? r : { ...r, shown }));
}

/** Forget a run (its curves go from the charts). Removing the current run ends its recording. */
export function removeRun(id: number): void {
  if (!state.runs.some((r) => r.id === id)) return;
  publish({ runs: state.runs.filter((r) => r.id !== id), current: state.current === id ? undefined : state.current });
}

/** Forget every run (tests; a new session). Ids keep counting. */
export function clearRuns(): void {
  publish({ runs: [], current: undefined });
}
