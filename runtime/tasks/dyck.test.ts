import { describe, expect, it } from 'vitest';
import { analyzeGraph } from '../validate/validate.ts';
import { bindTask } from './bind.ts';
import { sampleDyck } from './dyck-gen.ts';
import { dyckAccuracy } from './dyck.ts';
import { createTask } from './registry.ts';
import { elmanDoc, Lcg } from './test-helpers.ts';
import type { Batch, Task } from './types.ts';

function dyck(params: Record<string, number> = {}): Task {
  const r = createTask({ name: 'dyck', params: { train_size: 300, test_size: 100, ...params } });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.value;
}

const CHARS = '()[]';
const text = (batch: Batch, b: number): string => Array.from(batch.data.x!.subarray(b * batch.length, b * batch.length + batch.lengths[b]!), (id) => CHARS[id]).join('');

/** Cancel adjacent matched pairs until none is left: what remains of a Dyck prefix is its open brackets. */
function reduce(s: string): string {
  let prev;
  do {
    prev = s;
    s = s.replaceAll('()', '').replaceAll('[]', '');
  } while (s !== prev);
  return s;
}
const isDyck = (s: string): boolean => reduce(s) === '';
/** c may follow p when p + c still reduces to open brackets only (any open brackets can be closed later). */
const mayFollow = (p: string, c: string): boolean => /^[([]*$/.test(reduce(p + c));

function labelsOf(batch: Batch, b: number, width: number): number[][] {
  return Array.from({ length: batch.lengths[b]! }, (_, t) => Array.from(batch.data.y!.subarray((b * batch.length + t) * width, (b * batch.length + t + 1) * width)));
}

describe('dyck task', () => {
  it('makes Dyck strings whose labels match an independent checker at every step (Dyck-1 and Dyck-2)', () => {
    for (const pairs of [1, 2]) {
      const task = dyck({ pairs });
      const alphabet = CHARS.slice(0, 2 * pairs);
      const width = 2 * pairs + 1;
      for (const batch of [task.trainBatch(new Lcg(1), 64), task.evalBatch('test', 0, 64)!]) {
        for (let b = 0; b < batch.size; b++) {
          const s = text(batch, b);
          expect(isDyck(s), s).toBe(true);
          const labels = labelsOf(batch, b, width);
          for (let t = 0; t < s.length; t++) {
            const prefix = s.slice(0, t + 1);
            const want = [...alphabet].map((c) => (mayFollow(prefix, c) ? 1 : 0));
            want.push(reduce(prefix) === '' ? 1 : 0);
            expect(labels[t], `${prefix}`).toEqual(want);
          }
        }
      }
      if (pairs === 2) expect(task.streams.map((s) => [s.name, s.kind, s.vocab ?? s.size])).toEqual([['x', 'tokens', 4], ['y', 'vector', 5]]);
    }
  });

  it('keeps training strings within 2–50 and test strings within 52–100, all of even length', () => {
    const task = dyck();
    const train = task.trainBatch(new Lcg(2), 300);
    const test = task.evalBatch('test', 0, 100)!;
    expect(task.evalSplits[0]).toMatchObject({ name: 'test', count: 100, lengths: [52, 100] });
    for (let b = 0; b < train.size; b++) expect(train.lengths[b]).toBeGreaterThanOrEqual(2);
    expect(Math.max(...train.lengths)).toBeLessThanOrEqual(50);
    expect(Math.min(...test.lengths)).toBeGreaterThanOrEqual(52);
    expect(Math.max(...test.lengths)).toBeLessThanOrEqual(100);
    for (const n of [...train.lengths, ...test.lengths]) expect(n % 2).toBe(0);
  });

  it('is deterministic in its seed and independent of the batch size', () => {
    const a = dyck().evalBatch('test', 1, 10)!;
    const whole = dyck().evalBatch('test', 0, 100)!;
    expect(text(a, 0)).toBe(text(whole, 10));
    expect(dyck().trainBatch(new Lcg(4), 8)).toEqual(dyck().trainBatch(new Lcg(4), 8));
    expect(text(dyck({ seed: 2 }).evalBatch('test', 0, 1)!, 0)).not.toBe(text(whole, 0));
  });

  it('samples from the PCFG: at p = 0.5, q = 0.25 a quarter of the strings are empty and "()" is the next most likely', () => {
    // P(ε) = 1 − p − q + q·P(ε)² ⇒ P(ε) = (1 − √(1 − 4q(1−p−q)))/(2q) = 2 − √3 ≈ 0.268 with p = 0.5, q = 0.25.
    const rng = new Lcg(11);
    const counts = new Map<string, number>();
    const n = 20_000;
    for (let i = 0; i < n; i++) {
      const s = sampleDyck(rng, { pairs: 1, p: 0.5, q: 0.25 }, 1000);
      const key = s === undefined ? 'long' : s.map((id) => CHARS[id]).join('');
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    expect((counts.get('') ?? 0) / n).toBeCloseTo(2 - Math.sqrt(3), 1);
    const sorted = [...counts].filter(([k]) => k !== 'long').sort((a, b) => b[1] - a[1]);
    expect(sorted.slice(0, 2).map(([k]) => k)).toEqual(['', '()']);
  });

  it('counts a string right only if every step is, reports by length, and ignores padding', () => {
    const task = dyck();
    const batch = task.evalBatch('test', 0, 20)!;
    const width = 3;
    const perfect = batch.data.y!.map((v) => (v === 1 ? 4 : -4));
    const metric = dyckAccuracy(1);
    expect(metric.score(batch, perfect)).toMatchObject({ total: 20, count: 20 });
    const wrong = perfect.slice();
    // Example 2: only the last step's end label is wrong. Example 5: a NaN. Example 0: garbage on padded steps.
    const last = (2 * batch.length + batch.lengths[2]! - 1) * width + 2;
    wrong[last] = -wrong[last]!;
    wrong[5 * batch.length * width] = NaN;
    for (let i = (0 * batch.length + batch.lengths[0]!) * width; i < batch.length * width; i++) wrong[i] = 7;
    const s = metric.score(batch, wrong);
    expect(s).toMatchObject({ total: 18, count: 20 });
    const sum = [...s.byLength!.values()].reduce((a, v) => ({ total: a.total + v.total, count: a.count + v.count }), { total: 0, count: 0 });
    expect(sum).toEqual({ total: 18, count: 20 });
    expect(s.byLength!.get(batch.lengths[2]!)!.count - s.byLength!.get(batch.lengths[2]!)!.total).toBeGreaterThanOrEqual(1);
  });

  it('describes a string and its legal-next sets', () => {
    const task = dyck();
    const batch = task.trainBatch(new Lcg(1), 4);
    const d = task.describe(batch, 0);
    expect(d.input).toBe(text(batch, 0));
    expect(d.target.split(' ')).toHaveLength(d.input.length);
    expect(d.target.split(' ').at(-1)).toBe('($');
  });

  it('refuses p + q ≥ 1, p = 0, reversed ranges and an odd single length', () => {
    const codes = (params: Record<string, number>) => {
      const r = createTask({ name: 'dyck', params });
      return r.ok ? [] : r.errors.map((e) => [e.code, e.path]);
    };
    expect(codes({ p: 0.6, q: 0.4 })).toEqual([['E422', '$.task.params.q']]);
    expect(codes({ p: 0 })).toEqual([['E422', '$.task.params.p']]);
    expect(codes({ min_length: 60 })).toEqual([['E422', '$.task.params.min_length']]);
    expect(codes({ test_min_length: 51, test_max_length: 51 })).toEqual([['E422', '$.task.params.test_min_length']]);
    expect(codes({ pairs: 3 })).toEqual([['E422', '$.task.params.pairs']]);
  });

  it('binds to an LSTM-style graph whose vector target is aligned with x', () => {
    const doc = elmanDoc({ x: { kind: 'tokens', vocab: 2 }, y: { kind: 'vector', size: 3, align_with: 'x' }, decoderSize: 3, take: 'all', loss: 'mse' });
    const analysis = analyzeGraph(doc);
    expect(analysis.errors).toEqual([]);
    const r = bindTask(dyck(), analysis);
    expect(r.ok && r.value.axis).toBe('x');
    const unaligned = bindTask(dyck(), analyzeGraph(elmanDoc({ x: { kind: 'tokens', vocab: 2 }, y: { kind: 'vector', size: 3 }, decoderSize: 3, take: 'all', loss: 'mse' })));
    expect(!unaligned.ok && unaligned.errors.map((e) => e.code)).toEqual(['E429']);
  });
});
