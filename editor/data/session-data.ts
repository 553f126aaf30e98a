/**
 * What the training session hands the worker for a graph whose task is `dataset`: the file stored
 * in this browser for the graph (data-store.ts). The reader params and the column mapping stay in
 * the graph's task section, which the worker reads beside the file, as the CLI reads `--data`.
 */
import type { DataSource } from '../../runtime/data/dataset.ts';
import { unrollError, type UnrollError } from '../../runtime/errors/catalogue.ts';
import type { GraphDoc } from '../../runtime/graph/types.ts';
import { DATASET_TASK } from './dataset-params.ts';
import { dataFileOf, readDataFile } from './data-store.ts';

/** E488 for a graph of task `dataset` with no file in this browser: what to do in the editor. */
export function noDataError(graph: string): UnrollError {
  return unrollError(
    'E488',
    `the graph trains on a data file of yours (task "dataset"), and this browser holds none for “${graph}”: drop a .csv or .txt file on the editor, or pick one with “Use my data…” in the training panel`,
    { path: '$.task.name' },
  );
}

/**
 * The data source for training `doc`: undefined when its task is not `dataset` (the generated
 * task trains); the stored file when it is; `{ errors }` (E488) when it is and none is stored.
 */
export async function dataSourceFor(doc: GraphDoc): Promise<DataSource | undefined | { readonly errors: readonly UnrollError[] }> {
  if (doc.task?.name !== DATASET_TASK) return undefined;
  let stored: Awaited<ReturnType<typeof readDataFile>>;
  try {
    stored = await readDataFile(doc.name);
  } catch (e) {
    return { errors: [unrollError('E488', `cannot read the data file of “${doc.name}” from this browser's storage: ${e instanceof Error ? e.message : String(e)}`, { path: '$.task.name' })] };
  }
  if (stored === undefined) return { errors: [noDataError(doc.name)] };
  return { name: stored.meta.file, bytes: stored.bytes };
}

/**
 * Which stored file a `dataset` graph would train on (file name and when it was stored), or null;
 * part of the session's key of what the worker holds, so using another file reloads the graph.
 */
export function dataStamp(doc: GraphDoc): string | null {
  if (doc.task?.name !== DATASET_TASK) return null;
  const meta = dataFileOf(doc.name);
  return meta === undefined ? '' : `${meta.file}@${meta.savedAt}`;
}
