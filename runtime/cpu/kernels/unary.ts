/** Contiguous elementwise kernels: activations, their gradients, fill. */
import { sigmoid } from './scalar.ts';
import type { FloatArray } from './types.ts';

/** Elementwise functions `unary` applies. `scale` multiplies by `alpha`; the rest ignore it. */
export type UnaryOp = 'copy' | 'neg' | 'scale' | 'tanh' | 'sigmoid' | 'relu' | 'exp' | 'log';

/**
 * `out[outOff + i] = f(x[xOff + i])` for `i` in `[0, n)`, or `+=` when `accumulate`.
 * f is: copy x; neg −x; scale alpha·x; tanh; sigmoid (stable for any |x|); relu max(x, 0)
 * (NaN stays NaN); exp; log (log of a negative is NaN, of 0 is −Infinity, as in Math.log).
 * `out` may be `x` at the same offset when `accumulate` is false (in-place activation).
 * `n ≤ 0` does nothing. Does not allocate.
 */
export function unary(
  op: UnaryOp,
  n: number,
  x: FloatArray,
  xOff: number,
  out: FloatArray,
  outOff: number,
  accumulate: boolean,
  alpha: number,
): void {
  // The switch sits outside the loops so each loop body is one monomorphic expression; the
  // accumulate test inside is a perfectly predicted branch, cheaper than doubling every loop.
  switch (op) {
    case 'copy':
      for (let i = 0; i < n; i++) {
        const v = x[xOff + i]!;
        out[outOff + i] = accumulate ? out[outOff + i]! + v : v;
      }
      return;
    case 'neg':
      for (let i = 0; i < n; i++) {
        const v = -x[xOff + i]!;
        out[outOff + i] = accumulate ? out[outOff + i]! + v : v;
      }
      return;
    case 'scale':
      for (let i = 0; i < n; i++) {
        const v = alpha * x[xOff + i]!;
        out[outOff + i] = accumulate ? out[outOff + i]! + v : v;
      }
      return;
    case 'tanh':
      for (let i = 0; i < n; i++) {
        const v = Math.tanh(x[xOff + i]!);
        out[outOff + i] = accumulate ? out[outOff + i]! + v : v;
      }
      return;
    case 'sigmoid':
      for (let i = 0; i < n; i++) {
        const v = sigmoid(x[xOff + i]!);
        out[outOff + i] = accumulate ? out[outOff + i]! + v : v;
      }
      return;
    case 'relu':
      for (let i = 0; i < n; i++) {
        const xi = x[xOff + i]!;
        const v = xi < 0 ? 0 : xi;
        out[outOff + i] = accumulate ? out[outOff + i]! + v : v;
      }
      return;
    case 'exp':
      for (let i = 0; i < n; i++) {
        const v = Math.exp(x[xOff + i]!);
        out[outOff + i] = accumulate ? out[outOff + i]! + v : v;
      }
      return;
    case 'log':
      for (let i = 0; i < n; i++) {
        const v = Math.log(x[xOff + i]!);
        out[outOff + i] = accumulate ? out[outOff + i]! + v : v;
      }
      return;
  }
}

/** Activations whose backward `unaryGrad` computes (the linear ops need no saved tensor). */
export type UnaryGradOp = 'tanh' | 'sigmoid' | 'relu' | 'exp' | 'log';

/**
 * `dx[dxOff + i] (+)= dy[dyOff + i] · f′` for `i` in `[0, n)`, where f′ is read from `saved`:
 * - tanh: saved = forward OUTPUT y, f′ = 1 − y²
 * - sigmoid: saved = OUTPUT y, f′ = y(1 − y)
 * - exp: saved = OUTPUT y, f′ = y
 * - relu: saved = forward INPUT x, f′ = x > 0 ? 1 : 0
 * - log: saved = INPUT x, f′ = 1/x
 *
 * Saving outputs where they suffice lets the planner reuse the forward buffer instead of keeping
 * the input alive. `dx` may be `dy` at the same offset when `accumulate` is false.
 * `n ≤ 0` does nothing. Does not allocate.
 */
export function unaryGrad(
  op: UnaryGradOp,
  n: number,
  dy: FloatArray,
  dyOff: number,
  saved: FloatArray,
  savedOff: number,
  dx: FloatArray,
  dxOff: number,
  accumulate: boolean,
): void {
  switch (op) {
    case 'tanh':
      for (let i = 0; i < n; i++) {
        const y = saved[savedOff + i]!;
        const v = dy[dyOff + i]! * (1 - y * y);
        dx[dxOff + i] = accumulate ? dx[dxOff + i]! + v : v;
      }
      return;
    case 'sigmoid':
      for (let i = 0; i < n; i++) {
        const y = saved[savedOff + i]!;
        const v = dy[dyOff + i]! * y * (1 - y);
        dx[dxOff + i] = accumulate ? dx[dxOff + i]! + v : v;
      }
      return;
    case 'exp':
      for (let i = 0; i < n; i++) {
        const v = dy[dyOff + i]! * saved[savedOff + i]!;
        dx[dxOff + i] = accumulate ? dx[dxOff + i]! + v : v;
      }
      return;
    case 'relu':
      for (let i = 0; i < n; i++) {
        const v = saved[savedOff + i]! > 0 ? dy[dyOff + i]! : 0;
        dx[dxOff + i] = accumulate ? dx[dxOff + i]! + v : v;
      }
      return;
    case 'log':
      for (let i = 0; i < n; i++) {
        const v = dy[dyOff + i]! / saved[savedOff + i]!;
        dx[dxOff + i] = accumulate ? dx[dxOff + i]! + v : v;
      }
      return;
  }
}

/** `out[off + i] = value` for `i` in `[0, n)`; `n ≤ 0` does nothing. Does not allocate. */
export function fill(out: FloatArray, off: number, n: number, value: number): void {
  if (n > 0) out.fill(value, off, off + n);
}
