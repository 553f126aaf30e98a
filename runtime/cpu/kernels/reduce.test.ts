import { describe, expect, it } from 'vitest';
import { dot, sumSquares } from './reduce.ts';
import { CTORS, input, rng, SIZES, uniform } from './test-support.ts';

describe('sumSquares and dot', () => {
  for (const C of CTORS)
    it(`${C.name}: match a float64 loop at every size, reading only their range`, () => {
      const r = rng(C.BYTES_PER_ELEMENT);
      for (const n of SIZES) {
        const x = input(C, n, 3, () => uniform(r));
        const y = input(C, n, 1, () => uniform(r));
        const ss = x.vals.reduce((s, v) => s + v * v, 0);
        const d = x.vals.reduce((s, v, i) => s + v * y.vals[i]!, 0);
        expect(Math.abs(sumSquares(n, x.buf, 3) - ss)).toBeLessThanOrEqual(1e-13);
        expect(Math.abs(dot(n, x.buf, 3, y.buf, 1) - d)).toBeLessThanOrEqual(1e-13);
      }
    });

  it('accumulate in float64 even for float32 input', () => {
    // 2^24 + 1 is not representable in float32, so a float32 sum would stay at 2^24.
    const x = Float32Array.of(2 ** 12, 1);
    expect(sumSquares(2, x, 0)).toBe(2 ** 24 + 1);
    expect(dot(2, x, 0, x, 0)).toBe(2 ** 24 + 1);
  });
});
