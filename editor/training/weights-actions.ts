/**
 * What the weights buttons do, shared by the training panel and the test API: download the
 * worker's weights as a safetensors file named after the graph, load such a file, and keep
 * checkpoints of the run in the browser (checkpoints.ts) to restore later.
 */
import type { GraphDoc } from '../../runtime/graph/types.ts';
import { downloadBlob, fileNameFor } from '../files.ts';
import { listCheckpoints, readCheckpoint, saveCheckpoint, type CheckpointMeta } from './checkpoints.ts';
import { checkpointFile, loadWeightsFile, restoreCheckpointFile, weightsFile, type Outcome } from './session.ts';
import { unrollError } from '../../runtime/errors/catalogue.ts';

/** `LSTM classifier` → `lstm-classifier.safetensors`. */
export const weightsFileName = (doc: GraphDoc): string => fileNameFor(doc, 'weights').replace(/\.json$/, '.safetensors');

const download = (bytes: Uint8Array, name: string): void => downloadBlob(bytes as Uint8Array<ArrayBuffer>, name, 'application/octet-stream');

/** Download the worker's weights for `doc`; resolves with the file name. */
export async function downloadWeights(doc: GraphDoc): Promise<Outcome<string>> {
  const r = await weightsFile(doc);
  if (!r.ok) return r;
  const name = weightsFileName(doc);
  download(r.value, name);
  return { ok: true, value: name };
}

/** Load a picked weights file into `doc`'s weights; resolves with the count of weights set. */
export async function loadWeightsFrom(doc: GraphDoc, file: Blob): Promise<Outcome<number>> {
  return loadWeightsFile(doc, new Uint8Array(await file.arrayBuffer()));
}

/** Why the checkpoint store failed, as an outcome the panel shows. */
const storeFailure = (e: unknown): Outcome<never> => ({ ok: false, errors: [unrollError('E448', `the browser's checkpoint store failed: ${(e as Error)?.message ?? String(e)}`)] });

/** Checkpoint the run of `doc` into the browser's store, with what the run is of (the list marks those that do not fit the open graph). */
export async function saveCheckpointOf(doc: GraphDoc): Promise<Outcome<CheckpointMeta>> {
  const r = await checkpointFile(doc);
  if (!r.ok) return r;
  try {
    return { ok: true, value: await saveCheckpoint(doc.name, r.value.bytes, r.value.fit) };
  } catch (e) {
    return storeFailure(e);
  }
}

/** The stored checkpoints of `doc` (by its name), newest first. */
export async function checkpointsOf(doc: GraphDoc): Promise<Outcome<CheckpointMeta[]>> {
  try {
    return { ok: true, value: await listCheckpoints(doc.name) };
  } catch (e) {
    return storeFailure(e);
  }
}

/** Restore stored checkpoint `id` into `doc`; resolves with its step (the next Start goes on from it). */
export async function restoreCheckpointById(doc: GraphDoc, id: number): Promise<Outcome<number>> {
  let bytes: Uint8Array | undefined;
  try {
    bytes = await readCheckpoint(id);
  } catch (e) {
    return storeFailure(e);
  }
  if (bytes === undefined) return { ok: false, errors: [unrollError('E448', `there is no stored checkpoint ${id} (deleted in another tab?)`)] };
  return restoreCheckpointFile(doc, bytes);
}
