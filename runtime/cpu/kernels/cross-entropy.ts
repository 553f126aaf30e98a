/** Softmax cross-entropy against integer class targets, and its backward. */
import { softmaxRow } from './softmax.ts';
import type { FloatArray } from './types.ts';

/**
 * Reads target `r` (a class id stored as a float) and checks it names one of `V` classes.
 * The comparison form rejects NaN as well as out-of-range values; fractional ids truncate.
 */
function targetId(kernel: string, targets: FloatArray, tOff: number, r: number, V: number): number {
  const t = targets[tOff + r]!;
  if (!(t >= 0 && t < V)) throw new RangeError(`${kernel}: row ${r} has target id ${t}, outside [0, ${V})`);
  return t | 0;
}

/**
 * Per row `r` of `rows`: `loss[lossOff + r] = logsumexp(logits_r) − logits_r[t_r]` and
 * `probs_r = softmax(logits_r)` (saved for {@link crossEntropyGrad}). `logits`, `probs` are
 * `[rows, V]`; `targets` holds `rows` class ids as floats. Stable for large logits.
 * Throws `RangeError` naming the row and id when a target is outside `[0, V)` (rows before it
 * are already written). `probs` may be `logits` at the same offset. `rows ≤ 0` does nothing.
 * Does not allocate (except the error).
 */
export function crossEntropy(
  rows: number,
  V: number,
  logits: FloatArray,
  lOff: number,
  targets: FloatArray,
  tOff: number,
  loss: FloatArray,
  lossOff: number,
  probs: FloatArray,
  pOff: number,
): void {
  for (let r = 0; r < rows; r++) {
    const t = targetId('crossEntropy', targets, tOff, r, V);
    const lo = lOff + r * V;
    // Read the target logit before softmaxRow may overwrite it (when probs aliases logits).
    const xt = logits[lo + t]!;
    loss[lossOff + r] = softmaxRow(V, logits, lo, probs, pOff + r * V) - xt;
  }
}

/**
 * Per row: `dLogits_r (+)= dLoss[r]·(probs_r − onehot(t_r))`, all `[rows, V]` except `dLoss`
 * and `targets` (`rows` each). Throws `RangeError` like {@link crossEntropy} for a bad target.
 * `rows ≤ 0` does nothing. Does not allocate (except the error).
 */
export function crossEntropyGrad(
  rows: number,
  V: number,
  dLoss: FloatArray,
  dOff: number,
  probs: FloatArray,
  pOff: number,
  targets: FloatArray,
  tOff: number,
  dLogits: FloatArray,
  dlOff: number,
  accumulate: boolean,
): void {
  for (let r = 0; r < rows; r++) {
    const t = targetId('crossEntropyGrad', targets, tOff, r, V);
    const g = dLoss[dOff + r]!;
    const po = pOff + r * V;
    const o = dlOff + r * V;
    for (let j = 0; j < V; j++) {
      const v = g * (probs[po + j]! - (j === t ? 1 : 0));
      dLogits[o + j] = accumulate ? dLogits[o + j]! + v : v;
    }
  }
}
