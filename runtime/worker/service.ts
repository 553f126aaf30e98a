/**
 * The training worker's side of the API: one trainer, driven by load/start/pause/resume/step/stop,
 * reporting through a metrics listener at most 10 times a second. It runs wherever it is exposed
 * (a module Web Worker, a Node worker thread, or in-process in tests) and knows nothing of which.
 *
 * The run loop gives the event loop a turn every ~20 ms so that calls (pause, evaluate, getWeights)
 * are answered between steps. Pause and stop also reach a step already under way: through the
 * shared control word, read by the progress hook the CPU program calls between instructions,
 * which abandons the step (the trainer rewinds it, so the run stays bit-identical).
 */
import { transfer } from 'comlink';
import { unrollError } from '../errors/catalogue.ts';
import { setProgressHook } from '../progress.ts';
import { Trainer, TrainerError } from '../train/trainer.ts';
import { checkpointBytes, readCheckpoint } from '../train/checkpoint.ts';
import { loadWeightBytes, weightBytes } from '../train/model-weights.ts';
import type { EvalReport, StepReport } from '../train/trainer.ts';
import { InspectRangeError, type InspectReport, type PredictionPage } from '../train/inspect.ts';
import { MetricsWindow } from './metrics-window.ts';
import { CONTROL, type BackendInfo, type LoadInfo, type LoadOptions, type MetricsListener, type Reply, type RunEnd, type RunState, type Status, type TrainerApi } from './protocol.ts';
import { describeAdapter, requestGpu, type GpuContext, type GpuProvider, defaultGpu } from '../webgpu/context.ts';
import { GpuFault } from '../webgpu/faults.ts';

/** Thrown by the progress hook to abandon a step when pause or stop is asked for. */
class Interrupted extends Error {
  constructor() {
    super('interrupted');
    this.name = 'Interrupted';
  }
}

/** Metrics batches are at least this far apart (≤ 10 a second). */
const FLUSH_MS = 100;
/** The run loop lets calls in at least this often. */
const YIELD_MS = 20;
/** Heartbeats are at most this far apart while the worker lives. */
const BEAT_MS = 50;

const now = (): number => performance.now();

/** A turn of the event loop without timer clamping (setImmediate in Node, a message in browsers). */
const yieldToEventLoop: () => Promise<void> =
  typeof setImmediate === 'function'
    ? () => new Promise((r) => setImmediate(r))
    : (() => {
        const channel = new MessageChannel();
        const waiting: (() => void)[] = [];
        channel.port1.onmessage = () => waiting.shift()?.();
        return () =>
          new Promise<void>((r) => {
            waiting.push(r);
            channel.port2.postMessage(0);
          });
      })();

const fail = (code: 'E446' | 'E447', message: string): Reply<never> => ({ ok: false, errors: [unrollError(code, message)] });

export class TrainerService implements TrainerApi {
  private trainer: Trainer | undefined;
  private options: LoadOptions | undefined;
  private state: RunState = 'empty';
  private control: Int32Array<ArrayBufferLike> = new Int32Array(1);
  private beats: MessagePort | undefined;
  private lastBeat = 0;
  /** True while a run-loop step or evaluation may be abandoned by the control word. */
  private abortable = false;
  /** Resolves the paused run loop's wait (resume, stop, load). */
  private wake: (() => void) | undefined;
  /** Bumped by every load, so a run loop of a replaced trainer ends. */
  private generation = 0;
  /** The GPU device, kept across loads while it lives. */
  private gpu: GpuContext | undefined;
  /**
   * The trainer's operations, one at a time. On the CPU a step is synchronous, so a call always
   * found the run loop between steps; a GPU step awaits its submission, and a call arriving then
   * (evaluate, checkpoint, restore, a second evaluation…) waits here for it to end instead of
   * meeting a half-taken step.
   */
  private queue: Promise<unknown> = Promise.resolve();
  /** A lost device was replaced once for this load (a second loss leaves the run on the CPU). */
  private retried = false;
  /** Set once `auto` found no hardware adapter, so later loads do not ask again. */
  private noHardwareGpu = false;
  /** Where the loaded run trains, and why not on the GPU when it was asked for. */
  private backend: BackendInfo = { name: 'cpu' };

  /** @param gpuProvider where a GPU comes from (the browser's navigator.gpu, or Dawn in Node). */
  constructor(private readonly gpuProvider: GpuProvider = defaultGpu) {}

  connect(beats: MessagePort, control?: Int32Array<ArrayBufferLike>): void {
    this.beats = beats;
    if (control !== undefined) this.control = control;
    setProgressHook(() => this.onProgress());
    const timer = setInterval(() => this.beat(now()), BEAT_MS) as unknown as { unref?: () => void };
    timer.unref?.();
    this.beat(now());
  }

  private beat(t: number): void {
    this.lastBeat = t;
    this.beats?.postMessage(0);
  }

  private onProgress(): void {
    const t = now();
    if (t - this.lastBeat >= BEAT_MS) this.beat(t);
    if (this.abortable && Atomics.load(this.control, 0) !== CONTROL.run) throw new Interrupted();
  }

  status(): Status {
    return { state: this.state, step: this.trainer?.steps ?? 0, steps: this.trainer?.config.steps ?? 0, backend: this.backend };
  }

  /**
   * Move a freshly made trainer to the GPU when asked: `webgpu` takes any adapter, `auto` only a
   * hardware one (a software adapter is slower than the CPU kernels). Never fails: without a GPU
   * the run stays on the CPU and `backend.notice` says why.
   */
  private async placeOnGpu(t: Trainer, choice: LoadOptions['backend']): Promise<BackendInfo> {
    if (choice === 'cpu' || (choice === 'auto' && this.noHardwareGpu)) return { name: 'cpu' };
    const asked = choice === 'webgpu';
    if (this.gpu === undefined || this.gpu.lost !== undefined) {
      const r = await requestGpu(this.gpuProvider);
      if (!r.ok) {
        if (!asked) this.noHardwareGpu = true;
        return asked ? { name: 'cpu', notice: `WebGPU is not available (${r.reason}): training on the CPU` } : { name: 'cpu' };
      }
      this.gpu = r.context;
    }
    const gpu = this.gpu;
    if (!asked && gpu.adapter.fallback) {
      // Not kept: a live device holds a Node process open, and auto will not use this one.
      this.noHardwareGpu = true;
      gpu.device.destroy();
      this.gpu = undefined;
      return { name: 'cpu' };
    }
    const placed = await t.useGpu(gpu);
    const adapter = describeAdapter(gpu.adapter);
    if (!placed.ok) return { name: 'cpu', notice: `WebGPU could not take this run (${placed.errors.map((e) => e.message).join('; ')}): training on the CPU` };
    return { name: 'webgpu', adapter };
  }

  /**
   * A GPU fault during a run: the trainer goes on from its last host copy of the weights. A device
   * lost for another reason than being destroyed (a driver reset) is asked for once more and the
   * run moves to the new one; a destroyed device, a second loss, or an error the driver reported
   * leave the run on the CPU. The status says what happened.
   */
  private async fallBack(t: Trainer, fault: GpuFault): Promise<void> {
    const resumed = t.leaveGpu();
    if (fault.kind === 'lost') this.gpu = undefined;
    if (fault.kind === 'lost' && fault.reason !== 'destroyed' && !this.retried) {
      this.retried = true;
      const again = await this.placeOnGpu(t, 'webgpu');
      if (again.name === 'webgpu') {
        this.backend = { ...again, notice: `${fault.message}; a new GPU device took over at step ${resumed}` };
        return;
      }
    }
    this.backend = { name: 'cpu', notice: `${fault.message}; training continues on the CPU from step ${resumed}` };
  }

  destroyGpuDevice(): Reply<boolean> {
    if (this.backend.name !== 'webgpu' || this.gpu === undefined) return { ok: true, value: false };
    this.gpu.device.destroy();
    return { ok: true, value: true };
  }

  async load(options: LoadOptions): Promise<Reply<LoadInfo>> {
    this.endRun();
    this.generation++;
    this.trainer = undefined;
    this.state = 'empty';
    let made;
    try {
      made = Trainer.create({
        doc: options.doc,
        task: options.task,
        overrides: options.overrides,
        memoryBudget: options.memoryBudget,
        evalBatch: options.evalBatch,
        cells: options.cells,
        data: options.data,
      });
    } catch (e) {
      if (e instanceof TrainerError) return { ok: false, errors: e.errors };
      throw e;
    }
    if (!made.ok) return made;
    const t = made.value;
    const generation = this.generation;
    this.retried = false;
    const backend = await this.placeOnGpu(t, options.backend ?? 'auto');
    // A newer load came in while this one waited for the GPU: it wins.
    if (generation !== this.generation) return fail('E447', 'this load was replaced by a newer one');
    this.backend = backend;
    this.trainer = t;
    this.options = options;
    this.state = 'idle';
    return {
      ok: true,
      value: {
        name: options.doc.name,
        task: {
          name: t.task.name,
          metric: t.task.metric.name,
          higherIsBetter: t.task.metric.better === 'higher',
          splits: t.task.evalSplits.map((s) => ({ name: s.name, lengths: s.lengths, count: s.count })),
          ...(t.task.baseline !== undefined ? { baseline: t.task.baseline } : {}),
        },
        parameters: t.model.parameterCount(),
        config: t.config,
        memory: t.memory,
        ...(t.data !== undefined ? { data: t.data } : {}),
        backend,
      },
    };
  }

  /** Ask a going run to end and let its loop see it. */
  private endRun(): void {
    if (this.state === 'running' || this.state === 'paused') {
      Atomics.store(this.control, 0, CONTROL.stop);
      this.wake?.();
    }
  }

  async start(listener?: MetricsListener): Promise<Reply<RunEnd>> {
    const t = this.trainer;
    if (t === undefined) return fail('E447', 'nothing to train: load a graph first');
    if (this.state === 'running' || this.state === 'paused') return fail('E447', 'a run is already going: pause, resume or stop it');
    if (this.state === 'halted') return fail('E447', `the run halted at step ${t.steps + 1} on a non-finite number: load the graph again, or load weights or a checkpoint, before starting`);
    const generation = this.generation;
    Atomics.store(this.control, 0, CONTROL.run);
    this.state = 'running';
    const window = new MetricsWindow();
    const evalSplit = this.options?.evalDuringRun === false ? undefined : t.task.evalSplits[0]?.name;
    const every = this.options?.reportEvery;
    const reported = (s: number): boolean => every !== undefined && (s === 1 || s % every === 0 || s === t.config.steps);
    const runStart = now();
    let stepsRun = 0;
    let pausedMs = 0;
    let lastFlush = -Infinity;
    let lastYield = now();
    let diagnose = true;
    let pendingEval: number | undefined;
    let reportedUpTo = t.steps;

    // This run's status, even after a load replaced its trainer (a replaced run reads as ended).
    const status = (): Status => ({ state: this.generation === generation ? this.state : 'idle', step: t.steps, steps: t.config.steps, backend: this.backend });
    let delivered: Promise<unknown> = Promise.resolve();
    /** Send the window; with `always`, a batch with the new status even when no step is in it. */
    const flush = (always = false): void => {
      if (listener === undefined || (window.empty && !always)) return;
      lastFlush = now();
      const elapsed = (lastFlush - runStart - pausedMs) / 1000;
      const { batch, transfer: buffers } = window.take(status(), elapsed > 0 ? stepsRun / elapsed : 0, elapsed, lastFlush);
      diagnose = true;
      // Not awaited: a slow receiver must not slow training. A receiver gone away is not an error here.
      delivered = Promise.resolve(listener(transfer(batch, buffers))).catch(() => undefined);
    };
    const flushSpaced = async (): Promise<void> => {
      // Timers may fire a little early against performance.now(): wait until the spacing really holds.
      for (let wait = lastFlush + FLUSH_MS - now(); wait > 0; wait = lastFlush + FLUSH_MS - now()) await new Promise((r) => setTimeout(r, Math.ceil(wait)));
      flush(true);
      // The last batch reaches the receiver before the run's end does (they travel on different
      // ports); a receiver that stopped answering does not hold the end up for more than a second.
      await Promise.race([delivered, new Promise((r) => setTimeout(r, 1000))]);
    };
    // A CPU step can be abandoned mid-way (the progress hook throws); a GPU step is one short
    // submission, so pause and stop reach it at the next check. A GPU fault moves the run to the
    // CPU and the same step is taken again there.
    const interruptible = <T>(f: () => Promise<T>): Promise<T | undefined> => this.exclusive(() => attempt(f));
    const attempt = async <T>(f: () => Promise<T>): Promise<T | undefined> => {
      // Only a CPU step may be abandoned mid-way (it rewinds itself); a GPU step is one short
      // submission that pause and stop reach at its end.
      this.abortable = t.backend === 'cpu';
      try {
        return await f();
      } catch (e) {
        if (e instanceof Interrupted) return undefined;
        if (e instanceof GpuFault && this.generation === generation) {
          await this.fallBack(t, e);
          return undefined;
        }
        throw e;
      } finally {
        this.abortable = false;
      }
    };

    try {
      while (this.generation === generation) {
        const c = Atomics.load(this.control, 0);
        if (c === CONTROL.stop) break;
        if (c === CONTROL.pause) {
          this.state = 'paused';
          const t0 = now();
          await flushSpaced();
          // Resume, stop or load may come while the status is being sent: the word is read again
          // before every wait, so none of them is missed.
          while (this.generation === generation && Atomics.load(this.control, 0) === CONTROL.pause) {
            await new Promise<void>((r) => (this.wake = r));
            this.wake = undefined;
          }
          pausedMs += now() - t0;
          if (this.generation === generation && Atomics.load(this.control, 0) === CONTROL.run) this.state = 'running';
          continue;
        }
        if (pendingEval !== undefined && evalSplit !== undefined) {
          const ev = await interruptible(() => t.evaluateAsync(evalSplit));
          if (ev === undefined) continue;
          window.addEval(ev, pendingEval);
          pendingEval = undefined;
        } else {
          if (t.steps >= t.config.steps) break;
          const rep = await interruptible(() => t.stepAsync(diagnose || reported(t.steps + 1)));
          if (rep === undefined) continue;
          stepsRun++;
          // A lost GPU whose run resumed from an older snapshot takes the steps since again on the
          // CPU: each step is reported once (the first time), so the metrics never go back.
          if (rep.step <= reportedUpTo) continue;
          reportedUpTo = rep.step;
          window.addStep(rep);
          diagnose = false;
          if (evalSplit !== undefined && rep.step % t.config.evalEvery === 0 && rep.step !== t.config.steps) pendingEval = rep.step;
        }
        if (now() - lastFlush >= FLUSH_MS) flush();
        if (now() - lastYield >= YIELD_MS) {
          await yieldToEventLoop();
          lastYield = now();
        }
      }
    } catch (e) {
      if (!(e instanceof TrainerError)) {
        if (this.generation === generation) this.state = 'idle';
        throw e;
      }
      if (this.generation === generation) this.state = 'halted';
      await flushSpaced();
      return { ok: false, errors: e.errors };
    }
    const stopped = this.generation !== generation || Atomics.load(this.control, 0) === CONTROL.stop;
    if (this.generation === generation) this.state = 'idle';
    await flushSpaced();
    return { ok: true, value: { reason: stopped ? 'stopped' : 'done', step: t.steps } };
  }

  /** The run loop is between steps whenever a call runs, so it parks at its next check: paused now. */
  pause(): Status {
    if (this.state === 'running') {
      Atomics.store(this.control, 0, CONTROL.pause);
      this.state = 'paused';
    }
    return this.status();
  }

  resume(): Status {
    if (this.state === 'paused') {
      Atomics.store(this.control, 0, CONTROL.run);
      this.state = 'running';
      this.wake?.();
    }
    return this.status();
  }

  stop(): Status {
    this.endRun();
    return this.status();
  }

  /** The trainer, when the state allows `what`; else the E447 reply. */
  private ready(what: string, allowRunning: boolean): Trainer | Reply<never> {
    if (this.trainer === undefined) return fail('E447', `cannot ${what}: no graph is loaded`);
    if (!allowRunning && this.state === 'running') return fail('E447', `cannot ${what} while the run is going: pause it first`);
    return this.trainer;
  }

  async step(): Promise<Reply<StepReport>> {
    const t = this.ready('take a step', false);
    if (!(t instanceof Trainer)) return t;
    if (this.state === 'halted') return fail('E447', 'the run halted on a non-finite number: load weights or a checkpoint first');
    try {
      return { ok: true, value: await this.exclusive(() => this.onEither(t, () => t.stepAsync(true))) };
    } catch (e) {
      if (!(e instanceof TrainerError)) throw e;
      this.state = 'halted';
      return { ok: false, errors: e.errors };
    }
  }

  /** `f` after every operation queued before it (see `queue`). */
  private exclusive<T>(f: () => Promise<T> | T): Promise<T> {
    const r = this.queue.then(() => f());
    this.queue = r.catch(() => undefined);
    return r;
  }

  /** Run `f` on the trainer's backend; after a GPU fault, once more on the CPU. */
  private async onEither<T>(t: Trainer, f: () => Promise<T>): Promise<T> {
    try {
      return await f();
    } catch (e) {
      if (!(e instanceof GpuFault)) throw e;
      await this.fallBack(t, e);
      return f();
    }
  }

  /** The trainer's host weights brought up to date from the GPU (for reads of them). */
  private async hostCurrent(t: Trainer): Promise<void> {
    await this.onEither(t, () => t.syncHost());
  }

  async evaluate(split: string): Promise<Reply<EvalReport & { readonly step: number }>> {
    const t = this.ready('evaluate', true);
    if (!(t instanceof Trainer)) return t;
    if (!t.task.evalSplits.some((s) => s.name === split)) {
      return fail('E447', `task ${t.task.name} has no split ${JSON.stringify(split)}; its splits are ${t.task.evalSplits.map((s) => s.name).join(', ')}`);
    }
    try {
      return {
        ok: true,
        value: await this.exclusive(async () => {
          const step = t.steps;
          return { ...(await this.onEither(t, () => t.evaluateAsync(split))), step };
        }),
      };
    } catch (e) {
      if (e instanceof TrainerError) return { ok: false, errors: e.errors };
      throw e;
    }
  }

  inspect(split: string, index: number): Promise<Reply<InspectReport>> {
    return this.look('inspect an example', (t) => t.inspect(split, index));
  }

  predictions(split: string, count: number, offset: number): Promise<Reply<PredictionPage>> {
    return this.look('list predictions', (t) => t.predictions(split, count, offset));
  }

  /** A read of the trained model (on the CPU, from the host weights), at any state with a graph loaded; a request outside the task's splits is E447. */
  private async look<T>(what: string, f: (t: Trainer) => T): Promise<Reply<T>> {
    const t = this.ready(what, true);
    if (!(t instanceof Trainer)) return t;
    try {
      return { ok: true, value: await this.exclusive(async () => {
        await this.hostCurrent(t);
        return f(t);
      }) };
    } catch (e) {
      if (e instanceof InspectRangeError) return fail('E447', `cannot ${what}: ${e.message}`);
      if (e instanceof TrainerError) return { ok: false, errors: e.errors };
      throw e;
    }
  }

  async getWeights(): Promise<Reply<Uint8Array>> {
    const t = this.ready('read the weights', true);
    if (!(t instanceof Trainer)) return t;
    const bytes = await this.exclusive(async () => {
      await this.hostCurrent(t);
      return weightBytes(t.model, { format: 'unroll', graph: t.analysis.doc.name, task: t.task.name, steps: String(t.steps) });
    });
    return transfer({ ok: true, value: bytes }, [bytes.buffer as ArrayBuffer]);
  }

  async setWeights(bytes: Uint8Array): Promise<Reply<number>> {
    const t = this.ready('load weights', false);
    if (!(t instanceof Trainer)) return t;
    return this.exclusive(async () => {
      // The optimiser state uploaded with the weights must be the GPU's current one, not an older snapshot.
      await this.hostCurrent(t);
      const r = loadWeightBytes(t.model, bytes);
      if (r.ok) t.markHost();
      if (r.ok && this.state === 'halted') this.state = 'idle';
      return r;
    });
  }

  async checkpoint(): Promise<Reply<Uint8Array>> {
    const t = this.ready('checkpoint', true);
    if (!(t instanceof Trainer)) return t;
    const bytes = await this.exclusive(async () => {
      await this.hostCurrent(t);
      return checkpointBytes(t);
    });
    return transfer({ ok: true, value: bytes }, [bytes.buffer as ArrayBuffer]);
  }

  async restore(bytes: Uint8Array): Promise<Reply<Status>> {
    const t = this.ready('restore a checkpoint', false);
    if (!(t instanceof Trainer)) return t;
    return this.exclusive((): Reply<Status> => {
      const r = readCheckpoint(t, bytes);
      if (!r.ok) return r;
      try {
        t.setState(r.value);
      } catch (e) {
        if (e instanceof RangeError) return { ok: false, errors: [unrollError('E448', `the checkpoint does not fit this run: ${e.message}`)] };
        throw e;
      }
      if (this.state === 'halted') this.state = 'idle';
      return { ok: true, value: this.status() };
    });
  }
}
