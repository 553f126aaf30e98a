/** The index of each row's largest element: a generating decoder's next input. */
import type { FloatArray } from './types.ts';

/**
 * `out[r] = argmax(x[r, 0:n])` for `r` in `[0, rows)`, stored as a float id; the first of equal
 * maxima wins, and a row with NaN picks the first NaN (so a broken prediction stays visible).
 */
export function argmax(rows: number, n: number, x: FloatArray, xOff: number, out: FloatArray, outOff: number): void {
  for (let r = 0; r < rows; r++) {
    const o = xOff + r * n;
    let best = 0;
    let max = x[o]!;
    for (let j = 1; j < n && max === max; j++) {
      const v = x[o + j]!;
      if (v > max || v !== v) {
        max = v;
        best = j;
      }
    }
    out[outOff + r] = best;
  }
}
