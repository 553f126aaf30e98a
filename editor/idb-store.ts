/**
 * One IndexedDB object store with an index on `graph`, opened on first use: what the training
 * checkpoints and the data files each keep in a database of their own (apart from the autosave's,
 * so that a problem in one never costs the others).
 */
export interface GraphStore {
  /** The open database (a failed open is tried again on the next call: space may be freed, another tab closed). */
  db(): Promise<IDBDatabase>;
  /** Run `f` in a transaction; resolves with its request's result once the transaction commits. */
  within<T>(mode: IDBTransactionMode, f: (store: IDBObjectStore) => IDBRequest<T>): Promise<T>;
}

/** The name of the index on each record's `graph` field. */
export const BY_GRAPH = 'graph';

/**
 * `name`: the database; `store`: its one object store, created with `key`; `what`: how messages
 * name it ("the checkpoint store").
 */
export function graphStore(name: string, store: string, key: IDBObjectStoreParameters, what: string): GraphStore {
  let opening: Promise<IDBDatabase> | undefined;
  const db = (): Promise<IDBDatabase> => {
    opening ??= new Promise<IDBDatabase>((resolve, reject) => {
      if (typeof indexedDB === 'undefined') {
        reject(new Error('this browser has no IndexedDB'));
        return;
      }
      const req = indexedDB.open(name, 1);
      req.onupgradeneeded = () => req.result.createObjectStore(store, key).createIndex(BY_GRAPH, 'graph');
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error ?? new Error('IndexedDB could not be opened'));
      req.onblocked = () => reject(new Error('IndexedDB is blocked by another tab'));
    });
    opening.catch(() => (opening = undefined));
    return opening;
  };
  return {
    db,
    async within<T>(mode: IDBTransactionMode, f: (s: IDBObjectStore) => IDBRequest<T>): Promise<T> {
      const d = await db();
      return new Promise<T>((resolve, reject) => {
        const tx = d.transaction(store, mode);
        const req = f(tx.objectStore(store));
        tx.oncomplete = () => resolve(req.result);
        tx.onerror = () => reject(tx.error ?? req.error ?? new Error(`${what} failed`));
        tx.onabort = () => reject(tx.error ?? new Error(`${what} aborted the write`));
      });
    },
  };
}
