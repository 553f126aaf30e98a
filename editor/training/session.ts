/**
 * The tab's training session: one worker (through the runtime's TrainerClient), the open graph
 * loaded into it on Start, and a small summary of the run for the UI. It has its own store, apart
 * from the document's, so ten metrics batches a second re-render the training controls and
 * nothing else.
 */
import type { UnrollError } from '../../runtime/errors/catalogue.ts';
import type { GraphDoc } from '../../runtime/graph/types.ts';
import { TrainerClient, TrainingFault } from '../../runtime/worker/client.ts';
import type { MetricsBatch, RunState } from '../../runtime/worker/protocol.ts';
import { spawnBrowserWorker } from '../../runtime/worker/spawn-browser.ts';

export interface TrainingView {
  /** `loading`: the worker is starting and compiling the graph. `failed`: see `errors`. */
  readonly state: RunState | 'loading' | 'failed';
  readonly step: number;
  readonly steps: number;
  readonly loss: number | undefined;
  readonly metric: number | undefined;
  readonly metricName: string | undefined;
  readonly stepsPerSecond: number;
  /** Metrics batches received in this run. */
  readonly batches: number;
  /** The last evaluation during the run. */
  readonly lastEval: { readonly split: string; readonly step: number; readonly metric: number; readonly loss: number } | undefined;
  readonly errors: readonly UnrollError[];
  /** How the last run ended. */
  readonly ended: 'done' | 'stopped' | undefined;
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
  errors: [],
  ended: undefined,
};

let view: TrainingView = IDLE;
const listeners = new Set<() => void>();
let client: TrainerClient | undefined;
/** Resolves when the current run's `start` settles. */
let running: Promise<void> | undefined;

function set(patch: Partial<TrainingView>): void {
  view = { ...view, ...patch };
  for (const l of listeners) l();
}

export const getTraining = (): TrainingView => view;

export function subscribeTraining(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

const theClient = (): TrainerClient => (client ??= new TrainerClient({ spawn: spawnBrowserWorker }));

function onMetrics(b: MetricsBatch): void {
  const last = b.steps.length - 1;
  const ev = b.evals.at(-1);
  set({
    state: b.status.state,
    step: b.status.step,
    steps: b.status.steps,
    stepsPerSecond: b.stepsPerSecond,
    batches: view.batches + 1,
    ...(last >= 0 ? { loss: b.loss[last], metric: b.metric[last] } : {}),
    ...(ev !== undefined ? { lastEval: { split: ev.split, step: ev.step, metric: ev.metric, loss: ev.loss } } : {}),
  });
}

const faultErrors = (e: unknown): readonly UnrollError[] => {
  if (e instanceof TrainingFault) return e.errors;
  throw e;
};

/** Load `doc` into the worker and train it; resolves once the run has started (or failed to). */
export async function startTraining(doc: GraphDoc, overrides: { steps?: number } = {}): Promise<void> {
  if (view.state === 'running' || view.state === 'paused' || view.state === 'loading') return;
  set({ ...IDLE, state: 'loading' });
  const c = theClient();
  let started!: () => void;
  const isStarted = new Promise<void>((r) => (started = r));
  // The whole run, load included, so that Stop during loading cancels it too.
  running = (async () => {
    try {
      const info = await c.load({ doc, overrides });
      set({ state: 'running', steps: info.config.steps, metricName: info.task.metric });
      started();
      const end = await c.start(onMetrics);
      set({ state: 'idle', step: end.step, ended: end.reason });
    } catch (e) {
      const errors = faultErrors(e);
      set({ state: errors[0]?.code === 'E442' ? 'halted' : 'failed', errors });
    } finally {
      started();
    }
  })();
  await isStarted;
}

/** A status from the worker, unless it has none to give (gone since): the session keeps its own then. */
function applyStatus(s: { state: RunState; step: number }): void {
  if (s.state !== 'empty') set({ state: s.state, step: s.step });
}

async function control(f: (c: TrainerClient) => Promise<{ state: RunState; step: number }>): Promise<void> {
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

/** Take one step while paused (or between runs). */
export async function stepTraining(): Promise<void> {
  if (view.state !== 'paused' && view.state !== 'idle') return;
  try {
    const r = await theClient().step();
    set({ step: r.step, loss: r.loss, metric: r.metric });
  } catch (e) {
    set({ errors: faultErrors(e) });
  }
}

/** Stop the run (or the start under way); resolves when it has ended. */
export async function stopTraining(): Promise<void> {
  if (client === undefined || running === undefined) return;
  try {
    await client.stop();
  } catch (e) {
    set({ state: 'failed', errors: faultErrors(e) });
  }
  await running;
}
