/**
 * The training service on WebGPU (Dawn in Node, SwiftShader here): `webgpu` takes any adapter and
 * names it, `auto` leaves a software adapter alone, and a device destroyed mid-run moves the run
 * to the CPU, which goes on from the last step: every step is reported exactly once, and the
 * status says why the run is on the CPU now.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { requestGpu } from '../webgpu/context.ts';
import { TrainerService } from './service.ts';
import type { MetricsBatch } from './protocol.ts';
import { smallBrackets } from './fixtures/docs.ts';

const probe = await requestGpu();
if (!probe.ok) console.warn(`WebGPU service tests skipped: ${probe.reason}`);
if (probe.ok) probe.context.device.destroy();

const services: TrainerService[] = [];
afterAll(() => {
  for (const s of services) s.destroyGpuDevice();
});

function service(): TrainerService {
  const s = new TrainerService();
  s.connect(new MessageChannel().port1);
  services.push(s);
  return s;
}

describe.skipIf(!probe.ok)('the training service on WebGPU', () => {
  it('webgpu takes the software adapter and names it; auto leaves it for the CPU', { timeout: 60_000 }, async () => {
    const s = service();
    const auto = await s.load({ doc: smallBrackets() });
    expect(auto.ok && auto.value.backend).toEqual({ name: 'cpu' });
    const forced = await s.load({ doc: smallBrackets(), backend: 'webgpu' });
    expect(forced.ok).toBe(true);
    if (!forced.ok) return;
    expect(forced.value.backend.name).toBe('webgpu');
    expect(forced.value.backend.adapter).toMatch(/swiftshader/i);
    expect(s.status().backend.name).toBe('webgpu');
    const cpu = await s.load({ doc: smallBrackets(), backend: 'cpu' });
    expect(cpu.ok && cpu.value.backend).toEqual({ name: 'cpu' });
  });

  it('a device destroyed mid-run: the run goes on on the CPU from the last step, every step reported once', { timeout: 120_000 }, async () => {
    const s = service();
    const loaded = await s.load({ doc: smallBrackets({ steps: 60, evalEvery: 20 }), backend: 'webgpu' });
    expect(loaded.ok && loaded.value.backend.name).toBe('webgpu');
    const steps: number[] = [];
    const backends: string[] = [];
    let destroyed = false;
    const end = await s.start((b: MetricsBatch) => {
      steps.push(...b.steps);
      backends.push(b.status.backend.name);
      if (!destroyed && steps.length > 0 && steps[steps.length - 1]! >= 10) {
        destroyed = true;
        expect(s.destroyGpuDevice()).toEqual({ ok: true, value: true });
      }
    });
    expect(end).toEqual({ ok: true, value: { reason: 'done', step: 60 } });
    expect(destroyed).toBe(true);
    expect(steps).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    expect(backends[0]).toBe('webgpu');
    expect(backends[backends.length - 1]).toBe('cpu');
    const status = s.status();
    expect(status.backend.name).toBe('cpu');
    expect(status.backend.notice).toMatch(/^the GPU device was lost \(destroyed[^)]*\); training continues on the CPU from step \d+$/);
    // Weights, evaluation and a checkpoint work on the CPU after the fallback.
    const ev = await s.evaluate('test');
    expect(ev.ok && Number.isFinite(ev.value.loss)).toBe(true);
    // A destroyed device is not asked for again by the same load; a new load with webgpu gets a new one.
    const again = await s.load({ doc: smallBrackets(), backend: 'webgpu' });
    expect(again.ok && again.value.backend.name).toBe('webgpu');
  });
});

describe('the training service without a GPU', () => {
  it('webgpu falls back to the CPU with a notice saying why; auto says nothing', async () => {
    const s = new TrainerService(async () => undefined);
    s.connect(new MessageChannel().port1);
    const forced = await s.load({ doc: smallBrackets(), backend: 'webgpu' });
    expect(forced.ok && forced.value.backend.name).toBe('cpu');
    expect(forced.ok && forced.value.backend.notice).toMatch(/WebGPU is not available \(this browser or runtime has no WebGPU\): training on the CPU/);
    const auto = await s.load({ doc: smallBrackets() });
    expect(auto.ok && auto.value.backend).toEqual({ name: 'cpu' });
    // The CPU run trains as ever.
    const step = await s.step();
    expect(step.ok && step.value.step).toBe(1);
  });

  it('an adapter that refuses a device: the notice carries the driver’s reason', async () => {
    const refusing = { requestAdapter: async () => ({ limits: { maxStorageBufferBindingSize: 1, maxBufferSize: 1 }, requestDevice: async () => Promise.reject(new Error('no device today')) }) } as unknown as GPU;
    const s = new TrainerService(async () => refusing);
    s.connect(new MessageChannel().port1);
    const r = await s.load({ doc: smallBrackets(), backend: 'webgpu' });
    expect(r.ok && r.value.backend.notice).toMatch(/no device today/);
  });
});
