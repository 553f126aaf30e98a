/**
 * `window.__unroll`: a small typed handle for browser tests (and curious users in the console)
 * to read what the editor holds and shows without scraping the DOM, and to drive it where a test
 * is not about the UI itself.
 */
import type { GraphDoc } from '../runtime/graph/types.ts';
import { serializeGraph } from '../runtime/graph/serialize.ts';
import { analysisCounts } from './counts.ts';
import { exampleNames } from './examples.ts';
import { buildFlow, type EdgeData, type Selection } from './flow-model.ts';
import type { Change } from './model/changes.ts';
import { buildUnrolledFlow } from './model/unrolled-flow.ts';
import { renderStats } from './render-stats.ts';
import { getTraining, pauseTraining, resumeTraining, startTraining, stopTraining, type TrainingView } from './training/session.ts';
import { currentDoc, dispatch, getState, openExample, redoEdit, undoEdit, type StorageState, type ViewState } from './store.ts';

/** What is open, as the test API reports it. */
export interface CurrentGraph {
  /** The example or file name it was opened as, or `untitled`. */
  readonly name: string;
  readonly sourceKind: 'example' | 'file' | 'new' | 'draft';
  /** The graph's own `name` field. */
  readonly graphName: string;
  /** Validated without errors. */
  readonly ok: boolean;
  /** Codes of the validation errors, in order. */
  readonly errorCodes: readonly string[];
  readonly counts: { readonly nodes: number; readonly edges: number; readonly weights: number; readonly parameters: number };
  /** Node ids in document order. */
  readonly nodeIds: readonly string[];
  /** Loops drawn as frames on the canvas (each adds one React Flow node). */
  readonly frames: readonly string[];
}

export interface ProblemInfo {
  readonly code: string;
  readonly message: string;
  readonly nodes: readonly string[];
  readonly edges: readonly number[];
  readonly path: string | undefined;
}

/** One wire as the canvas draws it: the edge data without its document index. */
export type WireInfo = Pick<EdgeData, 'from' | 'to' | 'recurrent' | 'error' | 'shape' | 'take'>;

export interface UnrolledInfo {
  readonly steps: number;
  /** Copies per node id. */
  readonly copies: Readonly<Record<string, number>>;
  /** Shared-weight mark of each weighted node. */
  readonly marks: Readonly<Record<string, number>>;
}

export interface UnrollTestApi {
  /** Example names, in menu order. */
  examples(): string[];
  /** Open an example; throws for a name `examples()` does not list. */
  open(name: string): void;
  /** The first load (draft or default example) is done. */
  ready(): boolean;
  current(): CurrentGraph;
  /** The open document (a copy). */
  doc(): GraphDoc;
  /** The open document as Save writes it. */
  serialized(): string;
  errors(): ProblemInfo[];
  warnings(): ProblemInfo[];
  /** Nodes drawn as having an error, and every wire with its label data. */
  canvas(): { errorNodes: string[]; wires: WireInfo[] };
  selection(): Selection;
  dispatch(change: Change): boolean;
  undo(): void;
  redo(): void;
  /** Labels of the undo and redo steps, oldest first. */
  history(): { past: string[]; future: string[] };
  /** What the unrolled view draws for the open graph at its T; undefined when it cannot unroll. */
  unrolled(): UnrolledInfo | undefined;
  view(): ViewState;
  storage(): StorageState;
  notices(): string[];
  importErrors(): { file: string; errors: ProblemInfo[] } | undefined;
  /** Renders of the canvas's block component since the page loaded or `resetRenders()`. */
  renders(): { blockNode: number };
  resetRenders(): void;
  /** The tab's training session (a Web Worker), driven as the Train controls drive it. */
  training: {
    /** Load the open graph into the worker and start; resolves once training has started. */
    start(overrides?: { steps?: number }): Promise<void>;
    pause(): Promise<void>;
    resume(): Promise<void>;
    /** Resolves when the run has ended. */
    stop(): Promise<void>;
    state(): TrainingView;
  };
}

declare global {
  interface Window {
    __unroll?: UnrollTestApi;
  }
}

const problem = (e: { code: string; message: string; nodes?: readonly string[]; edges?: readonly number[]; path?: string }): ProblemInfo => ({
  code: e.code,
  message: e.message,
  nodes: [...(e.nodes ?? [])],
  edges: [...(e.edges ?? [])],
  path: e.path,
});

const clone = <T,>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

function current(): CurrentGraph {
  const { history, analysis, failure } = getState();
  const doc = history.doc;
  const errors = analysis?.errors ?? [];
  return {
    name: history.source.name,
    sourceKind: history.source.kind,
    graphName: doc.name,
    ok: analysis !== undefined && analysis.ok && failure === undefined,
    errorCodes: errors.map((e) => e.code),
    counts: analysisCounts(doc, analysis),
    nodeIds: doc.nodes.map((n) => n.id),
    frames: buildFlow(doc, analysis, errors).frames,
  };
}

/** Install `window.__unroll`. */
export function installTestApi(target: Window): void {
  target.__unroll = {
    examples: () => [...exampleNames],
    open: (name) => void openExample(name),
    ready: () => getState().loaded,
    current,
    doc: () => clone(getState().history.doc),
    serialized: () => serializeGraph(getState().history.doc),
    errors: () => (getState().analysis?.errors ?? []).map(problem),
    warnings: () => (getState().analysis?.warnings ?? []).map(problem),
    canvas: () => {
      const { history, analysis } = getState();
      const flow = buildFlow(history.doc, analysis, analysis?.errors ?? []);
      return {
        errorNodes: flow.nodes.filter((n) => n.type === 'block' && n.data.error).map((n) => n.id),
        wires: flow.edges.map((e) => ({ from: e.data!.from, to: e.data!.to, recurrent: e.data!.recurrent, error: e.data!.error, shape: e.data!.shape, take: e.data!.take })),
      };
    },
    selection: () => clone(getState().selection),
    dispatch: (change) => dispatch(change),
    undo: undoEdit,
    redo: redoEdit,
    history: () => ({ past: getState().history.past.map((s) => s.label), future: getState().history.future.map((s) => s.label) }),
    unrolled: () => {
      const { history, analysis, view } = getState();
      const res = buildUnrolledFlow(history.doc, analysis, view.steps, new Set());
      return res.ok ? { steps: view.steps, copies: { ...res.flow.copies }, marks: { ...res.flow.marks } } : undefined;
    },
    view: () => ({ ...getState().view }),
    storage: () => ({ ...getState().storage }),
    notices: () => getState().notices.map((n) => n.text),
    importErrors: () => {
      const p = getState().importProblem;
      return p === undefined ? undefined : { file: p.file, errors: p.errors.map(problem) };
    },
    renders: () => ({ ...renderStats }),
    resetRenders: () => {
      renderStats.blockNode = 0;
    },
    training: {
      start: (overrides) => startTraining(currentDoc(), overrides),
      pause: pauseTraining,
      resume: resumeTraining,
      stop: stopTraining,
      state: () => clone(getTraining()),
    },
  };
}
