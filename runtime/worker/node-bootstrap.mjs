// A Node worker thread cannot load TypeScript by itself: register tsx (as bin/unroll.mjs does for
// the main thread), then import the entry module named in workerData.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
