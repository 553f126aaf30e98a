/** The training worker in a browser module Worker: the service exposed to the page with comlink. */
import { expose } from 'comlink';
import { TrainerService } from './service.ts';

expose(new TrainerService());
