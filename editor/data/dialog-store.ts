/**
 * The mapping dialog's state: a dropped or picked data file, its preview (read by the preview
 * worker with the runtime's readers), the mapping and reader options the user chose, and which
 * graph nodes the data feeds. "Use this data" stores the file in this browser and changes the
 * graph in one undoable step; a file that cannot be read changes nothing and says why (with its
 * line). Its own small store, as the training session has.
 */
import type { DataPreview } from '../../runtime/data/dataset.ts';
import { readerOfName } from '../../runtime/data/dataset-schema.ts';
import { checkDataSize } from '../../runtime/data/text-bytes.ts';
import type { ColumnMapping } from '../../runtime/data/mapping.ts';
import { unrollError, type UnrollError } from '../../runtime/errors/catalogue.ts';
import type { ParamValueJson } from '../../runtime/graph/types.ts';
import { currentDoc, dispatch, getEditLock, notify } from '../store.ts';
import { DATASET_TASK } from './dataset-params.ts';
import { saveDataFile } from './data-store.ts';
import { FilePreviewer } from './preview-client.ts';
import { currentDatasetParams, givenMapping, graphSources, pickNode, useDataChange, type StreamNodes } from './use-data.ts';

export type DialogStage = 'closed' | 'reading' | 'failed' | 'ready';

export interface DataDialogState {
  readonly stage: DialogStage;
  /** The file's name and size in bytes. */
  readonly file: { readonly name: string; readonly size: number } | undefined;
  /** Why the file cannot be used at all (size, encoding, a broken CSV): shown instead of the preview. */
  readonly errors: readonly UnrollError[];
  /** The latest preview, read with `mapping` and `options`. */
  readonly preview: DataPreview | undefined;
  /** The CSV mapping as the form shows it (every part decided once the file has been read). */
  readonly mapping: ColumnMapping | undefined;
  /** Parts of the mapping the readers inferred and the user has not changed. */
  readonly inferred: readonly (keyof ColumnMapping)[];
  /** Reader params chosen in the dialog (over the graph's). */
  readonly options: Readonly<Record<string, ParamValueJson>>;
  /** The graph nodes the input and target streams feed. */
  readonly nodes: StreamNodes;
  /** A preview is being read. */
  readonly busy: boolean;
  /** "Use this data" is storing the file. */
  readonly saving: boolean;
  /** Why "Use this data" did not go through (storage full, graph locked). */
  readonly useError: string | undefined;
}

const CLOSED: DataDialogState = {
  stage: 'closed',
  file: undefined,
  errors: [],
  preview: undefined,
  mapping: undefined,
  inferred: [],
  options: {},
  nodes: { input: undefined, target: undefined },
  busy: false,
  saving: false,
  useError: undefined,
};

let state: DataDialogState = CLOSED;
const listeners = new Set<() => void>();
let previewer: FilePreviewer | undefined;
/** The open file's bytes, kept for storing on "Use this data" (not in the state: it is copied often). */
let bytes: Uint8Array | undefined;
/** Increases with every file and every preview asked for: a late answer to an older one is dropped. */
let generation = 0;
let picker: HTMLInputElement | undefined;

function set(patch: Partial<DataDialogState>): void {
  state = { ...state, ...patch };
  for (const l of listeners) l();
}

export const getDataDialog = (): DataDialogState => state;

export function subscribeDataDialog(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The hidden file input "Use my data…" clicks (mounted by the dialog's host). */
export function registerDataPicker(input: HTMLInputElement | null): void {
  picker = input ?? undefined;
}

/** Let the user pick a data file (call from a click: browsers open pickers only then). */
export function pickDataFile(): void {
  picker?.click();
}

/** Whether a file's name makes it a data file (.csv, .tsv, .txt, .text, .md) rather than a graph. */
export const isDataFileName = (name: string): boolean => readerOfName(name) !== undefined;

export function closeDataDialog(): void {
  generation++;
  previewer?.dispose();
  previewer = undefined;
  bytes = undefined;
  set(CLOSED);
}

/** The graph's dataset params the preview reads with (its mapping and reader aside: the dialog decides those). */
function graphParams(): Record<string, ParamValueJson> {
  const { reader: _reader, ...rest } = currentDatasetParams(currentDoc());
  return rest;
}

/** Read the preview with the form's mapping and options; the answer replaces the preview if still current. */
async function refresh(): Promise<void> {
  const p = previewer;
  if (p === undefined) return;
  const mine = ++generation;
  set({ busy: true });
  const r = await p.preview({ params: state.options, map: state.mapping, graphParams: graphParams() });
  if (mine !== generation) return;
  if (!r.ok) {
    set({ busy: false, stage: 'failed', errors: r.errors, preview: undefined });
    return;
  }
  // Parts the form left open and the reader inferred (after the id was chosen, say) show in the form
  // as inferred; the given parts come back unchanged, so the preview already is the one for the filled form.
  const m = r.value.reader === 'csv' ? r.value.mapping : undefined;
  const form = state.mapping;
  if (m !== undefined && form !== undefined) {
    const resolved = givenMapping(m);
    const open = (Object.keys(resolved) as (keyof ColumnMapping)[]).filter((k) => form[k] === undefined);
    if (open.length > 0) {
      const given = Object.fromEntries(Object.entries(form).filter(([, v]) => v !== undefined));
      set({ mapping: { ...resolved, ...given }, inferred: [...state.inferred, ...open.filter((k) => k !== 'input' && k !== 'output' && !state.inferred.includes(k))] });
    }
  }
  set({ busy: false, stage: 'ready', errors: [], preview: r.value });
}

/**
 * Open the dialog for `file`: its size is checked before it is read (E480), then the preview
 * worker reads it. A CSV starts from the graph's own mapping when it fits the file, else from the
 * inferred one; the features and target feed the graph's input and target nodes.
 */
export async function openDataFile(file: File): Promise<void> {
  closeDataDialog();
  const mine = generation;
  set({ stage: 'reading', file: { name: file.name, size: file.size }, busy: true });
  const size = checkDataSize(file.name, file.size);
  if (!size.ok) {
    set({ stage: 'failed', errors: size.errors, busy: false });
    return;
  }
  let read: Uint8Array;
  try {
    read = new Uint8Array(await file.arrayBuffer());
  } catch (e) {
    if (mine === generation) set({ stage: 'failed', busy: false, errors: [unrollError('E481', `${file.name} could not be read: ${e instanceof Error ? e.message : String(e)}`)] });
    return;
  }
  if (mine !== generation) return;
  bytes = read;
  previewer = new FilePreviewer(file.name, read);
  const p = previewer;
  const doc = currentDoc();
  const csv = readerOfName(file.name) === 'csv';
  const graphMap = doc.task?.name === DATASET_TASK && typeof doc.task.params?.map === 'string' ? doc.task.params.map : undefined;
  let first = await p.preview({ params: {}, map: csv ? graphMap : undefined, graphParams: graphParams() });
  // The graph's mapping names columns this file lacks: start from what the file suggests.
  if (csv && graphMap !== undefined && (!first.ok || (first.value.reader === 'csv' && first.value.mapping === undefined))) {
    const again = await p.preview({ params: {}, map: undefined, graphParams: graphParams() });
    if (again.ok || !first.ok) first = again;
  }
  if (mine !== generation) return;
  if (!first.ok) {
    set({ stage: 'failed', busy: false, errors: first.errors });
    return;
  }
  const sources = graphSources(doc);
  const preview = first.value;
  const m = preview.reader === 'csv' ? preview.mapping : undefined;
  const nodes: StreamNodes = { input: pickNode(sources.inputs, m?.input ?? 'x'), target: pickNode(sources.targets, m?.output ?? 'y') };
  if (preview.reader === 'text') {
    set({ stage: 'ready', busy: false, preview, nodes, mapping: undefined, inferred: [] });
    return;
  }
  if (m === undefined) {
    // Nothing could be inferred (no column looks like an id, say): the form starts empty, the problem
    // says what to choose, and each choice reads the file again.
    set({ stage: 'ready', busy: false, preview, nodes, mapping: { ...(nodes.input !== undefined ? { input: nodes.input } : {}), ...(nodes.target !== undefined ? { output: nodes.target } : {}) }, inferred: [] });
    return;
  }
  // From here on the form gives every part, so what is shown is what "Use this data" writes.
  const mapping: ColumnMapping = { ...givenMapping(m), input: nodes.input ?? m.input, output: nodes.target ?? m.output };
  set({ stage: 'ready', preview, nodes, mapping, inferred: m.inferred.filter((k) => k !== 'input' && k !== 'output') });
  await refresh();
}

/** Change parts of the CSV mapping (they are no longer "inferred"). */
export function setMappingParts(patch: Partial<ColumnMapping>): void {
  if (state.mapping === undefined) return;
  const keys = Object.keys(patch) as (keyof ColumnMapping)[];
  set({ mapping: { ...state.mapping, ...patch }, inferred: state.inferred.filter((k) => !keys.includes(k)) });
  void refresh();
}

/** Set a reader option (undefined: the graph's value or the default). */
export function setDataOption(key: string, value: ParamValueJson | undefined): void {
  const options = { ...state.options };
  if (value === undefined) delete options[key];
  else options[key] = value;
  set({ options });
  void refresh();
}

/** Feed a stream to another node of the graph. */
export function setStreamNode(role: 'input' | 'target', node: string): void {
  set({ nodes: { ...state.nodes, [role]: node } });
  if (state.mapping !== undefined) setMappingParts(role === 'input' ? { input: node } : { output: node });
}

/** Why "Use this data" cannot go now, or undefined. */
export function useBlocker(s: DataDialogState = state): string | undefined {
  if (s.stage !== 'ready' || s.preview === undefined) return 'the file has not been read';
  if (s.busy) return 'reading the file';
  if (s.preview.problems.length > 0 || s.preview.summary === undefined) return 'fix the problems above first';
  if (getEditLock() !== undefined) return 'stop training first: the graph is locked while a run goes';
  return undefined;
}

/**
 * Store the file in this browser for the open graph and change the graph: task `dataset` with the
 * mapping and options, the fed nodes' sizes from the data. One undo step; the file stays stored.
 */
export async function useThisData(): Promise<boolean> {
  const blocked = useBlocker();
  const summary = state.preview?.summary;
  if (blocked !== undefined || summary === undefined || bytes === undefined || state.file === undefined) {
    set({ useError: blocked ?? 'the file has not been read' });
    return false;
  }
  const doc = currentDoc();
  const change = useDataChange(doc, state.file.name, summary, state.options, state.nodes);
  const holds = summary.reader === 'csv' ? `${summary.sequences.toLocaleString('en-US')} sequences` : `${summary.tokens.toLocaleString('en-US')} ${summary.unit === 'char' ? 'characters' : 'words'}`;
  set({ saving: true, useError: undefined });
  try {
    await saveDataFile({ graph: doc.name, file: state.file.name, reader: summary.reader, holds }, bytes);
  } catch (e) {
    set({ saving: false, useError: `could not store the file in this browser: ${e instanceof Error ? e.message : String(e)}` });
    return false;
  }
  if (!dispatch(change)) {
    set({ saving: false, useError: 'the graph refused the change (see the notice)' });
    return false;
  }
  const name = state.file.name;
  closeDataDialog();
  notify('info', `Training on ${name} (${holds}); it stays in this browser. Start trains on it.`);
  return true;
}
