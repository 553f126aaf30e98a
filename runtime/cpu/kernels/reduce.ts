/** Reductions to a single float64 number. */
import type { FloatArray } from './types.ts';

/**
 * `Σ_i x[off + i]²` for `i` in `[0, n)`, accumulated in a JS number (float64) whatever the
 * array type, e.g. for gradient-norm clipping. `n ≤ 0` returns 0. Does not allocate.
 */
export function sumSquares(n: number, x: FloatArray, off: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) {
    const v = x[off + i]!;
    s += v * v;
  }
  return s;
}

/**
 * `Σ_i x[xOff + i]·y[yOff + i]` for `i` in `[0, n)`, accumulated in float64. `n ≤ 0` returns 0.
 * Does not allocate.
 */
export function dot(n: number, x: FloatArray, xOff: number, y: FloatArray, yOff: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += x[xOff + i]! * y[yOff + i]!;
  return s;
}
