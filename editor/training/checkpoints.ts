/**
 * Training checkpoints kept in the browser (IndexedDB database `unroll-checkpoints`, apart from the
 * autosave's `unroll`): the worker's checkpoint bytes (weights, optimiser state, step, random
 * states; see runtime/train/checkpoint.ts) with the graph's name, the step, the date and what the
 * run was (checkpoint-fit.ts: the list marks those the open graph cannot restore). Listed per
 * graph name; restoring one hands its bytes back to the session.
 */
import { BY_GRAPH, graphStore } from '../idb-store.ts';
import type { CheckpointFit } from './checkpoint-fit.ts';

const DB_NAME = 'unroll-checkpoints';
const STORE = 'checkpoints';

/** A stored checkpoint, without its bytes. */
export interface CheckpointMeta {
  /** Key in the store (ascending with time). */
  readonly id: number;
  /** The graph's `name` when it was saved. */
  readonly graph: string;
  readonly task: string;
  /** Optimiser steps the checkpoint's weights have had. */
  readonly step: number;
  /** When it was saved, ms since the epoch. */
  readonly savedAt: number;
  /** Size of the checkpoint file. */
  readonly bytes: number;
  /** The graph's computation and settings when it was saved; undefined for checkpoints stored before this was kept. */
  readonly fit?: CheckpointFit;
}

interface CheckpointRecord extends Omit<CheckpointMeta, 'id' | 'bytes'> {
  readonly id?: number;
  readonly data: Uint8Array;
}

const listeners = new Set<() => void>();

/** Call `listener` after every save and delete (the panel's list refreshes); returns the unsubscribe function. */
export function onCheckpointsChanged(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

const changed = (): void => {
  for (const l of listeners) l();
};

const idb = graphStore(DB_NAME, STORE, { keyPath: 'id', autoIncrement: true }, 'the checkpoint store');
const within = idb.within;

const metaOf = (r: CheckpointRecord & { id: number }): CheckpointMeta => ({
  id: r.id,
  graph: r.graph,
  task: r.task,
  step: r.step,
  savedAt: r.savedAt,
  bytes: r.data.byteLength,
  ...(r.fit !== undefined ? { fit: r.fit } : {}),
});

/**
 * The `__metadata__` strings of a safetensors file's header (an 8-byte little-endian length, then
 * JSON), or an empty object when the header cannot be read.
 */
export function safetensorsMetadata(bytes: Uint8Array): Record<string, string> {
  if (bytes.byteLength < 8) return {};
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = Number(view.getBigUint64(0, true));
  if (n > bytes.byteLength - 8) return {};
  try {
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) as { __metadata__?: unknown };
    const m = header.__metadata__;
    return typeof m === 'object' && m !== null ? Object.fromEntries(Object.entries(m).filter(([, v]) => typeof v === 'string')) : {};
  } catch {
    return {};
  }
}

/** Store a checkpoint of graph `graph` with what its run was (`fit`); its task and step are read from the file's metadata. */
export async function saveCheckpoint(graph: string, data: Uint8Array, fit?: CheckpointFit): Promise<CheckpointMeta> {
  const meta = safetensorsMetadata(data);
  const step = Number(meta.step ?? 0);
  const rec: CheckpointRecord = { graph, task: meta.task ?? '', step: Number.isInteger(step) ? step : 0, savedAt: Date.now(), data, ...(fit !== undefined ? { fit } : {}) };
  const id = (await within('readwrite', (s) => s.add(rec))) as number;
  changed();
  return metaOf({ ...rec, id });
}

/** The checkpoints of graph `graph`, newest first. */
export async function listCheckpoints(graph: string): Promise<CheckpointMeta[]> {
  const all = await within('readonly', (s) => s.index(BY_GRAPH).getAll(IDBKeyRange.only(graph)) as IDBRequest<(CheckpointRecord & { id: number })[]>);
  return all.map(metaOf).sort((a, b) => b.id - a.id);
}

/** A checkpoint's bytes, or undefined when it is gone. */
export async function readCheckpoint(id: number): Promise<Uint8Array | undefined> {
  const rec = await within('readonly', (s) => s.get(id) as IDBRequest<CheckpointRecord | undefined>);
  return rec?.data;
}

export async function deleteCheckpoint(id: number): Promise<void> {
  await within('readwrite', (s) => s.delete(id));
  changed();
}
