/** Binary cross-entropy on logits (sigmoid folded in) and its gradients. */
import { sigmoid } from './scalar.ts';
import type { FloatArray } from './types.ts';

/**
 * `out[i] = max(x, 0) − x·t + log1p(e^−|x|)` for `i` in `[0, n)`: the binary cross-entropy of
 * sigmoid(x) against target t, in the form that neither overflows nor loses precision for large
 * |x| (PyTorch's BCEWithLogits). `out` may be `x` or `t` at the same offset. `n ≤ 0` does
 * nothing. Does not allocate.
 */
export function bceLogits(
  n: number,
  x: FloatArray,
  xOff: number,
  t: FloatArray,
  tOff: number,
  out: FloatArray,
  oOff: number,
): void {
  for (let i = 0; i < n; i++) {
    const xi = x[xOff + i]!;
    out[oOff + i] = (xi > 0 ? xi : 0) - xi * t[tOff + i]! + Math.log1p(Math.exp(-Math.abs(xi)));
  }
}

/**
 * Gradient with respect to the logits: `dx[i] (+)= dy[i]·(σ(x[i]) − t[i])`. `n ≤ 0` does
 * nothing. Does not allocate.
 */
export function bceLogitsGrad(
  n: number,
  dy: FloatArray,
  dyOff: number,
  x: FloatArray,
  xOff: number,
  t: FloatArray,
  tOff: number,
  dx: FloatArray,
  dxOff: number,
  accumulate: boolean,
): void {
  for (let i = 0; i < n; i++) {
    const v = dy[dyOff + i]! * (sigmoid(x[xOff + i]!) - t[tOff + i]!);
    dx[dxOff + i] = accumulate ? dx[dxOff + i]! + v : v;
  }
}

/**
 * Gradient with respect to the target (for soft, learned targets): `dt[i] (+)= −dy[i]·x[i]`.
 * `n ≤ 0` does nothing. Does not allocate.
 */
export function bceLogitsTargetGrad(
  n: number,
  dy: FloatArray,
  dyOff: number,
  x: FloatArray,
  xOff: number,
  dt: FloatArray,
  dtOff: number,
  accumulate: boolean,
): void {
  for (let i = 0; i < n; i++) {
    const v = -dy[dyOff + i]! * x[xOff + i]!;
    dt[dtOff + i] = accumulate ? dt[dtOff + i]! + v : v;
  }
}
