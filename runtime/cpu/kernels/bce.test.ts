import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { bceLogits, bceLogitsGrad, bceLogitsTargetGrad } from './bce.ts';
import { centralDiff, CTORS, Expected, gradError, input, output, rng, SENTINEL, SIZES, tolFor, uniform } from './test-support.ts';

/** −[t·log σ(x) + (1−t)·log(1−σ(x))], the textbook form (fine for |x| ≤ 8). */
function naiveBce(x: number, t: number): number {
  const s = 1 / (1 + Math.exp(-x));
  return -(t * Math.log(s) + (1 - t) * Math.log(1 - s));
}

describe('bceLogits', () => {
  for (const C of CTORS)
    it(`${C.name}: matches the textbook formula at every size, untouched padding`, () => {
      const r = rng(C.BYTES_PER_ELEMENT);
      for (const n of SIZES) {
        const x = input(C, n, 2, () => uniform(r, -8, 8));
        const t = input(C, n, 5, () => r());
        const out = output(C, n + 6);
        const want = new Expected(out);
        for (let i = 0; i < n; i++) want.set(3 + i, naiveBce(x.vals[i]!, t.vals[i]!));
        bceLogits(n, x.buf, 2, t.buf, 5, out, 3);
        want.check(out, { rtol: C === Float32Array ? 2e-6 : 1e-9, atol: 1e-12 }, `bce n=${n}`);
      }
    });

  it('is finite and exact for huge |x| where the textbook form overflows', () => {
    const out = new Float64Array(4);
    bceLogits(4, Float64Array.of(1000, -1000, 1000, -1000), 0, Float64Array.of(1, 0, 0, 1), 0, out, 0);
    expect(Array.from(out)).toEqual([0, 0, 1000, 1000]);
  });
});

describe('bceLogitsGrad and bceLogitsTargetGrad', () => {
  for (const C of CTORS)
    it(`${C.name}: dy·(σ(x) − t) and −dy·x at every size and accumulate mode`, () => {
      const r = rng(4 + C.BYTES_PER_ELEMENT);
      for (const n of SIZES)
        for (const accumulate of [false, true]) {
          const dy = input(C, n, 1, () => uniform(r));
          const x = input(C, n, 2, () => uniform(r, -8, 8));
          const t = input(C, n, 3, () => r());
          const dx = output(C, n + 5, accumulate ? () => uniform(r) : undefined);
          const dt = output(C, n + 5, accumulate ? () => uniform(r) : undefined);
          const wantX = new Expected(dx);
          const wantT = new Expected(dt);
          for (let i = 0; i < n; i++) {
            const vx = dy.vals[i]! * (1 / (1 + Math.exp(-x.vals[i]!)) - t.vals[i]!);
            const vt = -dy.vals[i]! * x.vals[i]!;
            if (accumulate) {
              wantX.add(4 + i, vx);
              wantT.add(1 + i, vt);
            } else {
              wantX.set(4 + i, vx);
              wantT.set(1 + i, vt);
            }
          }
          bceLogitsGrad(n, dy.buf, 1, x.buf, 2, t.buf, 3, dx, 4, accumulate);
          bceLogitsTargetGrad(n, dy.buf, 1, x.buf, 2, dt, 1, accumulate);
          wantX.check(dx, tolFor(C), `dx n=${n}`);
          wantT.check(dt, tolFor(C), `dt n=${n}`);
        }
    });

  it('agree with central differences of bceLogits in x and t (float64, property)', () => {
    const f = (x: number, t: number): number => {
      const out = new Float64Array(1);
      bceLogits(1, Float64Array.of(x), 0, Float64Array.of(t), 0, out, 0);
      return out[0]!;
    };
    fc.assert(
      fc.property(fc.double({ min: -30, max: 30, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: -2, max: 2, noNaN: true }), (x, t, dy) => {
        const dx = new Float64Array(1);
        const dt = new Float64Array(1);
        bceLogitsGrad(1, Float64Array.of(dy), 0, Float64Array.of(x), 0, Float64Array.of(t), 0, dx, 0, false);
        bceLogitsTargetGrad(1, Float64Array.of(dy), 0, Float64Array.of(x), 0, dt, 0, false);
        expect(gradError(dx[0]!, dy * centralDiff((v) => f(v, t), x))).toBeLessThan(1e-6);
        expect(gradError(dt[0]!, dy * centralDiff((v) => f(x, v), t))).toBeLessThan(1e-6);
      }),
      { numRuns: 300 },
    );
  });

  it('n = 0 does nothing', () => {
    const out = Float64Array.of(SENTINEL);
    const none = new Float64Array(0);
    bceLogits(0, none, 0, none, 0, out, 0);
    bceLogitsGrad(0, none, 0, none, 0, none, 0, out, 0, true);
    bceLogitsTargetGrad(0, none, 0, none, 0, out, 0, false);
    expect(out[0]).toBe(SENTINEL);
  });
});
