/** Element strides for the strided kernels: contiguous, broadcast and sub-tensor views of batched values. */

export const sizeOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** Row-major strides of `shape`. */
export function contiguous(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) s[i] = s[i + 1]! * shape[i + 1]!;
  return s;
}

/** A value's per-example shape and whether it carries the batch dimension in front. */
export interface Shaped {
  readonly shape: readonly number[];
  readonly batched: boolean;
}

/** The iteration space over all of `x`: `[B, ...shape]` when batched. */
export const fullShape = (x: Shaped, B: number): number[] => (x.batched ? [B, ...x.shape] : [...x.shape]);

/** Strides of `x` itself over its full shape. */
export const ownStrides = (x: Shaped): number[] => (x.batched ? [sizeOf(x.shape), ...contiguous(x.shape)] : contiguous(x.shape));

/**
 * Strides that read operand `x` while iterating over the full shape of `out` with numpy
 * broadcasting: axes are aligned on the right, missing or size-1 axes get stride 0, and an
 * unbatched operand gets stride 0 along the batch axis.
 */
export function broadcastStrides(x: Shaped, out: Shaped): number[] {
  const own = contiguous(x.shape);
  const rank = out.shape.length;
  const per = out.shape.map((_, i) => {
    const j = i - (rank - x.shape.length);
    return j < 0 || x.shape[j] === 1 ? 0 : own[j]!;
  });
  return out.batched ? [x.batched ? sizeOf(x.shape) : 0, ...per] : per;
}

/** True when `x` covers every element of `out` (same shape and batching, so nothing is summed). */
export const sameExtent = (x: Shaped, out: Shaped): boolean =>
  x.batched === out.batched && x.shape.length === out.shape.length && x.shape.every((d, i) => d === out.shape[i]);
