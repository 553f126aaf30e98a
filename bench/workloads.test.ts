import { describe, expect, it } from 'vitest';
import { analyzeGraph } from '../runtime/validate/validate.ts';
import { REFERENCE, trainFlops, workloadGraph } from './workloads.ts';
import { unrollRun } from './unroll-runner.ts';
import { median } from './timing.ts';

describe('bench workloads', () => {
  it('count the issue’s 1.31 GFLOP of matmul per LSTM training step', () => {
    expect(trainFlops({ ...REFERENCE, cell: 'lstm' }) / 1e9).toBeCloseTo(1.31, 2);
  });

  it.each(['lstm', 'gru', 'rnn'] as const)('%s: the graph validates and a small version trains (loss falls)', (cell) => {
    expect(analyzeGraph(workloadGraph({ ...REFERENCE, cell }), { purpose: 'train' }).errors).toEqual([]);
    const run = unrollRun({ cell, hidden: 8, input: 4, output: 3, batch: 2, steps: 3 }, true);
    const first = run.step();
    let last = first;
    for (let i = 0; i < 20; i++) last = run.step();
    expect(last).toBeLessThan(first);
  });

  it('median of odd and even counts', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
});
