/**
 * The graph's lock while a training run uses it: why edits that change what trains are refused
 * (undefined: the graph may be edited). Its own tiny store, apart from the editor's: the lock
 * turns on and off with every run, and in the editor's state it re-rendered every component that
 * reads that state (the app, the canvas and its blocks) at the moment a run starts. The store's
 * dispatch reads it synchronously; the panel's badge and settings form subscribe to it.
 */

let lock: string | undefined;
const listeners = new Set<() => void>();

/** The lock's reason, or undefined while the graph may be edited. */
export const getEditLock = (): string | undefined => lock;

/** Call `listener` whenever the lock turns on, off or changes reason; returns the unsubscribe function. */
export function subscribeEditLock(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Lock the graph while a run trains on it (`reason` is the notice a refused edit shows), or unlock it. */
export function setEditLock(reason: string | undefined): void {
  if (reason === lock) return;
  lock = reason;
  for (const l of listeners) l();
}
