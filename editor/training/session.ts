/**
 * The tab's training session: one worker (through the runtime's TrainerClient), the graph loaded
 * into it, and a small summary of the run for the UI. It has its own store, apart from the
 * document's, so ten metrics batches a second re-render the training controls and nothing else.
 *
 * What the worker holds outlives a run: Start trains the weights it has (after Stop, a Start goes
 * on from there), Reset drops them. When the graph changed since it was loaded, Start loads it
 * again, keeping what one rule allows (see `prepare`): a change of steps or evaluate-every only
 * carries the whole run over (a checkpoint: weights, optimiser, step, random streams); any other
 * change (the backend chosen included) starts afresh, with a notice when trained weights are
 * dropped. While a run is loading, running or paused the document is locked (store.ts's
 * `setEditLock`): only moving blocks is allowed.
 *
 * Commands run one after another (`exclusive`), Start's loading included; the run itself goes on
 * beside the queue, so Evaluate, downloads and checkpoints are answered while it trains. A command
 * never sets the state of a Start queued behind it: inside the queue, `loading` means a Start is
 * waiting its turn. A refused file changes nothing: when the worker must load the open graph
 * before trying it, what it held is checkpointed first and put back (`onDoc`).
 */
import { unrollError, type UnrollError } from '../../runtime/errors/catalogue.ts';
import type { GraphDoc, TrainingSpec } from '../../runtime/graph/types.ts';
import type { EvalReport, StepReport } from '../../runtime/train/trainer.ts';
import type { InspectReport, PredictionPage } from '../../runtime/train/inspect.ts';
import { TrainerClient, TrainingFault } from '../../runtime/worker/client.ts';
import type { BackendInfo, LoadInfo, MetricsBatch, RunState, Status } from '../../runtime/worker/protocol.ts';
import { spawnBrowserWorker } from '../../runtime/worker/spawn-browser.ts';
import { trainingSettings } from '../model/training-settings.ts';
import { dataSourceFor, dataStamp } from '../data/session-data.ts';
import { getState, notify, setEditLock } from '../store.ts';
import { beginRun, endRun, hasRun, recordBatch, recordEval, recordStep, retargetRun, type EvalPoint } from './runs.ts';
import { hashKey, type CheckpointFit } from './checkpoint-fit.ts';
import { BACKEND_LABELS, getBackendChoice, type BackendChoice } from './backend-choice.ts';

/** What the worker holds, described for the panel. */
export interface LoadedRun {
  /** The graph's name when it was loaded. */
  readonly graphName: string;
  readonly task: string;
  readonly metricName: string;
  readonly higherIsBetter: boolean;
  /** The task's evaluation splits, the first being the one evaluated during a run. */
  readonly splits: readonly string[];
  readonly parameters: number;
}

export interface TrainingView {
  /** `loading`: the worker is starting, compiling the graph, evaluating step 0. `failed`: see `errors`. */
  readonly state: RunState | 'loading' | 'failed';
  /** Optimiser steps the weights in the worker have had. */
  readonly step: number;
  /** Steps the run trains to. */
  readonly steps: number;
  readonly loss: number | undefined;
  readonly metric: number | undefined;
  readonly metricName: string | undefined;
  readonly stepsPerSecond: number;
  /** Metrics batches received in this run. */
  readonly batches: number;
  /** The last evaluation (during the run, before it, or asked for). */
  readonly lastEval: EvalPoint | undefined;
  /** The evaluation of the first split when the run began (its "initial value"). */
  readonly initialEval: EvalPoint | undefined;
  readonly errors: readonly UnrollError[];
  /** How the last run ended. */
  readonly ended: 'done' | 'stopped' | undefined;
  /** The step the last Start trained on from (0, or where trained or restored weights left off). */
  readonly startStep: number | undefined;
  /** What the worker holds; undefined before the first load and after Reset. */
  readonly loaded: LoadedRun | undefined;
  /** A command under way beside the run (the panel disables what would collide with it). */
  readonly busy: 'loading' | 'evaluating' | 'weights' | 'checkpoint' | undefined;
  /**
   * Where the worker's run trains now (from the load, then from every metrics batch's status: a
   * GPU lost mid-run turns it to the CPU, with a notice); undefined while nothing is loaded.
   */
  readonly backend: BackendInfo | undefined;
}

const IDLE: TrainingView = {
  state: 'empty',
  step: 0,
  steps: 0,
  loss: undefined,
  metric: undefined,
  metricName: undefined,
  stepsPerSecond: 0,
  batches: 0,
  lastEval: undefined,
  initialEval: undefined,
  errors: [],
  ended: undefined,
  startStep: undefined,
  loaded: undefined,
  busy: undefined,
  backend: undefined,
};

/** The notice an edit gets while a run uses the graph. */
export const EDIT_LOCK_TEXT = 'Stop training to edit the graph (moving blocks is fine).';

/** A command's result, or the catalogue errors that explain why not (the panel shows them). */
export type Outcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly errors: readonly UnrollError[] };

let view: TrainingView = IDLE;
const listeners = new Set<() => void>();
let client: TrainerClient | undefined;
/** Resolves when the current run (load and initial evaluation included) has ended. */
let running: Promise<void> | undefined;
/** Stop was asked for while the run was still loading: it ends before its first step. */
let stopAsked = false;
/** From a Start until its run has ended (its loading included): a second Start is refused meanwhile. */
let active = false;
/** The last run halted or failed: the next Start (or Step) loads the graph afresh. */
let spoilt = false;
/** The worker's weights came from a weights file, not from training here since initialisation. */
let fromFile = false;
/** Worker failures the session has taken note of (the client lists every one). */
let failuresSeen = 0;

/** The graph in the worker, and the keys that tell what a document changed against it. */
interface Loaded {
  /** The document loaded (overrides written in). */
  readonly doc: GraphDoc;
  readonly model: string;
  readonly run: string;
  readonly full: string;
  readonly info: LoadInfo;
  /** The backend asked for at the load (what ran may differ: `info.backend`, `view.backend`). */
  readonly backend: BackendChoice;
}
let loaded: Loaded | undefined;
/** The runs-store id of the run the worker's weights are training in; undefined: Start begins a new one. */
let runId: number | undefined;
/** The commands, one after another (Start's loading included; a second load must not overtake the first). */
let queue: Promise<unknown> = Promise.resolve();

export const isGoing = (v: TrainingView = view): boolean => v.state === 'loading' || v.state === 'running' || v.state === 'paused';

function set(patch: Partial<TrainingView>): void {
  view = { ...view, ...patch };
  setEditLock(isGoing(view) ? EDIT_LOCK_TEXT : undefined);
  for (const l of listeners) l();
}

export const getTraining = (): TrainingView => view;

export function subscribeTraining(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

const theClient = (): TrainerClient => (client ??= new TrainerClient({ spawn: spawnBrowserWorker }));

// Keys of a document for what the worker's run depends on; positions and the name are left out.
const computation = (doc: GraphDoc): unknown => ({
  nodes: doc.nodes.map((n) => [n.id, n.type, n.params ?? {}, n.loop ?? null]),
  edges: doc.edges,
  loops: doc.loops ?? [],
  task: doc.task ?? null,
  data: dataStamp(doc),
});
/** The weights' shapes and the task. */
export const modelKey = (doc: GraphDoc): string => JSON.stringify(computation(doc));
/** The run's identity: everything but the steps to train to and how often to evaluate. */
const runKey = (doc: GraphDoc): string => JSON.stringify([computation(doc), { ...trainingSettings(doc), steps: 0, evalEvery: 0 }]);
const fullKey = (doc: GraphDoc): string => JSON.stringify([computation(doc), trainingSettings(doc)]);

/** `doc` with `overrides` written into its training section (the test API's `start({ steps })`). */
function withOverrides(doc: GraphDoc, overrides: Partial<TrainingSpec>): GraphDoc {
  const given = Object.entries(overrides).filter(([, v]) => v !== undefined);
  return given.length === 0 ? doc : { ...doc, training: { ...doc.training, ...Object.fromEntries(given) } };
}

/**
 * How `doc` (and the backend chosen) differ from what the worker holds, so what Start will keep
 * (see `prepare`): `steps` (only steps or evaluate-every: the run goes on), `backend` (the backend
 * chosen: afresh), `settings` (other settings: afresh), `graph` (afresh).
 */
export function staleAgainst(doc: GraphDoc): 'same' | 'steps' | 'backend' | 'settings' | 'graph' | 'nothing loaded' {
  if (loaded === undefined) return 'nothing loaded';
  if (loaded.model !== modelKey(doc)) return 'graph';
  if (loaded.run !== runKey(doc)) return 'settings';
  if (loaded.backend !== getBackendChoice()) return 'backend';
  return loaded.full === fullKey(doc) ? 'same' : 'steps';
}

/** The backend the worker's weights were loaded for, when another is chosen now (its label then and now). */
export function backendChange(): { readonly from: string; readonly to: string } | undefined {
  const now = getBackendChoice();
  return loaded === undefined || loaded.backend === now ? undefined : { from: BACKEND_LABELS[loaded.backend], to: BACKEND_LABELS[now] };
}

/** What a checkpoint of `doc`'s run is of, stored with it so the list can tell one that does not fit (checkpoint-fit.ts). */
export const checkpointFitOf = (doc: GraphDoc): CheckpointFit => ({ computation: hashKey(modelKey(doc)), settings: trainingSettings(doc) });

/** The settings (steps and evaluate-every aside) in which `b` differs from `a`. */
function changedSettings(a: GraphDoc, b: GraphDoc): string[] {
  const x = trainingSettings(a);
  const y = trainingSettings(b);
  return (Object.keys(x) as (keyof TrainingSpec)[]).filter((k) => k !== 'steps' && k !== 'evalEvery' && x[k] !== y[k]);
}

/**
 * Show where the run trains now. A notice the run did not have before (WebGPU asked for and not
 * available, a device lost mid-run) is shown once, and stays until dismissed: it may come while
 * nobody watches. `fresh`: a new load, whose notice is news even when the last load had the same.
 */
function noteBackend(backend: BackendInfo, fresh = false): void {
  const before = fresh ? undefined : view.backend;
  const notice = backend.notice;
  if (before === undefined || before.name !== backend.name || before.adapter !== backend.adapter || before.notice !== notice) set({ backend });
  if (notice !== undefined && notice !== before?.notice && !getState().notices.some((n) => n.text.includes(notice))) {
    notify(backend.name === 'cpu' ? 'error' : 'info', `WebGPU: ${notice}`, { sticky: true });
  }
}

/**
 * After a command that computed on the worker's backend outside a run (a step, an evaluation): a
 * lost GPU shows at once. Never fails the command that went well: a worker that died meanwhile is
 * noticed by the next command (`noteCrash`).
 */
async function refreshBackend(c: TrainerClient): Promise<void> {
  try {
    const s = await c.status();
    if (s.state !== 'empty') noteBackend(s.backend);
  } catch {
    // See above.
  }
}

const refused = (message: string): Outcome<never> => ({ ok: false, errors: [unrollError('E447', message)] });

/** The run is going in the worker. (Inside the queue, `loading` is a Start waiting behind the command.) */
const runGoing = (): boolean => view.state === 'running' || view.state === 'paused';

/** The run record the worker's weights train in; undefined when there is none or it was removed (the next Start begins one). */
const liveRun = (): number | undefined => (hasRun(runId) ? runId : undefined);

/** The worker's weights are lost (it died) or unknown: the next command loads afresh, and nothing reads them meanwhile. */
function forget(): void {
  loaded = undefined;
  runId = undefined;
  if (client !== undefined) failuresSeen = client.failures.length;
  if (view.loaded !== undefined) set({ loaded: undefined });
}

/**
 * Take note of a worker that died while no call waited on it (so no call failed): its weights are
 * lost, and the client would answer the next call from a fresh worker with the graph reloaded.
 */
function noteCrash(): void {
  if (client === undefined || client.failures.length === failuresSeen) return;
  const had = loaded !== undefined;
  forget();
  if (had) notify('error', 'The training worker stopped: its trained weights are lost, and the next command loads the graph afresh.');
}

/**
 * Steps taken with Step while the run is paused, waiting for the run's metrics to catch up: pause
 * answers at once, and the run loop sends the steps it took before the pause a moment later, so a
 * Step's report may arrive first. `delivered` is the last step the run has on record.
 */
let pausedSteps: StepReport[] = [];
let delivered = 0;

/** Record the paused steps that now follow on from what the run has on record; with `all`, every one left (the run has ended). */
function drainPausedSteps(id: number | undefined, all = false): void {
  while (pausedSteps.length > 0 && (all || pausedSteps[0]!.step <= delivered + 1)) {
    const r = pausedSteps.shift()!;
    recordStep(r, id);
    delivered = Math.max(delivered, r.step);
  }
}

function onMetrics(b: MetricsBatch, id: number | undefined): void {
  recordBatch(b, id);
  noteBackend(b.status.backend);
  const last = b.steps.length - 1;
  if (last >= 0) delivered = Math.max(delivered, b.steps[last]!);
  drainPausedSteps(id);
  const ev = b.evals.at(-1);
  set({
    // Only the run's end (startTraining) sets it idle: a last batch saying so must not drop the lock before then.
    ...(b.status.state === 'running' || b.status.state === 'paused' ? { state: b.status.state } : {}),
    step: b.status.step,
    steps: b.status.steps,
    stepsPerSecond: b.stepsPerSecond,
    batches: view.batches + 1,
    ...(last >= 0 ? { loss: b.loss[last], metric: b.metric[last] } : {}),
    ...(ev !== undefined ? { lastEval: { split: ev.split, step: ev.step, metric: ev.metric, loss: ev.loss } } : {}),
  });
}

/**
 * The catalogue errors of a failed command. A worker that died took its weights with it (E446);
 * anything that is no TrainingFault is a failure of the session's own (a bug, a browser refusal),
 * after which what the worker holds is unknown: both forget it, so the next command loads afresh.
 */
const faultErrors = (e: unknown): readonly UnrollError[] => {
  const errors = e instanceof TrainingFault ? e.errors : [unrollError('E446', `the training session failed: ${e instanceof Error ? e.message : String(e)}`)];
  if (errors.some((x) => x.code === 'E446')) forget();
  return errors;
};

/** Run `f` after the commands queued before it (a second load must not overtake the first). */
function exclusive<T>(f: () => Promise<T>): Promise<T> {
  const next = queue.then(() => {
    noteCrash();
    return f();
  });
  queue = next.catch(() => undefined);
  return next;
}

/** `f` in the queue, shown as `busy`; its failure becomes errors in the view and the outcome. */
function serial<T>(busy: NonNullable<TrainingView['busy']>, f: (c: TrainerClient) => Promise<T>): Promise<Outcome<T>> {
  return exclusive(async (): Promise<Outcome<T>> => {
    set({ busy });
    try {
      return { ok: true, value: await f(theClient()) };
    } catch (e) {
      const errors = faultErrors(e);
      set({ errors });
      return { ok: false, errors };
    } finally {
      set({ busy: undefined });
    }
  });
}

/** Load `doc` into the worker, on `backend` (default: the one chosen now): fresh weights at step 0, no run begun. */
async function load(c: TrainerClient, doc: GraphDoc, backend: BackendChoice = getBackendChoice()): Promise<Loaded> {
  loaded = undefined;
  runId = undefined;
  spoilt = false;
  fromFile = false;
  // A graph of task `dataset` trains on the file stored for it in this browser (E488 without one).
  const data = await dataSourceFor(doc);
  if (data !== undefined && 'errors' in data) throw new TrainingFault(data.errors);
  const info = await c.load({ doc, backend, ...(data !== undefined ? { data } : {}) });
  loaded = { doc, model: modelKey(doc), run: runKey(doc), full: fullKey(doc), info, backend };
  noteBackend(info.backend, true);
  set({
    step: 0,
    steps: info.config.steps,
    loss: undefined,
    metric: undefined,
    metricName: info.task.metric,
    stepsPerSecond: 0,
    lastEval: undefined,
    initialEval: undefined,
    ended: undefined,
    errors: [],
    loaded: { graphName: doc.name, task: info.task.name, metricName: info.task.metric, higherIsBetter: info.task.higherIsBetter, splits: info.task.splits.map((s) => s.name), parameters: info.parameters },
    ...(isGoing() ? {} : { state: 'idle' }),
  });
  return loaded;
}

/** The worker holds `doc`'s computation (weights of these shapes, this task); loads it if not. */
async function ensureModel(c: TrainerClient, doc: GraphDoc): Promise<Loaded> {
  return loaded !== undefined && c.alive && loaded.model === modelKey(doc) ? loaded : load(c, doc);
}

/** What the session held, to put back when a command that had to load another graph first is refused. */
interface Kept {
  readonly loaded: Loaded;
  readonly runId: number | undefined;
  readonly fromFile: boolean;
  readonly spoilt: boolean;
  readonly checkpoint: Uint8Array;
  readonly view: TrainingView;
}

/** Load the kept graph again and restore its checkpoint: the worker, the run record and the view are as they were. */
async function putBack(c: TrainerClient, kept: Kept): Promise<void> {
  try {
    // On the backend they were on: putting them back is no change of backend (see `prepare`).
    await load(c, kept.loaded.doc, kept.loaded.backend);
    await c.restore(kept.checkpoint);
  } catch (e) {
    // What the worker holds is unknown now: say so (the command's own error says why it was refused).
    const why = faultErrors(e)[0];
    forget();
    notify('error', `The trained weights could not be put back after the refused file${why !== undefined ? ` (${why.code}: ${why.message})` : ''}: the next command loads the graph afresh.`);
    return;
  }
  runId = kept.runId;
  fromFile = kept.fromFile;
  spoilt = kept.spoilt;
  const v = kept.view;
  set({
    step: v.step,
    steps: v.steps,
    loss: v.loss,
    metric: v.metric,
    metricName: v.metricName,
    lastEval: v.lastEval,
    initialEval: v.initialEval,
    ended: v.ended,
    startStep: v.startStep,
    loaded: v.loaded,
    ...(isGoing() ? {} : { state: v.state }),
  });
}

/**
 * Run `f` with the worker holding `doc` (with exactly its settings, or its computation at least).
 * When it must load `doc` first, which replaces the weights it holds, they are checkpointed before
 * and put back if the load or `f` fails: a refused file changes nothing. (`f` itself changes
 * nothing when it fails: the worker checks a file whole before taking any of it.)
 */
async function onDoc<T>(c: TrainerClient, doc: GraphDoc, exact: boolean, f: () => Promise<T>): Promise<T> {
  const held = loaded !== undefined && c.alive ? loaded : undefined;
  // Exactly: with the backend chosen too, so that what `f` puts in is what the next Start trains on (see `prepare`).
  if (held !== undefined && (exact ? held.full === fullKey(doc) && held.backend === getBackendChoice() : held.model === modelKey(doc))) return f();
  const kept: Kept | undefined = held !== undefined ? { loaded: held, runId, fromFile, spoilt, view, checkpoint: await c.checkpoint() } : undefined;
  try {
    await load(c, doc);
    return await f();
  } catch (e) {
    if (kept !== undefined && !(e instanceof TrainingFault && e.errors.some((x) => x.code === 'E446'))) await putBack(c, kept);
    throw e;
  }
}

/** What `prepare` did: went on with the weights the worker held, or loaded the graph afresh. */
interface Prepared {
  readonly loaded: Loaded;
  readonly continued: boolean;
}

/**
 * Bring the worker to `doc` for Start (or Step). The rule, so that a run on record is one run of
 * one set of settings, comparable with a fresh run of them:
 * - only `steps` or `evalEvery` changed: the run goes on. A checkpoint carries its weights,
 *   optimiser state, step and random streams over the reload; its record trains on to the new steps.
 * - any other setting changed (seed, batch, learning rate, optimiser and its constants, weight
 *   decay, clipping, truncation, linear start), the backend chosen (backend-choice.ts: a GPU's
 *   kernels round differently from the CPU's, so a run moved across would be neither), or the
 *   graph, its task or data: the graph is loaded afresh (new weights at step 0) and a new run
 *   begins; a notice says so when trained weights were dropped. Clipping counts too: a checkpoint
 *   names it, and a run whose threshold moved midway would not compare with a fresh one. Training weights on under other settings is an
 *   explicit choice: load them as a file after the change (Weights → Load weights).
 * - nothing loaded, or the last run halted or failed: afresh.
 */
async function prepare(c: TrainerClient, doc: GraphDoc): Promise<Prepared> {
  const held = loaded;
  if (held === undefined || !c.alive || spoilt || held.model !== modelKey(doc)) return { loaded: await load(c, doc), continued: false };
  const backend = getBackendChoice();
  if (held.run !== runKey(doc) || held.backend !== backend) {
    const trained = fromFile || (await c.status()).step > 0;
    const next = await load(c, doc);
    if (trained) {
      const changes = [...changedSettings(held.doc, doc), ...(held.backend !== backend ? [`backend ${BACKEND_LABELS[held.backend]} → ${BACKEND_LABELS[backend]}`] : [])];
      notify(
        'info',
        `Settings changed since these weights were trained (${changes.join(', ')}): they were initialised afresh and a new run begins. ` +
          'To train weights on under changed settings, download them before the change and load them after it.',
      );
    }
    return { loaded: next, continued: false };
  }
  if (held.full !== fullKey(doc)) {
    const checkpoint = await c.checkpoint();
    const keep = { runId, fromFile, view };
    const next = await load(c, doc);
    const s = await c.restore(checkpoint);
    runId = keep.runId;
    fromFile = keep.fromFile;
    const v = keep.view;
    set({ step: s.step, steps: s.steps, loss: v.loss, metric: v.metric, lastEval: v.lastEval, initialEval: v.initialEval, startStep: v.startStep });
    return { loaded: next, continued: true };
  }
  return { loaded: held, continued: true };
}

/** Evaluate `split` now; the point (at the step of the weights the worker evaluated) goes on record in the run they train in, if any. */
async function evaluateAt(c: TrainerClient, split: string): Promise<EvalPoint & Pick<EvalReport, 'count' | 'byLength'>> {
  const ev = await c.evaluate(split);
  const point: EvalPoint = { split, step: ev.step, loss: ev.loss, metric: ev.metric };
  const id = liveRun();
  if (id !== undefined) recordEval(point, id);
  set({ lastEval: point });
  await refreshBackend(c);
  return { ...point, count: ev.count, ...(ev.byLength !== undefined ? { byLength: ev.byLength } : {}) };
}

/**
 * The run record the worker's weights train in: the live one (now training to `status.steps`), else
 * a new one, begun with an evaluation of the first split at the step it begins from (its initial value).
 */
async function runFor(c: TrainerClient, doc: GraphDoc, info: LoadInfo, status: Status): Promise<number> {
  const live = liveRun();
  if (live !== undefined) {
    retargetRun(live, status.steps);
    return live;
  }
  const id = beginRun({ graphName: doc.name, task: info.task.name, metricName: info.task.metric, higherIsBetter: info.task.higherIsBetter, clip: info.config.clip, steps: status.steps });
  runId = id;
  const first = info.task.splits[0]?.name;
  if (first !== undefined) {
    const { split, step, loss, metric } = await evaluateAt(c, first);
    set({ initialEval: { split, step, loss, metric } });
  }
  return id;
}

/** How a Start went: the step its training began from, and whether it went on with the weights the worker held (see `prepare`). */
export interface Started {
  readonly step: number;
  readonly continued: boolean;
}

/** A Start's loading done: the run is ready to train from `step` to `steps`. */
interface Ready {
  readonly step: number;
  readonly steps: number;
  readonly continued: boolean;
}

/**
 * Train `doc` (with `overrides` over its settings): load what needs loading (see `prepare`), begin
 * a run record with an evaluation of the first split unless the weights train in one already, then
 * run. Resolves once training has started, or with why not: refused (E447) while the run of an
 * earlier Start has not ended, or when every step is done; failed (the errors are in the view as
 * well); or stopped while it loaded (ok, no step taken).
 */
export function startTraining(doc: GraphDoc, overrides: Partial<TrainingSpec> = {}): Promise<Outcome<Started>> {
  if (active) return Promise.resolve(refused('a run is already starting or going: stop it, or let it end, before starting another'));
  active = true;
  const target = withOverrides(doc, overrides);
  stopAsked = false;
  set({ state: 'loading', errors: [], ended: undefined, batches: 0, stepsPerSecond: 0 });
  let answer!: (o: Outcome<Started>) => void;
  const answered = new Promise<Outcome<Started>>((r) => (answer = r));
  const c = theClient();
  /** Stopped while loading: the run ends before its first step. */
  const stoppedAt = (step: number, id: number | undefined, continued: boolean): Outcome<Started> => {
    set({ state: 'idle', step, ended: 'stopped' });
    if (id !== undefined) endRun('stopped', id);
    return { ok: true, value: { step, continued } };
  };
  running = (async () => {
    let id: number | undefined;
    try {
      const ready = await exclusive(async (): Promise<Outcome<Started> | Ready> => {
        const {
          loaded: { info },
          continued,
        } = await prepare(c, target);
        const status = await c.status();
        if (status.step >= status.steps) {
          set({ state: 'idle', step: status.step, steps: status.steps });
          notify('info', `All ${status.steps} steps are done: raise Steps to train on, or Reset to start over.`);
          return refused(`all ${status.steps} steps are done: raise Steps to train on, or Reset to start over`);
        }
        if (!stopAsked) id = await runFor(c, target, info, status);
        return stopAsked ? stoppedAt(status.step, id, continued) : { step: status.step, steps: status.steps, continued };
      });
      if ('ok' in ready) {
        answer(ready);
        return;
      }
      // Stop may have come between the loading's end and here; from here on the worker's stop reaches the run.
      if (stopAsked) {
        answer(stoppedAt(ready.step, id, ready.continued));
        return;
      }
      const run = id;
      pausedSteps = [];
      delivered = ready.step;
      set({ state: 'running', step: ready.step, steps: ready.steps, startStep: ready.step });
      const end = c.start((b) => onMetrics(b, run));
      answer({ ok: true, value: { step: ready.step, continued: ready.continued } });
      const over = await end;
      drainPausedSteps(run, true);
      set({ state: 'idle', step: over.step, ended: over.reason });
      endRun(over.reason, run);
    } catch (e) {
      drainPausedSteps(id, true);
      // Whatever failed (a TrainingFault or not), the run ends here: never stuck loading with the graph locked.
      const errors = faultErrors(e);
      const halted = errors[0]?.code === 'E442';
      spoilt = true;
      if (id !== undefined) endRun(halted ? 'halted' : 'failed', id);
      set({ state: halted ? 'halted' : 'failed', errors });
      answer({ ok: false, errors });
    } finally {
      active = false;
    }
  })();
  return answered;
}

/** A status from the worker, unless it has none to give (gone since): the session keeps its own then. */
function applyStatus(s: Status): void {
  if (s.state === 'empty') return;
  set({ state: s.state, step: s.step });
  noteBackend(s.backend);
}

async function control(f: (c: TrainerClient) => Promise<Status>): Promise<void> {
  try {
    applyStatus(await f(theClient()));
  } catch (e) {
    set({ state: 'failed', errors: faultErrors(e) });
  }
}

export async function pauseTraining(): Promise<void> {
  if (view.state === 'running') await control((c) => c.pause());
}

export async function resumeTraining(): Promise<void> {
  if (view.state === 'paused') await control((c) => c.resume());
}

/**
 * Take one step while paused, or between runs (bringing the worker to `doc` first, as Start would:
 * see `prepare`); resolves with the step's number. The step goes on record in the run the weights
 * train in (between runs without one, a record begins, as Start's would). Refused while a run
 * trains or starts.
 */
export async function stepTraining(doc?: GraphDoc): Promise<Outcome<number>> {
  if (view.state === 'running' || view.state === 'loading') return refused('cannot take a step while the run is going or starting: pause it first');
  if (view.state === 'paused') {
    try {
      const r = await theClient().step();
      pausedSteps.push(r);
      drainPausedSteps(liveRun());
      set({ step: r.step, loss: r.loss, metric: r.metric });
      await refreshBackend(theClient());
      return { ok: true, value: r.step };
    } catch (e) {
      const errors = faultErrors(e);
      set({ errors });
      return { ok: false, errors };
    }
  }
  return serial('loading', async (c) => {
    const target = doc ?? loaded?.doc;
    if (target === undefined) throw new TrainingFault([unrollError('E447', 'cannot take a step: no graph is loaded')]);
    const { info } = (await prepare(c, target)).loaded;
    const id = await runFor(c, target, info, await c.status());
    let r;
    try {
      r = await c.step();
    } catch (e) {
      if (e instanceof TrainingFault && e.code === 'E442') {
        spoilt = true;
        endRun('halted', id);
        if (!isGoing()) set({ state: 'halted' });
      }
      throw e;
    }
    recordStep(r, id);
    endRun('stopped', id);
    // A Start queued behind this step is loading: its state is its own.
    set({ step: r.step, loss: r.loss, metric: r.metric, ...(isGoing() ? {} : { state: 'idle' }) });
    await refreshBackend(c);
    return r.step;
  });
}

/** Stop the run (or the start under way); resolves when it has ended. */
export async function stopTraining(): Promise<void> {
  if (running === undefined) return;
  stopAsked = true;
  // While loading, the run ends before its first step (see startTraining); once it runs, the worker stops it.
  if (view.state !== 'loading' && client !== undefined) {
    try {
      await client.stop();
    } catch (e) {
      set({ state: 'failed', errors: faultErrors(e) });
    }
  }
  await running;
}

/** Drop the trained weights and the run: the next Start (or Evaluate) loads the graph afresh. */
export async function resetTraining(): Promise<void> {
  await stopTraining();
  await queue;
  loaded = undefined;
  runId = undefined;
  spoilt = false;
  fromFile = false;
  set(IDLE);
}

/**
 * Evaluate `split` (default: the task's first) now, with the weights the worker holds; between
 * runs, `doc` is loaded first when the worker holds another computation.
 */
export function evaluateTraining(doc: GraphDoc, split?: string): Promise<Outcome<EvalPoint & Pick<EvalReport, 'count' | 'byLength'>>> {
  return serial('evaluating', async (c) => {
    const { info } = runGoing() && loaded !== undefined ? loaded : await ensureModel(c, doc);
    const name = split ?? info.task.splits[0]?.name;
    if (name === undefined) throw new TrainingFault([unrollError('E447', `task ${info.task.name} has no evaluation split`)]);
    return evaluateAt(c, name);
  });
}

/** The worker's weights as a safetensors file (`doc` loaded first when the worker holds another computation). */
export function weightsFile(doc: GraphDoc): Promise<Outcome<Uint8Array>> {
  return serial('weights', async (c) => {
    if (!runGoing()) await ensureModel(c, doc);
    return c.getWeights();
  });
}

/**
 * Load a safetensors file into the open graph's weights; resolves with the count of weights set.
 * Between runs `doc` is loaded first (with exactly its settings), so the file's weights are what
 * the next Start trains on; while paused they go into the run. A file that does not fit changes
 * nothing (the weights the worker held are put back: `onDoc`) and gives the catalogue's error.
 */
export function loadWeightsFile(doc: GraphDoc, bytes: Uint8Array): Promise<Outcome<number>> {
  const startedNow = view.state === 'running' || view.state === 'loading';
  return serial('weights', async (c) => {
    if (startedNow || view.state === 'running') throw new TrainingFault([unrollError('E447', 'cannot load weights while the run is going: pause or stop it first')]);
    const paused = view.state === 'paused';
    const n = paused ? await c.setWeights(bytes) : await onDoc(c, doc, true, () => c.setWeights(bytes));
    fromFile = true;
    spoilt = false;
    // New weights start a new run record at the next Start (with its own initial evaluation).
    if (!paused) runId = undefined;
    set({ loss: undefined, metric: undefined, lastEval: undefined, initialEval: undefined, ended: undefined, errors: [], ...(isGoing() ? {} : { state: 'idle' }) });
    return n;
  });
}

/** The worker's run as a checkpoint (weights, optimiser, step, random states), with what it is of (for the list). */
export function checkpointFile(doc: GraphDoc): Promise<Outcome<{ readonly bytes: Uint8Array; readonly fit: CheckpointFit }>> {
  return serial('checkpoint', async (c) => {
    const held = runGoing() ? loaded : await ensureModel(c, doc);
    if (held === undefined) throw new TrainingFault([unrollError('E447', 'cannot checkpoint: no graph is loaded')]);
    return { bytes: await c.checkpoint(), fit: checkpointFitOf(held.doc) };
  });
}

/**
 * Restore a checkpoint into `doc` (loaded with exactly its settings first); the next Start goes on
 * from its step. A checkpoint that does not fit changes nothing (`onDoc`) and gives the catalogue's error.
 */
export function restoreCheckpointFile(doc: GraphDoc, bytes: Uint8Array): Promise<Outcome<number>> {
  const goingNow = isGoing();
  return serial('checkpoint', async (c) => {
    if (goingNow || runGoing()) throw new TrainingFault([unrollError('E447', 'cannot restore a checkpoint while the run is going: stop it first')]);
    const s = await onDoc(c, doc, true, () => c.restore(bytes));
    runId = undefined;
    fromFile = true;
    spoilt = false;
    // A Start queued behind the restore is loading: its state is its own.
    set({ step: s.step, steps: s.steps, loss: undefined, metric: undefined, lastEval: undefined, initialEval: undefined, ended: undefined, errors: [], ...(isGoing() ? {} : { state: 'idle' }) });
    return s.step;
  });
}

/** A read of the worker's trained model beside the run (any state with a graph loaded); undefined when nothing is loaded. */
async function look<T>(f: (c: TrainerClient) => Promise<T>): Promise<Outcome<T> | undefined> {
  // A dead worker's weights are gone: the client would answer from a fresh worker, untrained.
  noteCrash();
  if (view.loaded === undefined || view.state === 'loading' || client === undefined || !client.alive) return undefined;
  try {
    return { ok: true, value: await f(client) };
  } catch (e) {
    return { ok: false, errors: faultErrors(e) };
  }
}

/** Example `index` of `split` as evaluation runs it, with every attention and memory node's weights (the Inspect tab). */
export const inspectExample = (split: string, index: number): Promise<Outcome<InspectReport> | undefined> => look((c) => c.inspect(split, index));

/** Rows `[offset, offset + count)` of `split` for the predictions table (the Inspect tab). */
export const predictionPage = (split: string, count: number, offset: number): Promise<Outcome<PredictionPage> | undefined> => look((c) => c.predictions(split, count, offset));

/** Tests only: destroy the GPU device under the worker's run (it moves to the CPU); false when the run is not on WebGPU. */
export async function destroyGpuDevice(): Promise<boolean> {
  return client !== undefined && client.alive ? client.destroyGpuDevice() : false;
}
