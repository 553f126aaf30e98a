/** React's view of the edit lock (edit-lock.ts): re-renders only its callers when the lock changes. */
import { useSyncExternalStore } from 'react';
import { getEditLock, subscribeEditLock } from './edit-lock.ts';

export function useEditLock(): string | undefined {
  return useSyncExternalStore(subscribeEditLock, getEditLock);
}
