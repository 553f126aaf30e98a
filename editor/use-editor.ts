/** React's view of the store. */
import { useSyncExternalStore } from 'react';
import { getState, subscribe, type EditorState } from './store.ts';

/** The store's current state; re-renders the caller on every change. */
export function useEditor(): EditorState {
  return useSyncExternalStore(subscribe, getState);
}
