/**
 * Data files kept in the browser (IndexedDB database `unroll-data`, apart from the autosave's
 * `unroll` and the checkpoints' `unroll-checkpoints`): the bytes of the file a graph trains on,
 * keyed by the graph's name and the file's name, with what the panel says of it. One file per
 * graph: using another replaces it. Nothing here leaves the browser.
 *
 * The list of files (without their bytes) is mirrored in memory, so the panel and the training
 * session read it synchronously; it is read from the database once, on first use.
 */

import { BY_GRAPH, graphStore } from '../idb-store.ts';

const DB_NAME = 'unroll-data';
const STORE = 'files';

/** A stored data file, without its bytes. */
export interface DataFileMeta {
  /** The graph's `name` when the file was used. */
  readonly graph: string;
  /** The file's name, as dropped or picked. */
  readonly file: string;
  /** Its size in bytes. */
  readonly size: number;
  /** When it was stored, ms since the epoch. */
  readonly savedAt: number;
  readonly reader: 'csv' | 'text';
  /** What it holds in a few words: `160 sequences`, `12,345 characters`. */
  readonly holds: string;
}

interface DataFileRecord extends DataFileMeta {
  readonly bytes: Uint8Array;
}

/** The in-memory list: undefined until read from the database. */
export interface DataIndex {
  readonly loaded: boolean;
  /** By graph name. */
  readonly files: ReadonlyMap<string, DataFileMeta>;
  /** Why the database could not be used, if it could not. */
  readonly problem: string | undefined;
}

let index: DataIndex = { loaded: false, files: new Map(), problem: undefined };
const listeners = new Set<() => void>();
let reading: Promise<void> | undefined;

function publish(next: Partial<DataIndex>): void {
  index = { ...index, ...next };
  for (const l of listeners) l();
}

const idb = graphStore(DB_NAME, STORE, { keyPath: ['graph', 'file'] }, 'the data store');
const within = idb.within;

const metaOf = (r: DataFileMeta): DataFileMeta => ({ graph: r.graph, file: r.file, size: r.size, savedAt: r.savedAt, reader: r.reader, holds: r.holds });

/** Read the list from the database (once; later calls wait for the same read). */
export function loadDataIndex(): Promise<void> {
  reading ??= (async () => {
    try {
      const all = await within('readonly', (s) => s.getAll() as IDBRequest<DataFileRecord[]>);
      const files = new Map<string, DataFileMeta>();
      // Newest last, so each graph keeps its newest file (one is kept per graph, but a write may have been cut short).
      for (const r of all.sort((a, b) => a.savedAt - b.savedAt)) files.set(r.graph, metaOf(r));
      publish({ loaded: true, files, problem: undefined });
    } catch (e) {
      publish({ loaded: true, problem: e instanceof Error ? e.message : String(e) });
      reading = undefined;
    }
  })();
  return reading;
}

export const getDataIndex = (): DataIndex => index;

export function subscribeDataIndex(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The file stored for graph `graph`, as far as the in-memory list knows. */
export const dataFileOf = (graph: string): DataFileMeta | undefined => index.files.get(graph);

/** Store `bytes` as graph `graph`'s data file, replacing the one it had. */
export async function saveDataFile(meta: Omit<DataFileMeta, 'savedAt' | 'size'>, bytes: Uint8Array): Promise<DataFileMeta> {
  await loadDataIndex();
  const rec: DataFileRecord = { ...meta, size: bytes.byteLength, savedAt: Date.now(), bytes };
  const d = await idb.db();
  await new Promise<void>((resolve, reject) => {
    const tx = d.transaction(STORE, 'readwrite');
    const store = tx.objectStore(STORE);
    // One transaction: the graph's other files go and this one comes, or nothing changes.
    const others = store.index(BY_GRAPH).getAllKeys(IDBKeyRange.only(meta.graph));
    others.onsuccess = () => {
      for (const key of others.result) store.delete(key);
      store.put(rec);
    };
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error ?? new Error('the data store failed'));
    tx.onabort = () => reject(tx.error ?? new Error('the data store aborted the write (is the disk full?)'));
  });
  const files = new Map(index.files);
  files.set(meta.graph, metaOf(rec));
  publish({ files });
  return metaOf(rec);
}

/** The bytes of graph `graph`'s data file, read from the database; undefined when it has none. */
export async function readDataFile(graph: string): Promise<{ meta: DataFileMeta; bytes: Uint8Array } | undefined> {
  await loadDataIndex();
  const all = await within('readonly', (s) => s.index(BY_GRAPH).getAll(IDBKeyRange.only(graph)) as IDBRequest<DataFileRecord[]>);
  const rec = all.sort((a, b) => b.savedAt - a.savedAt)[0];
  return rec === undefined ? undefined : { meta: metaOf(rec), bytes: rec.bytes };
}

/** Forget graph `graph`'s data file. */
export async function removeDataFile(graph: string): Promise<void> {
  await loadDataIndex();
  await within('readwrite', (s) => s.delete(IDBKeyRange.bound([graph], [graph, []])));
  const files = new Map(index.files);
  files.delete(graph);
  publish({ files });
}
