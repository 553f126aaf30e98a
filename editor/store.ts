/**
 * The editor's one store. The document lives in an undo history (model/history.ts) and changes only
 * through `dispatch(change)`; validation runs on every change; selection, view settings, notices
 * and the autosave status sit beside it. Components read it through `useEditor` and keep no graph
 * state of their own.
 */
import type { Patch } from 'immer';
import type { UnrollError } from '../runtime/errors/catalogue.ts';
import { unrollError } from '../runtime/errors/catalogue.ts';
import { parseGraph } from '../runtime/graph/parse.ts';
import { GRAPH_FORMAT, GRAPH_FORMAT_VERSION, LIMITS, splitEndpoint, type GraphDoc } from '../runtime/graph/types.ts';
import type { GraphAnalysis } from '../runtime/validate/types.ts';
import { analyzeGraph } from '../runtime/validate/validate.ts';
import { getEditLock } from './edit-lock.ts';
import { defaultExample, exampleSources } from './examples.ts';
import { NO_SELECTION, type Selection } from './flow-model.ts';
import { edgeKey, loopsDroppedWithSource, type Change } from './model/changes.ts';
import { canRedo, canUndo, edit, redo, startHistory, undo, type DocSource, type History } from './model/history.ts';
import { MAX_VIEW_STEPS } from './model/unrolled-flow.ts';

export interface Notice {
  readonly id: number;
  readonly kind: 'info' | 'error';
  readonly text: string;
}

/** A file that was refused: its name and every error, with JSON paths. */
export interface ImportProblem {
  readonly file: string;
  readonly errors: readonly UnrollError[];
}

export interface ViewState {
  /** The unrolled view is open beside the graph. */
  readonly unrolled: boolean;
  /** T of the unrolled view. */
  readonly steps: number;
  /** Node id of the cell opened to show its inside; undefined on the graph. */
  readonly composite: string | undefined;
  readonly snap: boolean;
  readonly help: boolean;
  /** The training panel is open below the workspace. */
  readonly training: boolean;
}

export interface StorageState {
  /** loading: first load not done (nothing is written); saved/pending: autosave works; off: no IndexedDB; error: a write failed and is retried. */
  readonly status: 'loading' | 'saved' | 'pending' | 'off' | 'error';
  readonly message?: string;
}

export interface EditorState {
  readonly history: History;
  readonly analysis: GraphAnalysis | undefined;
  /** Set when validation itself crashed (a bug, never the user's fault): the message to show. */
  readonly failure: string | undefined;
  readonly selection: Selection;
  readonly notices: readonly Notice[];
  readonly importProblem: ImportProblem | undefined;
  readonly view: ViewState;
  readonly storage: StorageState;
  /** The first load (draft or default example) is done. */
  readonly loaded: boolean;
  /** Bumped whenever a different document is opened, so the canvas fits it into view. */
  readonly epoch: number;
}

export const emptyDoc = (name = 'untitled'): GraphDoc => ({ format: GRAPH_FORMAT, version: GRAPH_FORMAT_VERSION, name, nodes: [], edges: [] });

function analyse(doc: GraphDoc): { analysis: GraphAnalysis | undefined; failure: string | undefined } {
  try {
    return { analysis: analyzeGraph(doc), failure: undefined };
  } catch (e) {
    console.error('analyzeGraph threw', e);
    return { analysis: undefined, failure: `validation crashed: ${String(e)}` };
  }
}

function initialState(): EditorState {
  const doc = emptyDoc();
  return {
    history: startHistory(doc, { kind: 'new', name: 'untitled' }),
    ...analyse(doc),
    selection: NO_SELECTION,
    notices: [],
    importProblem: undefined,
    view: { unrolled: false, steps: 3, composite: undefined, snap: true, help: false, training: false },
    storage: { status: 'loading' },
    loaded: false,
    epoch: 0,
  };
}

let state: EditorState = initialState();
const listeners = new Set<() => void>();

/** The current state (replace it through the functions below). */
export function getState(): EditorState {
  return state;
}

/** Call `listener` after every change; returns the unsubscribe function (useSyncExternalStore's shape). */
export function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function set(patch: Partial<EditorState>): void {
  state = { ...state, ...patch };
  for (const l of listeners) l();
}

export const currentDoc = (): GraphDoc => state.history.doc;

/** The selection with whatever no longer exists dropped. */
function prune(sel: Selection, doc: GraphDoc): Selection {
  const nodes = new Set(doc.nodes.map((n) => n.id));
  const edges = new Set(doc.edges.map(edgeKey));
  const loops = new Set((doc.loops ?? []).map((l) => l.id));
  return { nodes: sel.nodes.filter((n) => nodes.has(n)), edges: sel.edges.filter((e) => edges.has(e)), loops: sel.loops.filter((l) => loops.has(l)) };
}

/** Install a new history (after an edit, undo or redo) and everything that follows from its document. */
function setHistory(history: History, selection: Selection, extra: Partial<EditorState> = {}): void {
  const docChanged = history.doc !== state.history.doc;
  const view = state.view.composite !== undefined && !history.doc.nodes.some((n) => n.id === state.view.composite) ? { ...state.view, composite: undefined } : state.view;
  set({ history, ...(docChanged ? analyse(history.doc) : {}), selection: prune(selection, history.doc), view, ...extra });
}

export interface DispatchOptions {
  /** Where the document comes from after this change (new, open, example). */
  readonly source?: DocSource;
  /** Select the nodes the change adds (paste, duplicate, add). */
  readonly selectAdded?: boolean;
  readonly label?: string;
}

// The lock lives in its own store (edit-lock.ts), so that a run starting or ending re-renders
// only what shows the lock; the session sets it through here.
export { getEditLock, setEditLock } from './edit-lock.ts';

/** Patches that only move blocks on the canvas: what a run does not depend on. */
const onlyMoves = (patches: readonly Patch[]): boolean => patches.every((p) => p.path[0] === 'nodes' && typeof p.path[1] === 'number' && p.path[2] === 'position');

/** While the graph is locked, a step that changes more than positions is refused with the lock's notice. */
function lockRefuses(patches: readonly Patch[]): boolean {
  const lock = getEditLock();
  if (lock === undefined || onlyMoves(patches)) return false;
  notify('error', lock);
  return true;
}

/** Apply `change` as one undo step. A refused change shows why and returns false. */
export function dispatch(change: Change, opts: DispatchOptions = {}): boolean {
  const before = state.history.doc;
  const res = edit(state.history, change, opts.source ?? state.history.source, opts.label);
  if (!res.ok) {
    notify('error', `Not done: ${res.error}`);
    return false;
  }
  if (!res.changed) return true;
  if (lockRefuses(res.history.past[res.history.past.length - 1]!.patches)) return false;
  let selection = state.selection;
  if (change.type === 'renameNode') selection = { ...selection, nodes: selection.nodes.map((n) => (n === change.from ? change.to : n)), edges: [] };
  if (change.type === 'renameLoop') selection = { ...selection, loops: selection.loops.map((l) => (l === change.from ? change.to : l)) };
  if (opts.selectAdded === true) {
    const old = new Set(before.nodes.map((n) => n.id));
    selection = { nodes: res.history.doc.nodes.filter((n) => !old.has(n.id)).map((n) => n.id), edges: [], loops: [] };
  }
  const replaced = change.type === 'replace';
  setHistory(res.history, replaced ? NO_SELECTION : selection, replaced ? { epoch: state.epoch + 1, view: { ...state.view, composite: undefined } } : {});
  // Deleting a loop's sequence source removes the loop too: never silently.
  for (const l of loopsDroppedWithSource(before, res.history.doc, change)) {
    notify('info', `Loop ${l.id} was removed because its sequence source ${l.over} was deleted; its blocks are now outside loops. Undo (Ctrl+Z) brings it back.`);
  }
  return true;
}

export function undoEdit(): void {
  if (!canUndo(state.history) || lockRefuses(state.history.past[state.history.past.length - 1]!.inverse)) return;
  const replaced = state.history.past[state.history.past.length - 1]!.sourceBefore !== state.history.source;
  setHistory(undo(state.history), state.selection, replaced ? { epoch: state.epoch + 1 } : {});
}

export function redoEdit(): void {
  if (!canRedo(state.history) || lockRefuses(state.history.future[state.history.future.length - 1]!.patches)) return;
  const replaced = state.history.future[state.history.future.length - 1]!.sourceAfter !== state.history.source;
  setHistory(redo(state.history), state.selection, replaced ? { epoch: state.epoch + 1 } : {});
}

export function select(selection: Selection): void {
  set({ selection: prune(selection, state.history.doc) });
}

export function setView(patch: Partial<ViewState>): void {
  const view = { ...state.view, ...patch };
  set({ view: { ...view, steps: Math.max(1, Math.min(MAX_VIEW_STEPS, Math.round(view.steps))) } });
}

/** How long a notice stays unless it is sticky (then until dismissed). */
export const NOTICE_MS = 8000;

let noticeId = 0;
export function notify(kind: Notice['kind'], text: string, opts: { sticky?: boolean } = {}): void {
  const id = ++noticeId;
  const notices = [...state.notices, { id, kind, text }];
  set({ notices: notices.slice(-4) });
  if (opts.sticky !== true && typeof setTimeout === 'function') setTimeout(() => dismissNotice(id), NOTICE_MS);
}

export function dismissNotice(id: number): void {
  set({ notices: state.notices.filter((n) => n.id !== id) });
}

export function clearImportProblem(): void {
  set({ importProblem: undefined });
}

export function setStorage(storage: StorageState): void {
  if (storage.status === state.storage.status && storage.message === state.storage.message) return;
  set({ storage });
}

/** The document as the first load found it (the draft or the default example): history starts here. */
export function loadInitial(doc: GraphDoc, source: DocSource): void {
  set({ history: startHistory(doc, source), ...analyse(doc), selection: NO_SELECTION, loaded: true, epoch: state.epoch + 1 });
}

/** The default example, or an empty graph when none is shipped. */
export function defaultDocument(): { doc: GraphDoc; source: DocSource } {
  if (defaultExample !== undefined) {
    const parsed = parseGraph(exampleSources.get(defaultExample)!);
    if (parsed.ok) return { doc: parsed.value, source: { kind: 'example', name: defaultExample } };
  }
  return { doc: emptyDoc(), source: { kind: 'new', name: 'untitled' } };
}

/** Open the bundled example `name` (an undoable step: Ctrl+Z brings back what was open). */
export function openExample(name: string): boolean {
  const text = exampleSources.get(name);
  if (text === undefined) throw new Error(`no example named ${JSON.stringify(name)}`);
  const parsed = parseGraph(text);
  if (!parsed.ok) {
    set({ importProblem: { file: `examples/${name}.json`, errors: parsed.errors } });
    return false;
  }
  return dispatch({ type: 'replace', doc: parsed.value }, { source: { kind: 'example', name } });
}

export function newGraph(): void {
  dispatch({ type: 'replace', doc: emptyDoc() }, { source: { kind: 'new', name: 'untitled' } });
}

/**
 * Open a file's content. A refused file shows its errors (with JSON paths) and leaves the open
 * document as it was. `size` is checked before anything is read, so a huge file costs nothing.
 */
export function openText(file: string, content: string | Uint8Array, size?: number): boolean {
  if (size !== undefined && size > LIMITS.fileBytes) {
    const mib = (size / 1024 / 1024).toFixed(1);
    set({ importProblem: { file, errors: [unrollError('E100', `the file is ${mib} MiB; a graph file is at most ${LIMITS.fileBytes / 1024 / 1024} MiB`, { path: '$' })] } });
    return false;
  }
  const parsed = parseGraph(content);
  if (!parsed.ok) {
    set({ importProblem: { file, errors: parsed.errors } });
    return false;
  }
  set({ importProblem: undefined });
  return dispatch({ type: 'replace', doc: parsed.value }, { source: { kind: 'file', name: file } });
}

/** The nodes an edge key names. */
export function edgeEnds(key: string): { from: string; to: string } | undefined {
  const i = key.indexOf('->');
  if (i < 0) return undefined;
  const from = key.slice(0, i);
  const to = key.slice(i + 2);
  return splitEndpoint(from) && splitEndpoint(to) ? { from, to } : undefined;
}
