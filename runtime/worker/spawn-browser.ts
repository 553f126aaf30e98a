/** Training workers as module Web Workers (the editor). Vite bundles the entry from this URL. */
import type { WorkerHandle } from './client.ts';

export function spawnBrowserWorker(): WorkerHandle {
  const worker = new Worker(new URL('./browser-entry.ts', import.meta.url), { type: 'module', name: 'unroll-trainer' });
  return {
    endpoint: worker,
    terminate: () => worker.terminate(),
    onFailure(callback) {
      worker.addEventListener('error', (e) => {
        e.preventDefault();
        callback(`it threw: ${e.message || 'an error while loading'}`);
      });
      worker.addEventListener('messageerror', () => callback('a message from it could not be read'));
    },
  };
}
