/**
 * The caller's side of the training worker: the API as promises that throw `TrainingFault` with
 * catalogue errors, plus the watchdog. A worker that throws at start-up, dies, or stops sending
 * heartbeats while a call waits fails every waiting call at once (within `stallMs` + 100 ms for a
 * silent one), is terminated, and the next call starts a fresh worker, loading the last graph again.
 */
import { proxy, transfer, wrap, type Endpoint, type Remote } from 'comlink';
import { unrollError, type UnrollError } from '../errors/catalogue.ts';
import type { EvalReport, StepReport } from '../train/trainer.ts';
import type { InspectReport, PredictionPage } from '../train/inspect.ts';
import { CONTROL, type LoadInfo, type LoadOptions, type MetricsListener, type Reply, type RunEnd, type Status, type TrainerApi } from './protocol.ts';

/** A started worker, whatever runs it (a Web Worker, a Node worker thread). */
export interface WorkerHandle {
  readonly endpoint: Endpoint;
  terminate(): void;
  /** Register the callback for the worker's failure: an uncaught error (also at start-up) or its exit. */
  onFailure(callback: (reason: string) => void): void;
}

export type SpawnWorker = () => WorkerHandle;

export interface ClientOptions {
  readonly spawn: SpawnWorker;
  /** Silence (no heartbeat) after which a worker with calls waiting is declared hung (default 750 ms). */
  readonly stallMs?: number;
  /** Time a new worker has to send its first heartbeat (module loading; default 30 s). */
  readonly startupMs?: number;
}

/** A training call that failed: catalogue errors (E446 for a failed worker, E447, E442, E445 …). */
export class TrainingFault extends Error {
  constructor(readonly errors: readonly UnrollError[]) {
    super(errors.map((e) => `${e.code}: ${e.message}`).join('; '));
    this.name = 'TrainingFault';
  }

  get code(): string {
    return this.errors[0]?.code ?? 'E446';
  }
}

const WATCH_MS = 100;
const now = (): number => performance.now();

/** One running worker and what the client tracks about it. */
interface Live {
  readonly handle: WorkerHandle;
  readonly remote: Remote<TrainerApi>;
  readonly beats: MessagePort;
  /** Shared with the worker when SharedArrayBuffer is available: pause and stop reach a running step. */
  readonly control: Int32Array<ArrayBufferLike> | undefined;
  readonly pending: Set<(e: TrainingFault) => void>;
  readonly spawnedAt: number;
  lastBeat: number;
  lastCheck: number;
  connected: boolean;
  dead: boolean;
  timer: ReturnType<typeof setInterval>;
}

function sharedControl(): Int32Array<ArrayBufferLike> | undefined {
  const g = globalThis as { crossOriginIsolated?: boolean };
  if (typeof SharedArrayBuffer === 'undefined' || g.crossOriginIsolated === false) return undefined;
  return new Int32Array(new SharedArrayBuffer(4));
}

/** What a client without a live worker reports. */
const NO_WORKER: Status = { state: 'empty', step: 0, steps: 0, backend: { name: 'cpu' } };

const unwrapReply = <T>(r: Reply<T>): T => {
  if (r.ok) return r.value;
  throw new TrainingFault(r.errors);
};

export class TrainerClient {
  private live: Live | undefined;
  private lastLoad: LoadOptions | undefined;
  /** Loads and starts asked for and not yet answered: a stop meanwhile cancels the start. */
  private inFlight = 0;
  private stopRequested = false;
  private readonly stallMs: number;
  private readonly startupMs: number;
  /** Every worker failure, newest last (for the UI's notice and for tests). */
  readonly failures: string[] = [];

  constructor(private readonly options: ClientOptions) {
    this.stallMs = options.stallMs ?? 750;
    this.startupMs = options.startupMs ?? 30_000;
  }

  /** Whether a worker is running now. */
  get alive(): boolean {
    return this.live !== undefined && !this.live.dead;
  }

  private spawn(): Live {
    const handle = this.options.spawn();
    const remote = wrap<TrainerApi>(handle.endpoint);
    const channel = new MessageChannel();
    const t = now();
    const live: Live = {
      handle,
      remote,
      beats: channel.port1,
      control: sharedControl(),
      pending: new Set(),
      spawnedAt: t,
      lastBeat: t,
      lastCheck: t,
      connected: false,
      dead: false,
      timer: setInterval(() => this.watch(live), WATCH_MS),
    };
    (live.timer as { unref?: () => void }).unref?.();
    channel.port1.onmessage = () => {
      live.lastBeat = now();
      live.connected = true;
    };
    (channel.port1 as { unref?: () => void }).unref?.();
    handle.onFailure((reason) => this.fail(live, reason));
    this.live = live;
    // The heartbeat port goes over with the first call; its answer is not awaited here: a worker
    // that never comes up is caught by the start-up deadline or its error event.
    void this.track(live, remote.connect(transfer(channel.port2, [channel.port2]), live.control)).catch(() => undefined);
    return live;
  }

  /** The watchdog: judge silence only while calls wait, and not right after the page itself was busy. */
  private watch(live: Live): void {
    const t = now();
    const late = t - live.lastCheck > 3 * WATCH_MS;
    live.lastCheck = t;
    if (live.dead || late || live.pending.size === 0) return;
    if (!live.connected) {
      if (t - live.spawnedAt > this.startupMs) this.fail(live, `it did not start within ${Math.round(this.startupMs / 1000)} s`);
      return;
    }
    if (t - live.lastBeat > this.stallMs) this.fail(live, `it stopped answering (no heartbeat for ${Math.round(t - live.lastBeat)} ms)`);
  }

  private fail(live: Live, reason: string): void {
    if (live.dead) return;
    live.dead = true;
    clearInterval(live.timer);
    live.beats.close();
    live.handle.terminate();
    if (this.live === live) this.live = undefined;
    this.failures.push(reason);
    const fault = new TrainingFault([
      unrollError('E446', `the training worker failed: ${reason}. Its run is lost; training again starts a fresh worker`),
    ]);
    for (const reject of live.pending) reject(fault);
    live.pending.clear();
  }

  /** `p`, failing at once with the worker's fault if the worker fails first. */
  private track<T>(live: Live, p: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (live.dead) {
        reject(new TrainingFault([unrollError('E446', 'the training worker failed before the call')]));
        return;
      }
      const entry = (e: TrainingFault): void => reject(e);
      live.pending.add(entry);
      p.then(
        (v) => {
          live.pending.delete(entry);
          resolve(v);
        },
        (e: unknown) => {
          live.pending.delete(entry);
          reject(e instanceof TrainingFault ? e : new TrainingFault([unrollError('E446', `the training worker threw: ${(e as Error)?.message ?? String(e)}`)]));
        },
      );
    });
  }

  /** A live worker with the last graph loaded (a fresh one after a failure). */
  private async ready(): Promise<Live> {
    if (this.live !== undefined && !this.live.dead) return this.live;
    const live = this.spawn();
    if (this.lastLoad !== undefined) unwrapReply(await this.track(live, live.remote.load(this.lastLoad) as Promise<Reply<LoadInfo>>));
    return live;
  }

  private async call<T>(f: (r: Remote<TrainerApi>) => Promise<Reply<T>>): Promise<T> {
    const live = await this.ready();
    return unwrapReply(await this.track(live, f(live.remote)));
  }

  async load(options: LoadOptions): Promise<LoadInfo> {
    this.stopRequested = false;
    this.inFlight++;
    try {
      const live = this.live !== undefined && !this.live.dead ? this.live : this.spawn();
      // A failed load leaves the worker empty: a fresh worker must not bring the old graph back.
      this.lastLoad = undefined;
      const info = unwrapReply(await this.track(live, live.remote.load(options) as Promise<Reply<LoadInfo>>));
      this.lastLoad = options;
      return info;
    } finally {
      this.inFlight--;
    }
  }

  /**
   * Train until done or stopped; the listener gets the metrics batches (≤ 10 a second). A stop
   * asked for while this start (or the load before it) is still on its way cancels it: the run
   * ends `stopped` without a step.
   */
  async start(listener?: MetricsListener): Promise<RunEnd> {
    this.inFlight++;
    try {
      const live = await this.ready();
      if (this.stopRequested) {
        this.stopRequested = false;
        return { reason: 'stopped', step: (await this.track(live, live.remote.status())).step };
      }
      return unwrapReply(await this.track(live, live.remote.start(listener !== undefined ? proxy(listener) : undefined) as Promise<Reply<RunEnd>>));
    } finally {
      this.inFlight--;
      this.stopRequested = false;
    }
  }

  /** Set the shared control word first, so a step under way is abandoned without waiting for the call. */
  private async control(word: number, f: (r: Remote<TrainerApi>) => Promise<Status>): Promise<Status> {
    const live = this.live;
    if (live === undefined || live.dead) return NO_WORKER;
    if (live.control !== undefined) Atomics.store(live.control, 0, word);
    return this.track(live, f(live.remote));
  }

  pause(): Promise<Status> {
    return this.control(CONTROL.pause, (r) => r.pause());
  }

  resume(): Promise<Status> {
    return this.control(CONTROL.run, (r) => r.resume());
  }

  stop(): Promise<Status> {
    if (this.inFlight > 0) this.stopRequested = true;
    return this.control(CONTROL.stop, (r) => r.stop());
  }

  step(): Promise<StepReport> {
    return this.call((r) => r.step());
  }

  /** The evaluation and the step of the weights it evaluated (answered between steps while a run is going). */
  evaluate(split: string): Promise<EvalReport & { readonly step: number }> {
    return this.call((r) => r.evaluate(split));
  }

  /** One evaluation example with its attention and memory weights (works while a run is going, between steps). */
  inspect(split: string, index: number): Promise<InspectReport> {
    return this.call((r) => r.inspect(split, index));
  }

  /** Rows of a predictions table: examples `[offset, offset + count)` of a split, count ≤ 1000. */
  predictions(split: string, count: number, offset = 0): Promise<PredictionPage> {
    return this.call((r) => r.predictions(split, count, offset));
  }

  getWeights(): Promise<Uint8Array> {
    return this.call((r) => r.getWeights());
  }

  setWeights(bytes: Uint8Array): Promise<number> {
    return this.call((r) => r.setWeights(bytes));
  }

  checkpoint(): Promise<Uint8Array> {
    return this.call((r) => r.checkpoint());
  }

  restore(bytes: Uint8Array): Promise<Status> {
    return this.call((r) => r.restore(bytes));
  }

  async status(): Promise<Status> {
    const live = this.live;
    if (live === undefined || live.dead) return NO_WORKER;
    return this.track(live, live.remote.status());
  }

  /**
   * Tests only: destroy the worker's GPU device, as a lost device would go (the run moves to the
   * CPU at its next step). False when the run is not on WebGPU, or no worker runs (none is started for it).
   */
  async destroyGpuDevice(): Promise<boolean> {
    const live = this.live;
    if (live === undefined || live.dead) return false;
    return unwrapReply(await this.track(live, live.remote.destroyGpuDevice() as Promise<Reply<boolean>>));
  }

  /** End the worker (pending calls fail with E446); the client can start another later. */
  close(): void {
    if (this.live === undefined) return;
    this.fail(this.live, 'it was closed');
    this.failures.pop();
  }
}
