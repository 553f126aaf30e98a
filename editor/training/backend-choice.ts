/**
 * Where this browser trains: an editor preference, not part of the graph file (a graph trains the
 * same on any backend, and the GPU a file was made on is not the one it is opened on). Kept in
 * localStorage so it survives a reload; `auto` until a person picks another. The training session
 * reads it at each load, and Start loads afresh when it changed (session.ts's `prepare`).
 */
import type { BackendChoice } from '../../runtime/worker/protocol.ts';

export type { BackendChoice };

/** The localStorage key of the preference. */
export const BACKEND_KEY = 'unroll.backend';

/** Every choice, in the order the settings form lists them. */
export const BACKEND_CHOICES: readonly BackendChoice[] = ['auto', 'webgpu', 'cpu'];

/** How the form and the notices name a choice. */
export const BACKEND_LABELS: Readonly<Record<BackendChoice, string>> = {
  auto: 'Auto (GPU when present)',
  webgpu: 'WebGPU',
  cpu: 'CPU',
};

const isChoice = (v: unknown): v is BackendChoice => typeof v === 'string' && (BACKEND_CHOICES as readonly string[]).includes(v);

/** localStorage where there is one (not in Node tests; a browser may refuse it, e.g. with storage blocked). */
function storage(): Storage | undefined {
  try {
    return typeof localStorage === 'undefined' ? undefined : localStorage;
  } catch {
    return undefined;
  }
}

function read(): BackendChoice {
  try {
    const v = storage()?.getItem(BACKEND_KEY);
    return isChoice(v) ? v : 'auto';
  } catch {
    return 'auto';
  }
}

let choice: BackendChoice | undefined;
const listeners = new Set<() => void>();

/** The backend chosen (read from localStorage the first time; `auto` when nothing valid is stored). */
export function getBackendChoice(): BackendChoice {
  return (choice ??= read());
}

/**
 * Choose where to train; kept in localStorage (a refused write keeps it for this page only). An
 * unknown value is ignored, so a typo in the console cannot leave the session with no backend.
 */
export function setBackendChoice(next: BackendChoice): void {
  if (!isChoice(next) || next === getBackendChoice()) return;
  choice = next;
  try {
    storage()?.setItem(BACKEND_KEY, next);
  } catch {
    // Storage full or blocked: the choice holds until the page is reloaded.
  }
  for (const l of listeners) l();
}

/** Called after each change of the choice; returns the unsubscribe. */
export function subscribeBackendChoice(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Tests only: forget the choice held in memory, so the next read goes to localStorage again. */
export function resetBackendChoiceForTest(): void {
  choice = undefined;
}
