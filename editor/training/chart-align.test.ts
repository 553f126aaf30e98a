import { describe, expect, it } from 'vitest';
import { alignSeries } from './chart-align.ts';

describe('alignSeries', () => {
  it('puts every series on the sorted union of x values, null where it has no point', () => {
    const out = alignSeries([
      { length: 3, xs: [1, 2, 4], ys: [10, 20, 40] },
      { length: 2, xs: [0, 4], ys: [5, 6] },
      { length: 0, xs: [], ys: [] },
    ]);
    expect([...out[0]]).toEqual([0, 1, 2, 4]);
    expect(out.slice(1)).toEqual([
      [null, 10, 20, 40],
      [5, null, null, 6],
      [null, null, null, null],
    ]);
  });

  it('reads only `length` points, turns non-finite and refused values into gaps, and lets a later point at the same x win', () => {
    const out = alignSeries(
      [
        { length: 3, xs: Float64Array.of(1, 2, 3, 99), ys: Float64Array.of(1, NaN, -1, 7) },
        { length: 2, xs: [2, 2], ys: [3, 4] },
      ],
      (y) => y > 0,
    );
    expect([...out[0]]).toEqual([1, 2, 3]);
    expect(out.slice(1)).toEqual([
      [1, null, null],
      [null, 4, null],
    ]);
  });

  it('sorts x numerically, not as text', () => {
    const out = alignSeries([{ length: 3, xs: [2, 10, 100], ys: [1, 2, 3] }]);
    expect([...out[0]]).toEqual([2, 10, 100]);
  });
});

/** Run-like series: `runs` runs × `perRun` curves of `n` points each over steps 1…`steps`, each run's points at its own (decimated) steps. */
function manyRuns(runs: number, perRun: number, n: number, steps: number): { length: number; xs: Float64Array; ys: Float64Array }[] {
  const out = [];
  for (let r = 0; r < runs; r++) {
    for (let k = 0; k < perRun; k++) {
      const xs = new Float64Array(n);
      const ys = new Float64Array(n);
      // Ascending, distinct per run and curve (as min-max decimation picks them), spanning 1…steps.
      for (let i = 0; i < n; i++) xs[i] = Math.min(steps, 1 + Math.floor((i * (steps - 1)) / (n - 1)) + ((r * 7 + k * 3 + i) % 3) * (i > 0 && i < n - 1 ? 1 : 0));
      for (let i = 0; i < n; i++) ys[i] = Math.sin(0.37 * i + r + k) * (1 + r) + (i % 97 === 0 ? 50 : 0);
      out.push({ length: n, xs, ys });
    }
  }
  return out;
}

describe('alignSeries on many runs', () => {
  it('20 runs × 3 curves × 2000 points over 100,000 steps: one grid of at most 2000 x values, whatever the number of runs', () => {
    for (const runs of [1, 5, 20]) {
      const series = manyRuns(runs, 3, 2000, 100_000);
      const out = alignSeries(series);
      const xs = out[0];
      expect(out.length).toBe(1 + series.length);
      expect(xs.length).toBeLessThanOrEqual(2000);
      expect(xs.length).toBeGreaterThan(1000);
      for (let i = 1; i < xs.length; i++) expect(xs[i]!).toBeGreaterThan(xs[i - 1]!);
      expect(xs[0]).toBe(1);
      expect(xs.at(-1)!).toBeLessThanOrEqual(100_000);
      expect(xs.at(-1)!).toBeGreaterThan(99_800);
      for (const col of out.slice(1)) expect(col.length).toBe(xs.length);
    }
  });

  it('keeps, per series and bucket of the grid, its minimum and maximum in the order they came', () => {
    const series = manyRuns(20, 3, 2000, 100_000);
    const out = alignSeries(series);
    const xs = out[0];
    // Buckets: pairs of slots; recover each slot's bucket from the grid's width (100,000 steps / 1000 buckets).
    const width = Math.ceil(100_000 / 1000);
    const bucket = (x: number): number => Math.min(999, Math.floor((x - 1) / width));
    series.forEach((s, k) => {
      const col = out[k + 1]!;
      const want = new Map<number, { min: number; max: number; minAt: number; maxAt: number }>();
      for (let i = 0; i < s.length; i++) {
        const b = bucket(s.xs[i]!);
        const y = s.ys[i]!;
        const w = want.get(b);
        if (w === undefined) want.set(b, { min: y, max: y, minAt: i, maxAt: i });
        else {
          if (y < w.min) Object.assign(w, { min: y, minAt: i });
          if (y > w.max) Object.assign(w, { max: y, maxAt: i });
        }
      }
      const got = new Map<number, number[]>();
      col.forEach((y, j) => {
        if (y !== null) got.set(bucket(xs[j]!), [...(got.get(bucket(xs[j]!)) ?? []), y]);
      });
      expect(got.size).toBe(want.size);
      for (const [b, w] of want) expect(got.get(b)).toEqual(w.minAt === w.maxAt ? [w.min] : w.minAt < w.maxAt ? [w.min, w.max] : [w.max, w.min]);
    });
  });

  it('is exact (the union of x values) while integer x span at most the budget, as for the first 2000 steps of runs', () => {
    const series = manyRuns(20, 3, 400, 1900);
    const out = alignSeries(series);
    const union = [...new Set(series.flatMap((s) => [...s.xs]))].sort((a, b) => a - b);
    expect([...out[0]]).toEqual(union);
    series.forEach((s, k) => {
      const col = out[k + 1]!;
      const at = new Map<number, number>();
      for (let i = 0; i < s.length; i++) at.set(s.xs[i]!, s.ys[i]!);
      expect(col).toEqual(union.map((x) => at.get(x) ?? null));
    });
  });

  it('reads each input point a bounded number of times: the work grows linearly with the points, not with their union sorted', () => {
    const reads = (runs: number): number => {
      let n = 0;
      const counted = (a: Float64Array): ArrayLike<number> => new Proxy(a, { get: (t, k) => (typeof k === 'string' && /^\d+$/.test(k) ? (n++, t[Number(k)]) : Reflect.get(t, k)) });
      alignSeries(manyRuns(runs, 3, 2000, 100_000).map((s) => ({ length: s.length, xs: counted(s.xs), ys: counted(s.ys) })));
      return n;
    };
    const one = reads(1);
    expect(one).toBeLessThanOrEqual(4 * 3 * 2000);
    expect(reads(20)).toBeLessThanOrEqual(20 * one * 1.05);
  });

  it('buckets non-integer x too, with the same budget', () => {
    const xs = Float64Array.from({ length: 5000 }, (_, i) => i * 0.5);
    const out = alignSeries([{ length: 5000, xs, ys: xs.map((x) => x * x) }], undefined, 100);
    expect(out[0].length).toBeLessThanOrEqual(100);
    expect(out[0][0]).toBe(0);
    // Increasing values: each bucket's minimum comes first, then its maximum; the last is the largest.
    expect(out[1]!.at(-1)).toBe(2499.5 * 2499.5);
  });

  it('an empty input gives an empty grid', () => {
    expect(alignSeries([{ length: 0, xs: [], ys: [] }])).toEqual([new Float64Array(0), []]);
  });
});
