/**
 * What the Inspect tab shows: the chosen evaluation example with its attention and memory weights
 * (read from the worker), and a page of the predictions table. A store of its own, watched by the
 * view and read by the test API, so a test reads exactly the data the view draws. It refreshes by
 * itself when a run pauses, ends or takes a single step, and when another graph is loaded; while a
 * run is going it keeps what it has (Refresh reads anew between steps).
 */
import type { UnrollError } from '../../runtime/errors/catalogue.ts';
import type { InspectReport, PredictionPage } from '../../runtime/train/inspect.ts';
import { getTraining, inspectExample, predictionPage, subscribeTraining, type LoadedRun, type TrainingView } from './session.ts';

/** Rows on one page of the predictions table. */
export const PAGE_ROWS = 20;

export interface InspectState {
  /** The evaluation split shown; undefined when no run is loaded. */
  readonly split: string | undefined;
  /** The example of the split the heatmaps show. */
  readonly index: number;
  /** First row of the predictions page. */
  readonly offset: number;
  readonly report: InspectReport | undefined;
  readonly page: PredictionPage | undefined;
  /** `empty`: nothing loaded in the worker; `reading`: a read is under way (the last data stays shown). */
  readonly status: 'empty' | 'reading' | 'ready' | 'failed';
  readonly errors: readonly UnrollError[];
}

const EMPTY: InspectState = { split: undefined, index: 0, offset: 0, report: undefined, page: undefined, status: 'empty', errors: [] };

let state: InspectState = EMPTY;
const listeners = new Set<() => void>();
/** Bumped by every read; an answer to an older one is dropped. */
let generation = 0;

function set(patch: Partial<InspectState>): void {
  state = { ...state, ...patch };
  for (const l of listeners) l();
}

export const getInspect = (): InspectState => state;

export function subscribeInspect(listener: () => void): () => void {
  watch();
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Read the example and the page for the current choice. */
export async function refreshInspect(): Promise<void> {
  watch();
  const loaded = getTraining().loaded;
  const split = state.split !== undefined && loaded?.splits.includes(state.split) ? state.split : loaded?.splits[0];
  const mine = ++generation;
  if (loaded === undefined || split === undefined) {
    set({ ...EMPTY });
    return;
  }
  set({ split, status: 'reading' });
  const [report, page] = await Promise.all([inspectExample(split, state.index), predictionPage(split, PAGE_ROWS, state.offset)]);
  if (mine !== generation) return;
  if (report === undefined || page === undefined) {
    // Nothing loaded (any more), or a load began meanwhile: the watcher reads again after it.
    set({ status: getTraining().loaded === undefined ? 'empty' : 'ready' });
    return;
  }
  const errors = [...(report.ok ? [] : report.errors), ...(page.ok ? [] : page.errors)];
  set({
    report: report.ok ? report.value : undefined,
    page: page.ok ? page.value : undefined,
    status: errors.length > 0 ? 'failed' : 'ready',
    errors,
  });
}

/** Show example `index` of `split` (clamped into the split when its size is known). */
export function selectExample(split: string | undefined, index: number): Promise<void> {
  const next = split ?? state.split;
  const count = next === state.split ? (state.report?.count ?? state.page?.count) : undefined;
  const clamped = Math.max(0, Math.min(Math.trunc(index), count !== undefined ? count - 1 : Number.MAX_SAFE_INTEGER));
  set({ split: next, index: clamped, ...(next !== state.split ? { offset: 0 } : {}) });
  return refreshInspect();
}

/** Show the predictions page starting at row `offset` (a multiple of the page size, within the split). */
export function showPage(offset: number): Promise<void> {
  const count = state.page?.count;
  const last = count !== undefined ? Math.max(0, Math.floor((count - 1) / PAGE_ROWS) * PAGE_ROWS) : Number.MAX_SAFE_INTEGER;
  set({ offset: Math.max(0, Math.min(Math.floor(offset / PAGE_ROWS) * PAGE_ROWS, last)) });
  return refreshInspect();
}

let watching = false;
let seen: { loaded: LoadedRun | undefined; state: TrainingView['state']; step: number } | undefined;

/** Refresh on the training session's changes: a new load, a pause or end, a single step. */
function watch(): void {
  if (watching) return;
  watching = true;
  seen = pick(getTraining());
  subscribeTraining(() => {
    const now = pick(getTraining());
    const before = seen;
    seen = now;
    if (before !== undefined && now.loaded === before.loaded && now.state === before.state && now.step === before.step) return;
    if (now.loaded === undefined) {
      generation++;
      set({ ...EMPTY });
      return;
    }
    if (now.loaded !== before?.loaded) set({ split: undefined, index: 0, offset: 0, report: undefined, page: undefined, errors: [] });
    // A going run keeps what is shown; the weights change too often to read after every step.
    if (now.state === 'running' || now.state === 'loading') return;
    void refreshInspect();
  });
}

const pick = (v: TrainingView): { loaded: LoadedRun | undefined; state: TrainingView['state']; step: number } => ({ loaded: v.loaded, state: v.state, step: v.step });

/** What the Inspect tab shows, for the test API: the choice, the report read for it (or the errors), the predictions page. */
export interface InspectShown {
  readonly split: string | undefined;
  readonly index: number;
  readonly status: InspectState['status'];
  /** `code: message` of each error the last read gave. */
  readonly errors: readonly string[];
  readonly report: InspectReport | undefined;
  readonly page: PredictionPage | undefined;
}

export function shownInspect(): InspectShown {
  const s = state;
  return { split: s.split, index: s.index, status: s.status, errors: s.errors.map((e) => `${e.code}: ${e.message}`), report: s.report, page: s.page };
}

/** The test API's `inspect`: show example `index` of `split` (the shown ones by default, read anew) and report what is shown. */
export async function inspectForTest(split?: string, index?: number): Promise<InspectShown> {
  await (split !== undefined || index !== undefined ? selectExample(split, index ?? (split !== undefined && split !== state.split ? 0 : state.index)) : refreshInspect());
  return shownInspect();
}

/** The test API's `predictions`: show the page at `offset` of `split` (the shown ones by default) and report it. */
export async function predictionsForTest(split?: string, offset?: number): Promise<PredictionPage | undefined> {
  if (split !== undefined && split !== state.split) set({ split, offset: 0 });
  await (offset !== undefined ? showPage(offset) : refreshInspect());
  return state.page;
}
