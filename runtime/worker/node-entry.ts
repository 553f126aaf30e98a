/** The training worker in a Node worker thread (`unroll train`): the service over comlink's Node adapter. */
import { parentPort } from 'node:worker_threads';
import { expose } from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { TrainerService } from './service.ts';

if (parentPort === null) throw new Error('node-entry.ts runs only as a worker thread (see spawn-node.ts)');
expose(new TrainerService(), nodeEndpoint(parentPort));
