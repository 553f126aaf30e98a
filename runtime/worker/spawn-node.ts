/** Training workers as Node worker threads (the CLI, the Node tests). */
import { Worker } from 'node:worker_threads';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import type { WorkerHandle } from './client.ts';

/** The thread behind a handle, for tests that kill it from outside the client. */
export interface NodeWorkerHandle extends WorkerHandle {
  readonly worker: Worker;
}

/**
 * Start a worker thread running `entry` (a TypeScript module; default: the training service).
 * Threads do not inherit the tsx loader, so a small bootstrap registers it first.
 */
export function spawnNodeWorker(entry: URL = new URL('./node-entry.ts', import.meta.url)): NodeWorkerHandle {
  const worker = new Worker(new URL('./node-bootstrap.mjs', import.meta.url), { workerData: { entry: entry.href }, execArgv: [] });
  return {
    worker,
    endpoint: nodeEndpoint(worker),
    terminate: () => void worker.terminate(),
    onFailure(callback) {
      worker.on('error', (e: Error) => callback(`it threw: ${e.message}`));
      worker.on('messageerror', () => callback('a message from it could not be read'));
      worker.on('exit', (code: number) => callback(`it exited (code ${code})`));
    },
  };
}
