import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Ema, MinMaxDecimator } from './chart-decimate.ts';

/**
 * Independent reference: min/max decimation of the whole series at once, with buckets of
 * `width` consecutive points, plus the first and last finite points, in input order.
 */
function reference(xs: number[], ys: number[], width: number): { xs: number[]; ys: number[] } {
  const keep = new Set<number>();
  const finite = ys.map((y, i) => (Number.isFinite(y) ? i : -1)).filter((i) => i >= 0);
  if (finite.length > 0) {
    keep.add(finite[0]!);
    keep.add(finite.at(-1)!);
  }
  for (let start = 0; start < ys.length; start += width) {
    let lo = -1;
    let hi = -1;
    for (let i = start; i < Math.min(start + width, ys.length); i++) {
      if (!Number.isFinite(ys[i]!)) continue;
      if (lo < 0 || ys[i]! < ys[lo]!) lo = i;
      if (hi < 0 || ys[i]! > ys[hi]!) hi = i;
    }
    if (lo >= 0) keep.add(lo).add(hi);
  }
  const idx = [...keep].sort((a, b) => a - b);
  return { xs: idx.map((i) => xs[i]!), ys: idx.map((i) => ys[i]!) };
}

/** The bucket width the decimator must have after n points: the least power of two giving ≤ B buckets. */
function expectedWidth(n: number, maxPoints: number): number {
  const buckets = Math.floor((maxPoints - 2) / 2);
  let w = 1;
  while (Math.ceil(n / w) > buckets) w *= 2;
  return w;
}

const run = (d: MinMaxDecimator): { xs: number[]; ys: number[] } => {
  const p = d.points();
  return { xs: [...p.xs.subarray(0, p.length)], ys: [...p.ys.subarray(0, p.length)] };
};

describe('MinMaxDecimator', () => {
  it('keeps a short series whole', () => {
    const d = new MinMaxDecimator(100);
    const ys = [3, 1, 4, 1, 5, 9, 2, 6];
    ys.forEach((y, i) => d.push(i + 1, y));
    expect(run(d)).toEqual({ xs: [1, 2, 3, 4, 5, 6, 7, 8], ys });
  });

  it('equals decimating the whole series at once, after every push, for any series', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 4, max: 40 }),
        fc.array(fc.oneof(fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.constant(NaN), fc.integer({ min: -3, max: 3 })), { maxLength: 400 }),
        (maxPoints, ys) => {
          const d = new MinMaxDecimator(maxPoints);
          const xs = ys.map((_, i) => 10 + 2 * i);
          for (let n = 1; n <= ys.length; n++) {
            d.push(xs[n - 1]!, ys[n - 1]!);
            // Checking after every push covers the buckets just before and after each merge.
            if (n % 7 === 0 || n === ys.length) {
              const w = expectedWidth(n, maxPoints);
              expect(d.bucketWidth).toBe(w);
              const got = run(d);
              expect(got).toEqual(reference(xs.slice(0, n), ys.slice(0, n), w));
              expect(got.xs.length).toBeLessThanOrEqual(maxPoints);
            }
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('brings a million points down to the budget, with the extremes and both ends', () => {
    const d = new MinMaxDecimator(2000);
    const n = 1_000_000;
    let min = Infinity;
    let max = -Infinity;
    for (let i = 0; i < n; i++) {
      const y = Math.sin(i / 997) * Math.exp(-i / 3e5) + (i === 123_457 ? 5 : 0) + (i === 765_433 ? -5 : 0);
      min = Math.min(min, y);
      max = Math.max(max, y);
      d.push(i, y);
    }
    const p = run(d);
    expect(p.xs.length).toBeLessThanOrEqual(2000);
    expect(p.xs.length).toBeGreaterThan(1500);
    expect(Math.max(...p.ys)).toBe(max);
    expect(Math.min(...p.ys)).toBe(min);
    expect(p.xs).toContain(123_457);
    expect(p.xs).toContain(765_433);
    expect(p.xs[0]).toBe(0);
    expect(p.xs.at(-1)).toBe(n - 1);
    // In input order.
    for (let i = 1; i < p.xs.length; i++) expect(p.xs[i]!).toBeGreaterThan(p.xs[i - 1]!);
  });

  it('draws nothing for a series of no finite value', () => {
    const d = new MinMaxDecimator(10);
    for (let i = 0; i < 50; i++) d.push(i, NaN);
    expect(d.points().length).toBe(0);
  });
});

describe('Ema', () => {
  it('is bias-corrected: a constant series stays constant from its first value', () => {
    const e = new Ema(0.9);
    for (let i = 0; i < 5; i++) expect(e.push(2.5)).toBeCloseTo(2.5, 12);
  });

  it('matches the weighted mean (1−β) Σ β^(k−j) y_j / (1 − β^k), skipping NaN', () => {
    const beta = 0.8;
    const ys = [1, 3, NaN, -2, 7, 0.5];
    const e = new Ema(beta);
    const finite: number[] = [];
    for (const y of ys) {
      const got = e.push(y);
      if (Number.isFinite(y)) finite.push(y);
      const k = finite.length;
      let num = 0;
      let den = 0;
      finite.forEach((v, j) => {
        num += beta ** (k - 1 - j) * v;
        den += beta ** (k - 1 - j);
      });
      expect(got).toBeCloseTo(num / den, 12);
    }
  });

  it('is NaN before any finite value', () => {
    expect(new Ema(0.5).push(NaN)).toBeNaN();
  });
});
