import { describe, expect, it } from 'vitest';
import { analyzeGraph } from '../validate/validate.ts';
import { bindTask } from './bind.ts';
import { CHARLM_CHARS, CHARLM_TEXT, charlmBitsPerChar, charlmTestStart } from './charlm.ts';
import { SOTU_ADDRESSES } from './data/sotu.ts';
import { createTask } from './registry.ts';
import { elmanDoc, Lcg } from './test-helpers.ts';
import type { Batch, Task } from './types.ts';

function charlm(params: Record<string, number> = {}): Task {
  const r = createTask({ name: 'charlm', params });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.value;
}

const row = (batch: Batch, name: string, b: number): string =>
  Array.from(batch.data[name]!.subarray(b * batch.length, (b + 1) * batch.length), (id) => CHARLM_CHARS[id]).join('');

describe('charlm task', () => {
  it('bundles ten public-domain addresses, about 320 KB of printable ASCII', () => {
    expect(SOTU_ADDRESSES.map((a) => a.year)).toEqual([1861, 1862, 1863, 1864, 1913, 1914, 1915, 1916, 1917, 1918]);
    expect(CHARLM_TEXT.length).toBeGreaterThan(300_000);
    expect(CHARLM_TEXT).toMatch(/^[\x20-\x7e\n]+$/);
    expect(CHARLM_TEXT.startsWith('Fellow-Citizens of the Senate')).toBe(true);
    expect(CHARLM_CHARS).toEqual([...new Set(CHARLM_TEXT)].sort());
    expect(charlm().streams.map((s) => s.vocab)).toEqual([CHARLM_CHARS.length, CHARLM_CHARS.length]);
  });

  it('makes y the next character of x, training windows from before the test text only', () => {
    const task = charlm();
    const start = charlmTestStart(0.1);
    const batch = task.trainBatch(new Lcg(7), 64);
    for (let b = 0; b < batch.size; b++) {
      const x = row(batch, 'x', b);
      const y = row(batch, 'y', b);
      expect(y.slice(0, -1)).toBe(x.slice(1));
      const at = CHARLM_TEXT.indexOf(x + y.at(-1));
      expect(at).toBeGreaterThanOrEqual(0);
      expect(at + 101).toBeLessThanOrEqual(start);
    }
    expect(task.trainBatch(new Lcg(7), 64)).toEqual(batch);
  });

  it('tiles the test text with consecutive windows, whatever the batch size', () => {
    const task = charlm();
    const start = charlmTestStart(0.1);
    const split = task.evalSplits[0]!;
    expect(split.count).toBe(Math.floor((CHARLM_TEXT.length - 1 - start) / 100));
    let text = '';
    for (let i = 0; ; i++) {
      const batch = task.evalBatch('test', i, 50);
      if (batch === undefined) break;
      for (let b = 0; b < batch.size; b++) text += row(batch, 'x', b);
    }
    expect(text).toBe(CHARLM_TEXT.slice(start, start + 100 * split.count));
    expect(row(task.evalBatch('test', 3, 1)!, 'y', 0)).toBe(CHARLM_TEXT.slice(start + 301, start + 401));
  });

  it('scores bits per character from logits', () => {
    const batch = charlm({ length: 4 }).evalBatch('test', 0, 2)!;
    const V = CHARLM_CHARS.length;
    // Uniform logits: log2 V bits each.
    expect(charlmBitsPerChar.score(batch, new Float32Array(2 * 4 * V)).total / 8).toBeCloseTo(Math.log2(V), 5);
    // Logit ln 3 on the right character, 0 elsewhere: p = 3/(V + 2), large constant offsets included.
    const pred = new Float32Array(2 * 4 * V).fill(1000);
    for (let i = 0; i < 8; i++) pred[i * V + batch.data.y![i]!] = 1000 + Math.log(3);
    const s = charlmBitsPerChar.score(batch, pred);
    expect(s.count).toBe(8);
    expect(s.total / s.count).toBeCloseTo(Math.log2((V + 2) / 3), 3);
    expect(charlmBitsPerChar.better).toBe('lower');
  });

  it('gives the unigram cross-entropy of the test text as its baseline', () => {
    const start = charlmTestStart(0.1);
    const counts = new Map<string, number>(CHARLM_CHARS.map((c) => [c, 1]));
    for (const c of CHARLM_TEXT.slice(0, start)) counts.set(c, counts.get(c)! + 1);
    const total = start + CHARLM_CHARS.length;
    let nats = 0;
    for (const c of CHARLM_TEXT.slice(start)) nats -= Math.log(counts.get(c)! / total);
    const want = nats / (CHARLM_TEXT.length - start);
    expect(charlm().baseline!.value).toBeCloseTo(want, 6);
    expect(want / Math.LN2).toBeGreaterThan(4);
    expect(want / Math.LN2).toBeLessThan(5);
  });

  it('refuses a window as long as the test text', () => {
    const r = createTask({ name: 'charlm', params: { length: 10_000, test_fraction: 0.01 } });
    expect(!r.ok && r.errors.map((e) => [e.code, e.path])).toEqual([['E422', '$.task.params.length']]);
  });

  it('binds to a character LSTM-style graph with the target aligned with x', () => {
    const V = CHARLM_CHARS.length;
    const analysis = analyzeGraph(elmanDoc({ x: { kind: 'tokens', vocab: V }, y: { kind: 'tokens', vocab: V, align_with: 'x' }, decoderSize: V, take: 'all' }));
    expect(analysis.errors).toEqual([]);
    const r = bindTask(charlm(), analysis);
    expect(r.ok && r.value.axis).toBe('x');
  });
});
