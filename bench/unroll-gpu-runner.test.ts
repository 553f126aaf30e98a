/**
 * The benchmark's WebGPU side: a small workload steps on the GPU with the CPU runner's losses
 * (same seed, weights and batch), forward-only gives the first loss, and the printed table names
 * the adapter and flags a software one. Skipped, with the reason printed, without an adapter.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { requestGpu } from '../runtime/webgpu/context.ts';
import { unrollGpuRun } from './unroll-gpu-runner.ts';
import { unrollRun } from './unroll-runner.ts';
import { FALLBACK_NOTE, formatTable, type BenchResults, type BenchRow } from './run.ts';
import { REFERENCE, type CellKind } from './workloads.ts';

const gpu = await requestGpu();
if (!gpu.ok) console.warn(`bench WebGPU tests skipped: ${gpu.reason}`);
afterAll(() => {
  if (gpu.ok) gpu.context.device.destroy();
});

describe.skipIf(!gpu.ok)('bench on WebGPU', () => {
  it.each(['lstm', 'gru', 'rnn'] as const)('%s: a small workload trains on the GPU with the CPU runner’s losses', { timeout: 60_000 }, async (cell: CellKind) => {
    if (!gpu.ok) return;
    const shape = { cell, hidden: 8, input: 4, output: 3, batch: 2, steps: 3 };
    const cpu = unrollRun(shape, true);
    const run = await unrollGpuRun(gpu.context, shape, true);
    const fwd = await unrollGpuRun(gpu.context, shape, false);
    try {
      const losses: number[] = [];
      for (let i = 0; i < 10; i++) {
        const a = cpu.step();
        const b = await run.step();
        expect(Math.abs(b - a)).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(a)));
        losses.push(b);
      }
      expect(losses[9]).toBeLessThan(losses[0]!);
      // Forward only, from the initial weights: the first training step's loss.
      expect(Math.abs((await fwd.step()) - losses[0]!)).toBeLessThanOrEqual(1e-5 * Math.max(1, losses[0]!));
    } finally {
      run.destroy();
      fwd.destroy();
    }
  });
});

describe('bench table with WebGPU rows', () => {
  const row = (framework: BenchRow['framework'], train: number): BenchRow => ({
    cell: 'lstm',
    framework,
    trainStepsPerSec: train,
    trainRuns: [train],
    trainGflops: 1,
    inferStepsPerSec: 2 * train,
    inferGflops: 1,
    peakRssMiB: 10,
  });
  const base: BenchResults = {
    measured: '2026-01-01T00:00:00.000Z',
    command: 'npm run bench',
    machine: { cpus: 2, model: 'cpu', node: '20' },
    workload: REFERENCE,
    timing: { warmup: 1, runs: 1, minRunMs: 0 },
    rows: [row('unroll', 20), row('unroll-webgpu', 4), row('tfjs-wasm', 2)],
    ratios: { lstm: { 'unroll-webgpu': 5, 'tfjs-wasm': 10 } },
    scaling: { hidden: [], steps: [], batch: [] },
  };

  it('gives the WebGPU row the CPU’s ratio and names a software adapter with the note', () => {
    const text = formatTable({ ...base, gpu: { adapter: 'google swiftshader (software)', fallback: true, lossDiff: 1e-8, timing: base.timing, note: FALLBACK_NOTE } });
    expect(text).toMatch(/lstm\s+unroll-webgpu\s+4\.00 .* 5\.0×/);
    expect(text).toContain('WebGPU adapter: google swiftshader (software)');
    expect(text).toContain(FALLBACK_NOTE);
  });

  it('says why there are no WebGPU rows, and nothing when WebGPU was not asked for', () => {
    expect(formatTable({ ...base, rows: base.rows.filter((r) => r.framework !== 'unroll-webgpu'), gpu: { skipped: 'no adapter' } })).toContain('WebGPU rows skipped: no adapter');
    expect(formatTable(base)).not.toContain('WebGPU');
    const failed = { adapter: 'a', fallback: false, lossDiff: 0, timing: base.timing, failed: { gru: 'exit 1' } };
    expect(formatTable({ ...base, gpu: failed })).toContain('No WebGPU row for gru: exit 1');
  });
});
