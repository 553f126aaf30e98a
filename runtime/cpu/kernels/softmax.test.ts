import { describe, expect, it } from 'vitest';
import { softmax, softmaxGrad } from './softmax.ts';
import { centralDiff, CTORS, Expected, gradError, input, output, rng, SENTINEL, SIZES, tolFor, uniform } from './test-support.ts';

/** Textbook softmax in float64 (no max subtraction: inputs here stay in [−5, 5)). */
function naiveSoftmax(row: readonly number[]): number[] {
  const e = row.map(Math.exp);
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

describe('softmax', () => {
  for (const C of CTORS)
    it(`${C.name}: every rows × n, offsets, untouched padding`, () => {
      const r = rng(C.BYTES_PER_ELEMENT);
      for (const rows of [0, 1, 3, 7])
        for (const n of SIZES) {
          const x = input(C, rows * n, 3, () => uniform(r, -5, 5));
          const y = output(C, rows * n + 7);
          const want = new Expected(y);
          for (let i = 0; i < rows; i++) naiveSoftmax(x.vals.slice(i * n, (i + 1) * n)).forEach((v, j) => want.set(4 + i * n + j, v));
          softmax(rows, n, x.buf, 3, y, 4);
          want.check(y, tolFor(C), `softmax ${rows}×${n}`);
        }
    });

  it('is stable for huge logits and works in place', () => {
    for (const C of CTORS) {
      const x = C.of(1000, 999, -1000, 1e30);
      softmax(1, 3, x, 0, x, 0);
      const e = 1 / (1 + Math.exp(-1) + Math.exp(-2000));
      expect(x[0]).toBeCloseTo(e, 6);
      expect(x[1]).toBeCloseTo(e * Math.exp(-1), 6);
      expect(x[2]).toBe(0);
      expect(x[3]).toBe(C === Float32Array ? Math.fround(1e30) : 1e30);
    }
  });
});

describe('softmaxGrad', () => {
  for (const C of CTORS)
    it(`${C.name}: y⊙(dy − Σ dy·y) for every rows × n and accumulate mode`, () => {
      const r = rng(10 + C.BYTES_PER_ELEMENT);
      for (const rows of [0, 1, 3])
        for (const n of SIZES)
          for (const accumulate of [false, true]) {
            const yv = input(C, rows * n, 1, () => 0);
            softmax(rows, n, input(C, rows * n, 0, () => uniform(r, -3, 3)).buf, 0, yv.buf, 1);
            const y = Array.from(yv.buf.subarray(1, 1 + rows * n));
            const dy = input(C, rows * n, 2, () => uniform(r));
            const dx = output(C, rows * n + 6, accumulate ? () => uniform(r) : undefined);
            const want = new Expected(dx);
            for (let i = 0; i < rows; i++) {
              let dot = 0;
              for (let j = 0; j < n; j++) dot += dy.vals[i * n + j]! * y[i * n + j]!;
              for (let j = 0; j < n; j++) {
                const v = y[i * n + j]! * (dy.vals[i * n + j]! - dot);
                if (accumulate) want.add(5 + i * n + j, v);
                else want.set(5 + i * n + j, v);
              }
            }
            softmaxGrad(rows, n, dy.buf, 2, yv.buf, 1, dx, 5, accumulate);
            want.check(dx, tolFor(C), `softmaxGrad ${rows}×${n}`);
          }
    });

  it('agrees with central differences of softmax (float64)', () => {
    const r = rng(77);
    for (const n of [1, 3, 7, 17]) {
      const x = Float64Array.from({ length: 2 * n }, () => uniform(r, -3, 3));
      const w = Float64Array.from({ length: 2 * n }, () => uniform(r));
      const loss = (xs: Float64Array): number => {
        const y = new Float64Array(xs.length);
        softmax(2, n, xs, 0, y, 0);
        return y.reduce((s, v, i) => s + v * w[i]!, 0);
      };
      const y = new Float64Array(2 * n);
      softmax(2, n, x, 0, y, 0);
      const dx = new Float64Array(2 * n);
      softmaxGrad(2, n, w, 0, y, 0, dx, 0, false);
      for (let i = 0; i < 2 * n; i++) {
        const num = centralDiff((v) => loss(Float64Array.from(x, (u, k) => (k === i ? v : u))), x[i]!);
        expect(gradError(dx[i]!, num)).toBeLessThan(1e-6);
      }
    }
  });

  it('rows or n = 0 does nothing', () => {
    const dx = Float64Array.of(SENTINEL);
    softmaxGrad(3, 0, new Float64Array(0), 0, new Float64Array(0), 0, dx, 0, false);
    softmax(0, 5, new Float64Array(0), 0, dx, 0);
    expect(dx[0]).toBe(SENTINEL);
  });
});
