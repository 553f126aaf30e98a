/**
 * `window.__unroll`: a small typed handle for browser tests (and curious users in the console)
 * to read what the editor holds and shows without scraping the DOM, and to drive it where a test
 * is not about the UI itself.
 */
import type { GraphDoc, TaskSpec, TrainingSpec } from '../runtime/graph/types.ts';
import { serializeGraph } from '../runtime/graph/serialize.ts';
import { analysisCounts } from './counts.ts';
import { exampleNames } from './examples.ts';
import { buildFlow, type EdgeData, type Selection } from './flow-model.ts';
import type { Change } from './model/changes.ts';
import { buildUnrolledFlow } from './model/unrolled-flow.ts';
import { renderStats } from './render-stats.ts';
import { chartsInfo, type ChartsInfo } from './training/chart-snapshot.ts';
import {
  destroyGpuDevice,
  evaluateTraining,
  getTraining,
  loadWeightsFile,
  pauseTraining,
  resetTraining,
  resumeTraining,
  startTraining,
  stepTraining,
  stopTraining,
  weightsFile,
  type Outcome,
  type Started,
  type TrainingView,
} from './training/session.ts';
import type { CheckpointMeta } from './training/checkpoints.ts';
import { checkpointsOf, restoreCheckpointById, saveCheckpointOf } from './training/weights-actions.ts';
import { commonInit, recurrentCells, trainingSettings } from './model/training-settings.ts';
import type { EvalPoint } from './training/runs.ts';
import { inspectForTest, predictionsForTest, type InspectShown } from './training/inspect-store.ts';
import type { PredictionPage } from '../runtime/train/inspect.ts';
import { dataFileOf, loadDataIndex, type DataFileMeta } from './data/data-store.ts';
import { dataDialogInfo, type DataDialogInfo } from './data/dialog-info.ts';
import { getRuns } from './training/runs.ts';
import { getBackendChoice, setBackendChoice, type BackendChoice } from './training/backend-choice.ts';
import type { BackendInfo } from '../runtime/worker/protocol.ts';
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
    /**
     * Load the open graph into the worker and start; resolves once training has started (its first
     * step and whether it went on with the weights held), or with why not (E447 while a run goes).
     */
    start(overrides?: { steps?: number }): Promise<Outcome<Started>>;
    pause(): Promise<void>;
    resume(): Promise<void>;
    /** Resolves when the run has ended. */
    stop(): Promise<void>;
    state(): TrainingView;
    /** What the training charts display (built by the same chart models they draw), for checks without pixels. */
    charts(): ChartsInfo;
    /** The same as `state()`: what the training panel shows of the session. */
    view(): TrainingView;
    /** One optimiser step (between runs the open graph is loaded first, as the panel's Step does). */
    step(): Promise<Outcome<number>>;
    /** Drop the trained weights and the run, as the panel's Reset does. */
    reset(): Promise<void>;
    /** The open graph's training settings as the panel shows them (defaults filled in). */
    settings(): TrainingSettingsInfo;
    /** Evaluate `split` (default: the task's first) now, as the panel's Evaluate does. */
    evaluate(split?: string): Promise<Outcome<EvalPoint & { count: number }>>;
    /** The worker's weights as a safetensors file (bytes); throws with the errors' messages on failure. */
    weights(): Promise<number[]>;
    /** Load safetensors bytes into the open graph's weights: the count of tensors set, or the errors. */
    loadWeights(bytes: number[]): Promise<Outcome<number>>;
    /** Checkpoints stored in this browser for the open graph (by its name), newest first. */
    checkpoints(): Promise<CheckpointMeta[]>;
    /** Checkpoint the run into the browser's store. */
    saveCheckpoint(): Promise<Outcome<CheckpointMeta>>;
    /** Restore stored checkpoint `id`: its step, or the errors. */
    restoreCheckpoint(id: number): Promise<Outcome<number>>;
    /**
     * Show example `index` of `split` in the Inspect tab (default: the one shown, read anew) and
     * return what the tab shows: the example, every attention heatmap and memory hop (matrices
     * rows × columns with their axis labels), the predictions page; `report` undefined with nothing loaded.
     */
    inspect(split?: string, index?: number): Promise<InspectShown>;
    /** Show the predictions page at row `offset` of `split` (default: the one shown, read anew) and return it. */
    predictions(split?: string, offset?: number): Promise<PredictionPage | undefined>;
    /** The data file stored in this browser for the open graph (by its name), or undefined. */
    data(): Promise<DataFileMeta | undefined>;
    /** What the data file's mapping dialog shows (stage `closed` when it is not open). */
    dataDialog(): DataDialogInfo;
    /** Per-step training losses of the latest run in the runs store, steps 1… (at most `count`). */
    losses(count?: number): number[];
    /** Where the loaded run trains now (as the run bar's badge shows it); undefined with nothing loaded. */
    backend(): BackendInfo | undefined;
    /** The backend chosen in the settings form (a preference of this browser). */
    backendChoice(): BackendChoice;
    /** Choose the backend, as the settings form does (the next Start loads afresh on it). */
    setBackend(choice: BackendChoice): void;
    /** Destroy the worker's GPU device as a lost device would go: true when the run was on WebGPU (it goes on on the CPU). */
    destroyGpuDevice(): Promise<boolean>;
  };
}

/** The training settings of the open graph, as the panel's form shows them. */
export interface TrainingSettingsInfo {
  readonly task: TaskSpec | undefined;
  /** Every `training` key, the trainer's defaults filled in. */
  readonly training: Required<TrainingSpec>;
  /** The recurrent cells' common initialiser, `mixed`, or undefined without cells. */
  readonly init: string | undefined;
  readonly cells: readonly string[];
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
      renderStats.canvas = 0;
    },
    training: {
      start: async (overrides) => clone(await startTraining(currentDoc(), overrides)),
      pause: pauseTraining,
      resume: resumeTraining,
      stop: stopTraining,
      state: () => clone(getTraining()),
      charts: chartsInfo,
      view: () => clone(getTraining()),
      step: async () => clone(await stepTraining(currentDoc())),
      reset: resetTraining,
      settings: () => {
        const doc = currentDoc();
        return clone({ task: doc.task, training: trainingSettings(doc), init: commonInit(doc), cells: recurrentCells(doc) });
      },
      evaluate: async (split) => {
        const r = await evaluateTraining(currentDoc(), split);
        return r.ok ? { ok: true, value: { split: r.value.split, step: r.value.step, loss: r.value.loss, metric: r.value.metric, count: r.value.count } } : clone(r);
      },
      weights: async () => {
        const r = await weightsFile(currentDoc());
        if (!r.ok) throw new Error(r.errors.map((e) => `${e.code} ${e.message}`).join('; '));
        return Array.from(r.value);
      },
      loadWeights: async (bytes) => clone(await loadWeightsFile(currentDoc(), Uint8Array.from(bytes))),
      checkpoints: async () => {
        const r = await checkpointsOf(currentDoc());
        if (!r.ok) throw new Error(r.errors.map((e) => `${e.code} ${e.message}`).join('; '));
        return r.value;
      },
      saveCheckpoint: async () => clone(await saveCheckpointOf(currentDoc())),
      restoreCheckpoint: async (id) => clone(await restoreCheckpointById(currentDoc(), id)),
      inspect: async (split, index) => clone(await inspectForTest(split, index)),
      predictions: async (split, offset) => {
        const page = await predictionsForTest(split, offset);
        return page === undefined ? undefined : clone(page);
      },
      data: async () => {
        await loadDataIndex();
        return dataFileOf(currentDoc().name);
      },
      dataDialog: () => clone(dataDialogInfo()),
      losses: (count = Infinity) => {
        const run = getRuns().runs.at(-1);
        return run === undefined ? [] : Array.from(run.series.loss.subarray(0, Math.min(count, run.series.length)));
      },
      backend: () => {
        const b = getTraining().backend;
        return b === undefined ? undefined : clone(b);
      },
      backendChoice: getBackendChoice,
      setBackend: setBackendChoice,
      destroyGpuDevice,
    },
  };
}
