/**
 * Training on WebGPU against the CPU: the LSTM brackets example for 200 steps gives the CPU's
 * losses within 1e-3; evaluation, checkpoints and loaded weights go through the GPU's copy of the
 * weights; a diverging run halts with the same catalogue error and keeps the last good weights.
 * Runs on any adapter (SwiftShader here); skipped with the reason printed where there is none.
 */
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type { GraphDoc } from '../graph/types.ts';
import { requestGpu } from '../webgpu/context.ts';
import { Trainer, TrainerError, type TrainerSetup } from './trainer.ts';

const gpu = await requestGpu();
if (!gpu.ok) console.warn(`WebGPU training tests skipped: ${gpu.reason}`);
afterAll(() => {
  if (gpu.ok) gpu.context.device.destroy();
});

const example = (name: string): GraphDoc => JSON.parse(readFileSync(new URL(`../../examples/${name}`, import.meta.url), 'utf8')) as GraphDoc;

function trainer(setup: TrainerSetup): Trainer {
  const made = Trainer.create(setup);
  if (!made.ok) throw new Error(made.errors.map((e) => e.message).join('; '));
  return made.value;
}

async function onGpu(t: Trainer): Promise<Trainer> {
  if (!gpu.ok) throw new Error('no GPU');
  const r = await t.useGpu(gpu.context);
  if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('; '));
  expect(t.backend).toBe('webgpu');
  return t;
}

describe.skipIf(!gpu.ok)('training on WebGPU', () => {
  it('the LSTM brackets example: 200 steps give the CPU losses within 1e-3, and the same evaluation', { timeout: 300_000 }, async () => {
    const setup: TrainerSetup = { doc: example('lstm.json'), overrides: { steps: 200 } };
    const cpu = trainer(setup);
    const g = await onGpu(trainer(setup));
    let worst = 0;
    let worstNorm = 0;
    for (let i = 0; i < 200; i++) {
      const a = cpu.step(i % 50 === 0);
      const b = await g.stepAsync(i % 50 === 0);
      expect(b.step).toBe(a.step);
      worst = Math.max(worst, Math.abs(a.loss - b.loss) / Math.max(1, Math.abs(a.loss)));
      // Gradient norms drift further apart than losses (float32 sums in other orders, 200 updates in).
      worstNorm = Math.max(worstNorm, Math.abs(b.gradNorm - a.gradNorm) / Math.max(1, a.gradNorm));
      if (Math.abs(a.gradNorm - 1) > 0.1) expect(b.clipped).toBe(a.clipped);
      if (a.states !== undefined) expect(b.states!.map((s) => s.norms.length)).toEqual(a.states.map((s) => s.norms.length));
    }
    console.log(`lstm brackets, 200 steps: largest loss difference GPU vs CPU ${worst.toExponential(2)}, gradient norm ${worstNorm.toExponential(2)}`);
    expect(worst).toBeLessThanOrEqual(1e-3);
    expect(worstNorm).toBeLessThanOrEqual(5e-2);
    // The loss fell (it trains), and the evaluation on the GPU agrees with the CPU's.
    const ev = await g.evaluateAsync('test');
    const ref = cpu.evaluate('test');
    expect(Math.abs(ev.loss - ref.loss)).toBeLessThanOrEqual(1e-3 * Math.max(1, ref.loss));
    expect(Math.abs(ev.metric - ref.metric)).toBeLessThanOrEqual(0.02);
    expect(ev.count).toBe(ref.count);
  });

  it('the state round-trips through the GPU: a checkpoint taken on the GPU resumes on the CPU with the same next losses', { timeout: 120_000 }, async () => {
    const doc = example('gru.json');
    const g = await onGpu(trainer({ doc, overrides: { steps: 40 } }));
    for (let i = 0; i < 10; i++) await g.stepAsync();
    await g.syncHost();
    const state = g.getState();
    expect(state.step).toBe(10);
    const next: number[] = [];
    for (let i = 0; i < 5; i++) next.push((await g.stepAsync()).loss);
    const cpu = trainer({ doc, overrides: { steps: 40 } });
    cpu.setState(state);
    for (let i = 0; i < 5; i++) expect(Math.abs(cpu.step().loss - next[i]!)).toBeLessThanOrEqual(1e-4 * Math.max(1, next[i]!));
    // And back: the CPU's state restored into the GPU run gives the CPU's next loss.
    await g.syncHost();
    g.setState(cpu.getState());
    expect(g.steps).toBe(15);
    const a = cpu.step().loss;
    const b = (await g.stepAsync()).loss;
    expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-4 * Math.max(1, a));
  });

  it('host reads of a GPU run are refused until the host copy is brought up to date', { timeout: 60_000 }, async () => {
    const g = await onGpu(trainer({ doc: example('gru.json'), overrides: { steps: 40 } }));
    // A state larger than the snapshot budget is not copied back every step; this one is.
    expect(g['gpu']?.snapshotEvery).toBe(1);
    await g.stepAsync();
    expect(() => g.step()).toThrow(/use stepAsync/);
    expect(g.getState().step).toBe(1);
  });

  it('a diverging run halts with E442 naming the weight, and keeps the last good weights', { timeout: 60_000 }, async () => {
    const doc = example('gru.json');
    const g = await onGpu(trainer({ doc, overrides: { steps: 40, lr: 1e30, optimizer: 'sgd', clip: 0 } }));
    let error: TrainerError | undefined;
    for (let i = 0; i < 10 && error === undefined; i++) {
      try {
        await g.stepAsync();
      } catch (e) {
        if (!(e instanceof TrainerError)) throw e;
        error = e;
      }
    }
    expect(error?.errors[0]?.code).toBe('E442');
    await g.syncHost();
    for (const w of g.model.weights.values()) expect(w.every((v) => Number.isFinite(v))).toBe(true);
  });

  it('leaving the GPU goes on on the CPU from the last step', { timeout: 60_000 }, async () => {
    const doc = example('gru.json');
    const cpu = trainer({ doc, overrides: { steps: 40 } });
    const g = await onGpu(trainer({ doc, overrides: { steps: 40 } }));
    for (let i = 0; i < 5; i++) {
      cpu.step();
      await g.stepAsync();
    }
    expect(g.leaveGpu()).toBe(5);
    expect(g.backend).toBe('cpu');
    const a = cpu.step();
    const b = g.step();
    expect(b.step).toBe(6);
    expect(Math.abs(a.loss - b.loss)).toBeLessThanOrEqual(1e-3 * Math.max(1, a.loss));
  });
});
