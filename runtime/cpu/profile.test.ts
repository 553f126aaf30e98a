/** The opt-in per-kernel timer: off by default, labels by kind and kernels when on, zeroed on reset. */
import { afterEach, describe, expect, it } from 'vitest';
import { analyzeGraph } from '../validate/validate.ts';
import { Model } from '../train/model.ts';
import { Rng } from '../train/prng.ts';
import { loadExample, randomSources } from '../train/gradcheck-support.ts';
import { kernelProfile, setKernelProfile } from './program.ts';

function trainPass(): void {
  const analysis = analyzeGraph(loadExample('seq2seq-attention'), { purpose: 'train' });
  if (!analysis.ok) throw new Error(analysis.errors[0]!.message);
  const model = new Model(analysis, { dtype: 'float32' });
  model.initialise(new Rng(1).fork('init'));
  const lengths = { src: 5, y: 4 };
  const r = model.pass({ lengths, batch: 2, backward: true });
  if (!r.ok) throw new Error(r.errors[0]!.message);
  const rng = new Rng(2);
  r.value.feed({ size: 2, sources: randomSources(analysis, lengths, 2, rng), lengths: new Map() }, rng.fork('states'));
  r.value.forward();
  r.value.backward();
}

describe('kernel profile', () => {
  afterEach(() => {
    setKernelProfile(false);
    kernelProfile(true);
  });

  it('records nothing while off', () => {
    kernelProfile(true);
    trainPass();
    expect(kernelProfile()).toEqual([]);
  });

  it('times every instruction of programs built while on, by kind, kernels and layout', () => {
    setKernelProfile(true);
    trainPass();
    const rows = kernelProfile(true);
    expect(rows.length).toBeGreaterThan(5);
    expect(rows.some(([label]) => /^gemm (fast|ref) \d+x\d+x\d+/.test(label))).toBe(true);
    expect(rows.some(([label]) => label.startsWith('binary:add '))).toBe(true);
    for (const [, t] of rows) {
      expect(t.calls).toBeGreaterThan(0);
      expect(t.ms).toBeGreaterThanOrEqual(0);
    }
    // Slowest first; a reset zeroes the counts.
    for (let i = 1; i < rows.length; i++) expect(rows[i]![1].ms).toBeLessThanOrEqual(rows[i - 1]![1].ms);
    expect(kernelProfile()).toEqual([]);
  });
});
