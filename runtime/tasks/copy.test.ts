import { describe, expect, it } from 'vitest';
import { copySymbolAccuracy } from './copy.ts';
import { createTask } from './registry.ts';
import { Lcg } from './test-helpers.ts';
import type { Batch, Task } from './types.ts';

function make(params: Record<string, number> = {}): Task {
  const r = createTask({ name: 'copy', params });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.value;
}

const row = (b: Batch, name: string, k: number): number[] => Array.from(b.data[name]!.subarray(k * b.length, (k + 1) * b.length));

/** One-hot logits (10 wide) of the given ids at every step of every example. */
function logitsOf(b: Batch, ids: (k: number, t: number) => number): Float32Array {
  const out = new Float32Array(b.size * b.length * 10);
  for (let k = 0; k < b.size; k++) for (let t = 0; t < b.length; t++) out[(k * b.length + t) * 10 + ids(k, t)] = 1;
  return out;
}

describe('copy task', () => {
  it('lays out x and y exactly as Arjovsky et al. §4.1', () => {
    for (const [T, S] of [[100, 10], [5, 10], [1, 10], [7, 3]] as const) {
      const task = make({ T, symbols: S });
      expect(task.trainLengths).toEqual([T + 2 * S, T + 2 * S]);
      const b = task.trainBatch(new Lcg(T), 20);
      expect(b.length).toBe(T + 2 * S);
      expect(Array.from(b.lengths)).toEqual(new Array(20).fill(T + 2 * S));
      expect(b.data.x!.length).toBe(20 * (T + 2 * S));
      for (let k = 0; k < 20; k++) {
        const x = row(b, 'x', k);
        const y = row(b, 'y', k);
        const symbols = x.slice(0, S);
        expect(symbols.every((v) => Number.isInteger(v) && v >= 0 && v <= 7)).toBe(true);
        expect(x.slice(S)).toEqual([...new Array(T - 1).fill(8), 9, ...new Array(S).fill(8)]);
        expect(y).toEqual([...new Array(T + S).fill(8), ...symbols]);
      }
    }
  });

  it('draws symbols uniformly from a0–a7', () => {
    const b = make().trainBatch(new Lcg(1), 2000);
    const counts = new Array(8).fill(0);
    for (let k = 0; k < b.size; k++) for (let i = 0; i < 10; i++) counts[b.data.x![k * b.length + i]!]++;
    for (const c of counts) expect(Math.abs(c / 20_000 - 1 / 8)).toBeLessThan(0.01);
  });

  it('has a fixed test split of 1000, independent of the training rng and of the batch size', () => {
    const a = make();
    const b = make();
    b.trainBatch(new Lcg(3), 100);
    expect(a.evalSplits).toEqual([expect.objectContaining({ name: 'test', count: 1000, lengths: [120, 120] })]);
    expect(a.evalBatch('test', 3, 50)).toEqual(b.evalBatch('test', 3, 50));
    const big = a.evalBatch('test', 1, 100)!;
    const small = a.evalBatch('test', 4, 25)!; // examples 100–124
    expect(row(small, 'x', 0)).toEqual(row(big, 'x', 0));
    expect(a.evalBatch('test', 9, 100)!.size).toBe(100);
    expect(a.evalBatch('test', 10, 100)).toBeUndefined();
    expect(a.evalBatch('test', 2, 400)!.size).toBe(200);
    expect(make({ seed: 2 }).evalBatch('test', 0, 10)).not.toEqual(a.evalBatch('test', 0, 10));
    expect(a.trainBatch(new Lcg(8), 5)).toEqual(b.trainBatch(new Lcg(8), 5));
  });

  it('recall counts examples whose recalled symbols are all right; per-symbol accuracy counts symbols', () => {
    const task = make({ T: 10 });
    const b = task.trainBatch(new Lcg(4), 4);
    const y = (k: number, t: number) => b.data.y![k * b.length + t]!;
    expect(task.metric).toMatchObject({ name: 'recall', better: 'higher' });
    expect(task.metric.score(b, logitsOf(b, y))).toEqual({ total: 4, count: 4 });
    // Example 1 gets one symbol wrong, example 2 gets blanks wrong before the recall (not scored).
    const wrong = logitsOf(b, (k, t) => (k === 1 && t === b.length - 3 ? (y(k, t) + 1) % 8 : k === 2 && t < 5 ? 0 : y(k, t)));
    expect(task.metric.score(b, wrong)).toEqual({ total: 3, count: 4 });
    expect(copySymbolAccuracy(b, wrong, 10)).toEqual({ total: 39, count: 40 });
    expect(task.metric.score(b, logitsOf(b, () => 8))).toEqual({ total: 0, count: 4 });
  });

  it('baseline is the memoryless cross-entropy 10·ln 8/(T+20)', () => {
    const task = make();
    expect(task.baseline!.value).toBeCloseTo(0.1733, 4);
    // Cross-entropy of: blank for sure before the recall, uniform over a0–a7 during it.
    const b = task.trainBatch(new Lcg(6), 50);
    let ce = 0;
    for (let k = 0; k < b.size; k++) {
      for (let t = 0; t < b.length; t++) {
        const target = b.data.y![k * b.length + t]!;
        const p = t < 110 ? (target === 8 ? 1 : 0) : target < 8 ? 1 / 8 : 0;
        ce -= Math.log(p);
      }
    }
    expect(ce / (b.size * b.length)).toBeCloseTo(task.baseline!.value, 10);
  });

  it('describes examples with run-length blanks', () => {
    const b = make({ T: 100 }).trainBatch(new Lcg(1), 1);
    const d = make().describe(b, 0);
    expect(d.input).toMatch(/^(a[0-7] ){10}a8×99 a9 a8×10$/);
    expect(d.target).toMatch(/^a8×110( a[0-7]){10}$/);
  });
});
