import { describe, expect, it } from 'vitest';
import { createTask } from './registry.ts';
import { Lcg } from './test-helpers.ts';
import type { Task } from './types.ts';

function make(params: Record<string, number> = {}): Task {
  const r = createTask({ name: 'adding', params });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.value;
}

describe('adding task', () => {
  it('lays out values, one marker per half, and the sum of the marked values', () => {
    for (const T of [100, 7, 2]) {
      const task = make({ T });
      const b = task.trainBatch(new Lcg(T), 200);
      expect(b.length).toBe(T);
      expect(b.data.x!.length).toBe(200 * T * 2);
      expect(b.data.y!.length).toBe(200);
      const half = Math.floor(T / 2);
      for (let k = 0; k < b.size; k++) {
        const values: number[] = [];
        const marks: number[] = [];
        for (let t = 0; t < T; t++) {
          values.push(b.data.x![(k * T + t) * 2]!);
          marks.push(b.data.x![(k * T + t) * 2 + 1]!);
        }
        expect(values.every((v) => v >= 0 && v < 1)).toBe(true);
        expect(marks.every((m) => m === 0 || m === 1)).toBe(true);
        const marked = marks.flatMap((m, t) => (m === 1 ? [t] : []));
        expect(marked.length).toBe(2);
        expect(marked[0]!).toBeLessThan(half);
        expect(marked[1]!).toBeGreaterThanOrEqual(half);
        expect(b.data.y![k]).toBeCloseTo(values[marked[0]!]! + values[marked[1]!]!, 6);
      }
    }
  });

  it('spreads markers over each whole half', () => {
    const b = make({ T: 10 }).trainBatch(new Lcg(2), 2000);
    const hits = new Array(10).fill(0);
    for (let k = 0; k < b.size; k++) for (let t = 0; t < 10; t++) hits[t] += b.data.x![(k * 10 + t) * 2 + 1]!;
    for (const h of hits) expect(Math.abs(h / 2000 - 0.2)).toBeLessThan(0.04);
  });

  it('baseline: always predicting 1 scores 1/6 ± 0.01 on 10k samples', () => {
    const task = make();
    expect(task.baseline!.value).toBeCloseTo(0.167, 3);
    const b = task.trainBatch(new Lcg(12), 10_000);
    const { total, count } = task.metric.score(b, new Float32Array(10_000).fill(1));
    expect(count).toBe(10_000);
    expect(Math.abs(total / count - 1 / 6)).toBeLessThan(0.01);
  });

  it('mse sums squared errors of hand-made predictions', () => {
    const task = make({ T: 4 });
    const b = task.trainBatch(new Lcg(1), 3);
    const y = Array.from(b.data.y!);
    const pred = new Float32Array([y[0]!, y[1]! + 0.5, y[2]! - 2]);
    expect(task.metric).toMatchObject({ name: 'mse', better: 'lower' });
    const s = task.metric.score(b, pred);
    expect(s.count).toBe(3);
    expect(s.total).toBeCloseTo(0.25 + 4, 5);
  });

  it('has a fixed test split independent of the training rng and the batch size', () => {
    const a = make();
    const b = make();
    b.trainBatch(new Lcg(5), 10);
    expect(a.evalSplits).toEqual([expect.objectContaining({ name: 'test', count: 1000, lengths: [100, 100] })]);
    expect(a.evalBatch('test', 0, 64)).toEqual(b.evalBatch('test', 0, 64));
    const whole = a.evalBatch('test', 0, 1000)!;
    const part = a.evalBatch('test', 3, 7)!; // examples 21–27
    expect(Array.from(part.data.y!)).toEqual(Array.from(whole.data.y!.subarray(21, 28)));
    expect(a.evalBatch('test', 1, 1000)).toBeUndefined();
    expect(a.evalBatch('train', 0, 10)).toBeUndefined();
    expect(a.describe(whole, 0).input).toMatch(/^T=100, marked: 0\.\d{3} at t=\d+, 0\.\d{3} at t=\d+$/);
  });
});
