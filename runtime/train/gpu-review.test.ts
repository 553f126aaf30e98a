/**
 * The WebGPU trainer integration under interleavings a review found wrong at first (issue 9): the
 * GPU run's host copy, step count, random states and backend must end as the CPU run of the same
 * calls does. Each test says what the CPU run does and what the GPU run once did. Runs on any
 * adapter (SwiftShader here); skipped with the reason printed where there is none.
 *
 * "In flight" below means a GPU step whose batch is drawn and whose submission is awaited: the
 * service answers calls then (the event loop is free), which a synchronous CPU step never allows.
 * The tests hold such a step at `TrainerGpu.step` with a gate, to make the interleaving certain.
 */
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { requestGpu } from '../webgpu/context.ts';
import { GpuOptimizer } from '../webgpu/optimizer.ts';
import { TrainerGpu } from './gpu-training.ts';
import { Trainer, TrainerError } from './trainer.ts';
import { checkpointBytes, readCheckpoint } from './checkpoint.ts';
import { loadWeightBytes, weightBytes } from './model-weights.ts';
import { TrainerService } from '../worker/service.ts';
import type { MetricsBatch } from '../worker/protocol.ts';
import { divergingRelu, smallBrackets } from '../worker/fixtures/docs.ts';
import type { GraphDoc } from '../graph/types.ts';
import { setProgressHook } from '../progress.ts';
import { loadExample } from './gradcheck-support.ts';

const probe = await requestGpu();
if (!probe.ok) console.warn(`WebGPU review tests skipped: ${probe.reason}`);

const services: TrainerService[] = [];
afterAll(() => {
  for (const s of services) s.destroyGpuDevice();
  if (probe.ok) probe.context.device.destroy();
});
afterEach(() => {
  vi.restoreAllMocks();
});

function service(): TrainerService {
  const s = new TrainerService();
  s.connect(new MessageChannel().port1);
  services.push(s);
  return s;
}

function cpuTrainer(doc: GraphDoc): Trainer {
  const made = Trainer.create({ doc });
  if (!made.ok) throw new Error(made.errors.map((e) => e.message).join('; '));
  return made.value;
}

/** The service's trainer and its GPU side (private fields, read for the checks only). */
const trainerOf = (s: TrainerService): Trainer => (s as unknown as { trainer: Trainer }).trainer;
const gpuOf = (t: Trainer): TrainerGpu => (t as unknown as { gpu: TrainerGpu }).gpu;

/** Snapshots every `n` steps, as for a model whose weights and state exceed SNAPSHOT_BYTES (≈ 5 million weights with Adam). */
function snapshotEvery(t: Trainer, n: number): void {
  Object.defineProperty(gpuOf(t), 'snapshotEvery', { value: n });
}

/**
 * Hold the `nth` GPU step (1-based calls of TrainerGpu.step) before it is submitted: `inFlight`
 * resolves when it is held, `release` lets it go, `done` resolves when it has returned.
 */
function holdStep(nth: number): { inFlight: Promise<void>; release: () => void; done: Promise<void> } {
  const original = TrainerGpu.prototype.step;
  let entered!: () => void;
  let release!: () => void;
  let finished!: () => void;
  const inFlight = new Promise<void>((r) => (entered = r));
  const gate = new Promise<void>((r) => (release = r));
  const done = new Promise<void>((r) => (finished = r));
  let calls = 0;
  vi.spyOn(TrainerGpu.prototype, 'step').mockImplementation(async function (this: TrainerGpu, ...args: Parameters<TrainerGpu['step']>) {
    calls++;
    if (calls !== nth) return original.apply(this, args);
    entered();
    await gate;
    try {
      return await original.apply(this, args);
    } finally {
      finished();
    }
  });
  return { inFlight, release, done };
}

describe.skipIf(!probe.ok)('review: the WebGPU trainer integration', () => {
  it('two evaluations of one split at once (a person evaluating while the run evaluates) both answer on the GPU', { timeout: 120_000 }, async () => {
    // CPU: evaluate is synchronous, two calls run one after the other. GPU (before the service's
    // operation queue): both awaited the same eval twin, whose staging buffer was mapped twice;
    // the second map failed and the whole run moved to the CPU.
    const s = service();
    const loaded = await s.load({ doc: smallBrackets(), backend: 'webgpu' });
    expect(loaded.ok && loaded.value.backend.name).toBe('webgpu');
    const [a, b] = await Promise.all([s.evaluate('test'), s.evaluate('test')]);
    expect(a.ok && b.ok).toBe(true);
    expect(s.status().backend.notice).toBeUndefined();
    expect(s.status().backend.name).toBe('webgpu');
    if (a.ok && b.ok) expect(a.value.loss).toBeCloseTo(b.value.loss, 5);
  });

  it('a checkpoint taken while a GPU step is in flight resumes the run exactly (its random states are of its step)', { timeout: 120_000 }, async () => {
    // CPU: the checkpoint is taken between steps, so step N's weights go with step N's random
    // states. GPU (before the queue): step N+1 had drawn its batch but not counted yet, so the
    // checkpoint paired the weights of N with the random states of N+1.
    const doc = smallBrackets({ steps: 6, evalEvery: 1000 });
    const s = service();
    const loaded = await s.load({ doc, backend: 'webgpu', evalDuringRun: false });
    expect(loaded.ok && loaded.value.backend.name).toBe('webgpu');
    const held = holdStep(4);
    const run = s.start();
    await held.inFlight;
    // The checkpoint waits for the step under way (step 4), then is taken between steps.
    const taking = s.checkpoint();
    held.release();
    const ck = await taking;
    expect((await run).ok).toBe(true);
    expect(ck.ok).toBe(true);
    if (!ck.ok) return;
    const ref = cpuTrainer(doc);
    for (let i = 0; i < 4; i++) ref.step();
    const state = readCheckpoint(cpuTrainer(doc), ck.value);
    expect(state.ok).toBe(true);
    if (!state.ok) return;
    expect(state.value.step).toBe(4);
    expect(state.value.dataRng).toEqual(ref.getState().dataRng);
    expect(state.value.stateRng).toEqual(ref.getState().stateRng);
  });

  it('after pause, a call answered while the GPU step is still in flight does not throw the run loop\'s Interrupted', { timeout: 120_000 }, async () => {
    // CPU: \`abortable\` is true only inside a synchronous step, so no other call ever sees it.
    // GPU (before the fix): it stayed true across the step's awaits, and a call reaching progress()
    // meanwhile threw Interrupted to its caller once the control word said pause or stop.
    const doc = smallBrackets({ steps: 8, evalEvery: 1000 });
    const s = service();
    const loaded = await s.load({ doc, backend: 'webgpu', evalDuringRun: false });
    expect(loaded.ok && loaded.value.backend.name).toBe('webgpu');
    const held = holdStep(3);
    const run = s.start();
    await held.inFlight;
    expect(s.pause().state).toBe('paused');
    let weights: Awaited<ReturnType<TrainerService['getWeights']>> | Error;
    const reading = s.getWeights();
    held.release();
    await held.done;
    try {
      weights = await reading;
    } catch (e) {
      weights = e as Error;
    }
    s.stop();
    await run;
    expect(weights).not.toBeInstanceOf(Error);
    expect(!(weights instanceof Error) && weights.ok).toBe(true);
  });

  it('pause, then restore while the GPU step is still in flight: the run is at the restored step', { timeout: 120_000 }, async () => {
    // CPU: pause stops the step at its next progress check (the step is rewound), so a restore
    // right after it leaves the trainer exactly at the checkpoint. GPU (before the queue): the
    // held step finished after the restore and counted itself on top of the restored step.
    // (The progress hook is taken away so that the Interrupted of the test above does not hide this.)
    const doc = smallBrackets({ steps: 8, evalEvery: 1000 });
    const ref = cpuTrainer(doc);
    ref.step();
    ref.step();
    const bytes = checkpointBytes(ref);
    const s = service();
    setProgressHook(undefined);
    const loaded = await s.load({ doc, backend: 'webgpu', evalDuringRun: false });
    expect(loaded.ok && loaded.value.backend.name).toBe('webgpu');
    const held = holdStep(5);
    const run = s.start();
    await held.inFlight;
    expect(s.pause().state).toBe('paused');
    // The restore waits for the step under way, then applies: the run is at the restored step.
    const restoring = s.restore(bytes);
    held.release();
    await held.done;
    const restored = await restoring;
    expect(restored.ok && restored.value.step).toBe(2);
    s.stop();
    const end = await run;
    expect(end.ok && end.value.step).toBe(2);
    expect(trainerOf(s).steps).toBe(2);
  });

  it('a device lost while a step copies the weights back: the run goes on on the CPU, every step reported once', { timeout: 120_000 }, async () => {
    // A loss during the per-step snapshot (or getWeights/checkpoint's syncHost) must become a
    // GpuFault like a program run's; GpuOptimizer.download once let it escape as a plain error.
    const doc = smallBrackets({ steps: 12, evalEvery: 1000 });
    const s = service();
    const loaded = await s.load({ doc, backend: 'webgpu', evalDuringRun: false });
    expect(loaded.ok && loaded.value.backend.name).toBe('webgpu');
    const original = GpuOptimizer.prototype.download;
    let calls = 0;
    vi.spyOn(GpuOptimizer.prototype, 'download').mockImplementation(async function (this: GpuOptimizer) {
      if (++calls === 4) this.context.device.destroy();
      return original.apply(this);
    });
    const steps: number[] = [];
    const end = await s.start((b: MetricsBatch) => void steps.push(...b.steps));
    expect(calls).toBeGreaterThanOrEqual(4);
    expect(end).toEqual({ ok: true, value: { reason: 'done', step: 12 } });
    expect(steps).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    expect(s.status().backend.name).toBe('cpu');
  });

  it('loaded weights on a GPU run whose host snapshot is behind keep the optimiser state of the current step', { timeout: 120_000 }, async () => {
    // CPU: setWeights replaces the weights only; Adam's moments and step count stay those of the
    // last step. GPU (state over SNAPSHOT_BYTES): setWeights must bring the host copy up to date
    // first, or the upload puts the last snapshot's older moments and step count back.
    const doc = smallBrackets({ steps: 20, evalEvery: 1000 });
    const s = service();
    const loaded = await s.load({ doc, backend: 'webgpu', evalDuringRun: false });
    expect(loaded.ok && loaded.value.backend.name).toBe('webgpu');
    const t = trainerOf(s);
    snapshotEvery(t, 3);
    for (let i = 0; i < 4; i++) expect((await s.step()).ok).toBe(true);
    // Weights from a file (another run's): no syncHost happens before them.
    const file = weightBytes(cpuTrainer(smallBrackets({ seed: 99 })).model, {});
    expect((await s.setWeights(file)).ok).toBe(true);
    expect(gpuOf(t).optimizer.steps).toBe(4);
    expect((await s.step()).ok).toBe(true);
    await t.syncHost();
    expect(t.getState().optimizer.step).toBe(5);
    // The CPU run of the same calls: the optimiser's step count is the run's.
    const cpu = cpuTrainer(doc);
    for (let i = 0; i < 4; i++) cpu.step();
    expect(loadWeightBytes(cpu.model, file).ok).toBe(true);
    cpu.step();
    expect(cpu.getState().optimizer.step).toBe(5);
  });

  it('a device lost on a run that snapshots every few steps: no step is reported twice', { timeout: 120_000 }, async () => {
    // leaveGpu goes back to the last snapshot (steps and random states), and the CPU retakes the
    // steps after it, which the metrics stream had already carried from the GPU: not again.
    const doc = smallBrackets({ steps: 12, evalEvery: 1000 });
    const s = service();
    const loaded = await s.load({ doc, backend: 'webgpu', evalDuringRun: false });
    expect(loaded.ok && loaded.value.backend.name).toBe('webgpu');
    snapshotEvery(trainerOf(s), 4);
    const held = holdStep(7);
    const steps: number[] = [];
    const run = s.start((b: MetricsBatch) => void steps.push(...b.steps));
    await held.inFlight;
    expect(s.destroyGpuDevice()).toEqual({ ok: true, value: true });
    held.release();
    const end = await run;
    expect(end).toEqual({ ok: true, value: { reason: 'done', step: 12 } });
    expect(s.status().backend.name).toBe('cpu');
    expect(steps).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
  });

  it('linear start on the GPU: the variant and the graph as drawn train one set of weights, as on the CPU', { timeout: 180_000 }, async () => {
    // Each variant's GPU twin reads the optimiser's one weight buffer; a twin compiled from the
    // other model must see the updates made through the first.
    const base = loadExample('memory-network');
    const doc: GraphDoc = { ...base, task: { name: 'babi', params: { ...base.task!.params, train_size: 40, test_size: 8 } }, training: { ...base.training, batch: 4, steps: 10, linearStart: 2 } };
    const cpu = cpuTrainer(doc);
    const g = cpuTrainer(doc);
    if (!probe.ok) return;
    expect((await g.useGpu(probe.context)).ok).toBe(true);
    for (let i = 0; i < 5; i++) {
      const a = cpu.step();
      const b = await g.stepAsync();
      expect(Math.abs(a.loss - b.loss)).toBeLessThanOrEqual(1e-3 * Math.max(1, Math.abs(a.loss)));
    }
    const ev = await g.evaluateAsync('test');
    expect(Math.abs(ev.loss - cpu.evaluate('test').loss)).toBeLessThanOrEqual(1e-3 * Math.max(1, ev.loss));
    // Once linear start is over its twins are no longer used and are freed (the CPU side drops
    // the linear model for that reason); a restore to before the switch makes a new variant, with
    // new CPU passes, and so new twins, but not on top of the old.
    const twins = (gpuOf(g) as unknown as { twins: Map<unknown, unknown> }).twins;
    expect(twins.size).toBeLessThanOrEqual(1 + g.task.evalSplits.length);
    const fresh = cpuTrainer(doc);
    await g.syncHost();
    g.setState(fresh.getState());
    await g.stepAsync();
    await g.stepAsync();
    await g.stepAsync();
    expect(twins.size).toBeLessThanOrEqual(1 + g.task.evalSplits.length);
    g.leaveGpu();
  });

  it('a run diverging on the GPU halts with the CPU\'s E442 message and the CPU\'s state after it', { timeout: 120_000 }, async () => {
    const doc = divergingRelu();
    const run = async (t: Trainer, step: () => Promise<unknown>): Promise<{ message: string; step: number; optimizer: number; data: readonly number[] }> => {
      for (let i = 0; i < 10; i++) {
        try {
          await step();
        } catch (e) {
          if (!(e instanceof TrainerError)) throw e;
          await t.syncHost();
          const st = t.getState();
          return { message: e.errors[0]!.message, step: st.step, optimizer: st.optimizer.step, data: st.dataRng };
        }
      }
      throw new Error('did not diverge');
    };
    const cpu = cpuTrainer(doc);
    const g = cpuTrainer(doc);
    if (!probe.ok) return;
    expect((await g.useGpu(probe.context)).ok).toBe(true);
    const a = await run(cpu, async () => cpu.step());
    const b = await run(g, () => g.stepAsync());
    expect(b).toEqual(a);
  });
});
