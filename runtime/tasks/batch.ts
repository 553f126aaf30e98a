/** Small helpers shared by the task generators and metrics. */

/**
 * Index of the largest of `width` values starting at `offset` (the first one on ties), or -1 when
 * none is a number above -Infinity: NaN never wins, so a diverged model scores as wrong rather
 * than as class 0 by accident.
 */
export function argmax(values: Float32Array, offset: number, width: number): number {
  let best = -1;
  let bestValue = -Infinity;
  for (let k = 0; k < width; k++) {
    const v = values[offset + k]!;
    if (v > bestValue) {
      bestValue = v;
      best = k;
    }
  }
  return best;
}

/**
 * The examples `[start, end)` that batch `index` of `size` covers in a split of `count`, or
 * undefined past the end (or for a non-positive size or a negative index).
 */
export function batchRange(count: number, index: number, size: number): { start: number; end: number } | undefined {
  if (!Number.isInteger(index) || !Number.isInteger(size) || index < 0 || size <= 0) return undefined;
  const start = index * size;
  if (start >= count) return undefined;
  return { start, end: Math.min(count, start + size) };
}

/** Throw on a misuse by the trainer (a programming error, not a user's). */
export function assertBatchSize(size: number): void {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`batch size must be a positive integer, got ${size}`);
}
