/** The README's performance section with and without WebGPU rows (from a benchmark's results). */
import { describe, expect, it } from 'vitest';
import { performanceTable } from './readme-sections.ts';
import type { BenchResults, BenchRow } from '../bench/run.ts';
import { REFERENCE } from '../bench/workloads.ts';

const row = (framework: BenchRow['framework'], train: number): BenchRow => ({
  cell: 'gru',
  framework,
  trainStepsPerSec: train,
  trainRuns: [train],
  trainGflops: 1,
  inferStepsPerSec: 2 * train,
  inferGflops: 1,
  peakRssMiB: 10,
});
const timing = { warmup: 0, runs: 1, minRunMs: 0 };
const base: BenchResults = {
  measured: '2026-01-01T00:00:00.000Z',
  command: 'npm run bench',
  machine: { cpus: 2, model: 'cpu', node: '20' },
  workload: REFERENCE,
  timing: { warmup: 2, runs: 5, minRunMs: 250 },
  rows: [row('unroll', 20), row('tfjs-cpu', 1), row('tfjs-wasm', 2)],
  ratios: { gru: { 'tfjs-cpu': 20, 'tfjs-wasm': 10 } },
  scaling: { hidden: [], steps: [], batch: [] },
};
const GPU_LATER = 'GPU numbers are to be recorded on a machine with a GPU.';

describe('README performance section', () => {
  it('shows a software adapter’s WebGPU row with its ratios to TF.js and the caveat', () => {
    const text = performanceTable({
      ...base,
      rows: [...base.rows, row('unroll-webgpu', 0.04)],
      gpu: { adapter: 'google swiftshader (software)', fallback: true, lossDiff: 2e-8, timing },
    });
    expect(text).toContain('| GRU | Unroll (WebGPU) | 0.040 | 1.00 | 0.080 | 10 MiB | 0.020× / 0.040× |');
    expect(text).toContain('ran on google swiftshader (software), a software adapter: its rows (one timed step)');
    expect(text).toContain('not GPU speed');
    expect(text).toContain('2.0 × 10⁻⁸');
    expect(text).toContain(GPU_LATER);
  });

  it('names a hardware adapter without the caveat', () => {
    const text = performanceTable({ ...base, rows: [...base.rows, row('unroll-webgpu', 200)], gpu: { adapter: 'nvidia hopper (NVIDIA H100)', fallback: false, lossDiff: 0, timing: base.timing } });
    expect(text).toContain('ran on nvidia hopper (NVIDIA H100), medians of 5 timed runs');
    expect(text).not.toContain(GPU_LATER);
  });

  it('says why a cell has no WebGPU row when its measurement failed', () => {
    const gpu = { adapter: 'a', fallback: false, lossDiff: 0, timing, failed: { lstm: 'bench: unroll-webgpu lstm failed (exit 1): no kernel for lstmBwd yet.\nat …' } };
    expect(performanceTable({ ...base, gpu })).toContain('No WebGPU row for LSTM: bench: unroll-webgpu lstm failed (exit 1): no kernel for lstmBwd yet.');
  });

  it('says why there are no WebGPU rows, or that WebGPU was not measured', () => {
    expect(performanceTable({ ...base, gpu: { skipped: 'no WebGPU adapter is available.' } })).toContain(`Unroll on WebGPU: no rows, no WebGPU adapter is available. ${GPU_LATER}`);
    expect(performanceTable(base)).toContain(`Unroll on WebGPU was not measured in this run. ${GPU_LATER}`);
  });
});
