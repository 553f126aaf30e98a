/** Plan-time preparation of strided (broadcasting) iteration shapes. */

/** Highest rank `prepareStrided` accepts (and the strided kernels iterate). */
export const MAX_STRIDED_RANK = 6;

/**
 * An iteration space and, for each operand, its element stride along every axis
 * (`strides[op].length === shape.length`; 0 broadcasts that operand along the axis).
 * Element `(i_0, …, i_{r−1})` of operand `op` sits at `off_op + Σ_d i_d·strides[op][d]`.
 * Rank 0 (`shape = []`) is a single element. Build one with {@link prepareStrided}.
 */
export interface StridedSpec {
  shape: readonly number[];
  strides: readonly (readonly number[])[];
}

/**
 * Simplifies an iteration space once, at plan time, so the per-call kernels mostly see rank 1–2:
 * drops size-1 axes (their stride never matters) and merges each pair of adjacent axes that is
 * contiguous for every operand (`stride[d] = stride[d+1]·shape[d+1]`, which includes both
 * strides being 0). A space with a 0-sized axis becomes `shape [0]`, on which the kernels do
 * nothing. Allocates; throws `RangeError` for a rank above {@link MAX_STRIDED_RANK}, a size that
 * is not a non-negative integer, a stride list of the wrong length or a non-integer stride.
 */
export function prepareStrided(shape: readonly number[], ...strideLists: (readonly number[])[]): StridedSpec {
  const rank = shape.length;
  if (rank > MAX_STRIDED_RANK) throw new RangeError(`prepareStrided: rank ${rank} exceeds ${MAX_STRIDED_RANK}`);
  for (const [d, n] of shape.entries())
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`prepareStrided: size ${n} of axis ${d} is not a non-negative integer`);
  for (const [o, s] of strideLists.entries()) {
    if (s.length !== rank) throw new RangeError(`prepareStrided: operand ${o} has ${s.length} strides for rank ${rank}`);
    for (const v of s) if (!Number.isInteger(v)) throw new RangeError(`prepareStrided: operand ${o} has non-integer stride ${v}`);
  }
  if (shape.some((n) => n === 0)) return { shape: [0], strides: strideLists.map(() => [0]) };

  // Walk from the innermost axis outwards, growing the current merged axis while the next outer
  // axis continues it for every operand.
  const outShape: number[] = [];
  const outStrides: number[][] = strideLists.map(() => []);
  for (let d = rank - 1; d >= 0; d--) {
    const n = shape[d]!;
    if (n === 1) continue;
    const last = outShape.length - 1;
    const inner = outShape[last];
    if (inner !== undefined && strideLists.every((s, o) => s[d]! === outStrides[o]![last]! * inner)) {
      outShape[last] = inner * n;
      continue;
    }
    outShape.push(n);
    strideLists.forEach((s, o) => outStrides[o]!.push(s[d]!));
  }
  // Built innermost-first; kernels expect outermost-first like the input.
  return { shape: outShape.reverse(), strides: outStrides.map((s) => s.reverse()) };
}
