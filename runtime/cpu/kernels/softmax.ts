/** Row-wise softmax over the last axis and its backward. */
import type { FloatArray } from './types.ts';

/**
 * `y[r, :] = softmax(x[r, :])` for `rows` rows of `n` contiguous elements (`x`, `y` are
 * `[rows, n]` at their offsets). Subtracts the row max first, so large logits neither overflow
 * nor lose precision. `y` may be `x` at the same offset. `rows` or `n` ≤ 0 does nothing.
 * Does not allocate.
 */
export function softmax(rows: number, n: number, x: FloatArray, xOff: number, y: FloatArray, yOff: number): void {
  if (n <= 0) return;
  for (let r = 0; r < rows; r++) {
    const xo = xOff + r * n;
    const yo = yOff + r * n;
    softmaxRow(n, x, xo, y, yo);
  }
}

/**
 * One row of softmax, also used by cross-entropy: `y[yo + j] = softmax(x[xo .. xo+n))_j`.
 * Returns logsumexp of the row (max + log Σ exp(x − max)) so cross-entropy needs no second
 * pass. Reads each x before writing the same y, so `y` may be `x`. Does not allocate.
 */
export function softmaxRow(n: number, x: FloatArray, xo: number, y: FloatArray, yo: number): number {
  let max = -Infinity;
  for (let j = 0; j < n; j++) {
    const v = x[xo + j]!;
    if (v > max) max = v;
  }
  let sum = 0;
  for (let j = 0; j < n; j++) {
    const e = Math.exp(x[xo + j]! - max);
    y[yo + j] = e;
    sum += e;
  }
  const inv = 1 / sum;
  for (let j = 0; j < n; j++) y[yo + j] = y[yo + j]! * inv;
  return max + Math.log(sum);
}

/**
 * Softmax backward per row: `dx[r, :] (+)= y ⊙ (dy − Σ_j dy_j·y_j)` with `y` the forward output,
 * all `[rows, n]`. `dx` may be `dy` at the same offset when `accumulate` is false.
 * `rows` or `n` ≤ 0 does nothing. Does not allocate.
 */
export function softmaxGrad(
  rows: number,
  n: number,
  dy: FloatArray,
  dyOff: number,
  y: FloatArray,
  yOff: number,
  dx: FloatArray,
  dxOff: number,
  accumulate: boolean,
): void {
  if (n <= 0) return;
  for (let r = 0; r < rows; r++) {
    const dyo = dyOff + r * n;
    const yo = yOff + r * n;
    const dxo = dxOff + r * n;
    let dot = 0;
    for (let j = 0; j < n; j++) dot += dy[dyo + j]! * y[yo + j]!;
    for (let j = 0; j < n; j++) {
      const v = y[yo + j]! * (dy[dyo + j]! - dot);
      dx[dxo + j] = accumulate ? dx[dxo + j]! + v : v;
    }
  }
}
