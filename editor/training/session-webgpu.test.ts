/**
 * The training session on WebGPU (Dawn in Node, SwiftShader without a GPU), driven as the panel
 * drives it against the real service in a Node worker thread: the backend in the view names the
 * adapter, and a device lost mid-run turns it to the CPU with one notice while the run goes on,
 * every step recorded once. Skipped where there is no adapter.

 */
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { NodeWorkerHandle } from '../../runtime/worker/spawn-node.ts';

const spawned = vi.hoisted(() => [] as NodeWorkerHandle[]);
vi.mock('../../runtime/worker/spawn-browser.ts', async () => {
  const node = await import('../../runtime/worker/spawn-node.ts');
  return {
    spawnBrowserWorker: () => {
      const h = node.spawnNodeWorker();
      spawned.push(h);
      return h;
    },
  };
});
import { requestGpu } from '../../runtime/webgpu/context.ts';
import { smallBrackets } from '../../runtime/worker/fixtures/docs.ts';
import { getState } from '../store.ts';
import { setBackendChoice } from './backend-choice.ts';
import { clearRuns, getRuns } from './runs.ts';
import * as S from './session.ts';

const gpu = await requestGpu();
if (!gpu.ok) console.warn(`session tests on WebGPU skipped: ${gpu.reason}`);
else gpu.context.device.destroy();

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
async function until(f: () => boolean, what: string, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!f()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

afterAll(async () => {
  await S.resetTraining();
  for (const h of spawned) h.terminate();
});

beforeEach(async () => {
  await S.resetTraining();
  clearRuns();
});

describe.skipIf(!gpu.ok)('the training session on WebGPU', () => {
  it('names the adapter; a device lost mid-run turns it to the CPU with one notice, and the run goes on, every step recorded once', { timeout: 120_000 }, async () => {
    setBackendChoice('webgpu');
    const doc = smallBrackets({ steps: 1_000_000, evalEvery: 1_000_000 });
    const started = await S.startTraining(doc);
    expect(started.ok).toBe(true);
    expect(S.getTraining().backend).toEqual({ name: 'webgpu', adapter: expect.stringMatching(/\S/) });
    await until(() => S.getTraining().step >= 3, 'a few steps on WebGPU', 60_000);
    expect(S.getTraining().backend?.name).toBe('webgpu');
    expect(await S.destroyGpuDevice()).toBe(true);
    await until(() => S.getTraining().backend?.name === 'cpu', 'the fallback to show');
    expect(S.getTraining().backend?.notice).toMatch(/lost/);
    const notices = () => getState().notices.filter((n) => /^WebGPU: .*lost/.test(n.text));
    expect(notices().map((n) => n.kind)).toEqual(['error']);
    const at = S.getTraining().step;
    await until(() => S.getTraining().step > at + 5, 'steps after the fallback');
    expect(S.getTraining().state).toBe('running');
    // Not on WebGPU any more: nothing to destroy.
    expect(await S.destroyGpuDevice()).toBe(false);
    await S.stopTraining();
    const run = getRuns().runs.find((r) => r.id === getRuns().current)!;
    const steps = Array.from(run.series.steps.subarray(0, run.series.length));
    expect(steps.length).toBe(S.getTraining().step);
    expect(steps.every((x, i) => x === i + 1)).toBe(true);
    // Shown once, though every batch since has carried it.
    expect(notices()).toHaveLength(1);
  });

  it('WebGPU then CPU: the next Start loads afresh on the CPU and says the backend changed', { timeout: 120_000 }, async () => {
    setBackendChoice('webgpu');
    const doc = smallBrackets({ steps: 5, evalEvery: 1000 });
    expect((await S.startTraining(doc)).ok).toBe(true);
    await until(() => S.getTraining().ended === 'done', 'the run to end', 60_000);
    expect(S.getTraining().backend?.name).toBe('webgpu');
    setBackendChoice('cpu');
    expect(S.staleAgainst(doc)).toBe('backend');
    const again = await S.startTraining(doc);
    expect(again.ok && again.value).toEqual({ step: 0, continued: false });
    await until(() => S.getTraining().ended === 'done', 'the run to end');
    expect(getState().notices.at(-1)?.text).toMatch(/backend WebGPU → CPU.*afresh/);
    expect(S.getTraining().backend).toEqual({ name: 'cpu' });
  });
});
