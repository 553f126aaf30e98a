/** Scalar helpers shared by several kernels (small enough for V8 to inline). */

/**
 * Logistic sigmoid that never overflows: for x ≥ 0 it evaluates 1/(1+e^−x) (e^−x ≤ 1), for
 * x < 0 the algebraically equal e^x/(1+e^x) (e^x < 1), so neither branch computes e^{+large}.
 */
export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}
