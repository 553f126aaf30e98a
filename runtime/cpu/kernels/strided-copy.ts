/** out (+)= alpha·src over a strided iteration space: slice, concat, stack, broadcast, sums. */
import type { StridedSpec } from './strided.ts';
import type { FloatArray } from './types.ts';

/**
 * `out[o] = alpha·src[s]`, or `out[o] += alpha·src[s]` when `accumulate`, at every index of
 * `spec.shape`, where `spec.strides` is `[out, src]` (see {@link StridedSpec}).
 *
 * With `accumulate` true, `out` may have zero strides: all source elements mapped onto one
 * output element are summed into it (the gradient of a broadcast, e.g. d(bias) += dy summed over
 * rows). With `accumulate` false the caller guarantees `out` has no zero strides along axes of
 * size > 1 (otherwise the last write wins). `out` and `src` must not overlap unless they are the
 * same elements in the same order. Ranks 0–6; a 0-sized shape does nothing. Does not allocate.
 *
 * Fast paths: contiguous rank 1, rank 2 with contiguous inner axes, and an inner zero stride on
 * `out` (row sums, formed in a local float64 and added once).
 */
export function stridedCopy(
  spec: StridedSpec,
  src: FloatArray,
  srcOff: number,
  out: FloatArray,
  outOff: number,
  accumulate: boolean,
  alpha: number,
): void {
  const sh = spec.shape;
  const so = spec.strides[0]!;
  const ss = spec.strides[1]!;
  const r = sh.length;
  if (r === 0) {
    const v = alpha * src[srcOff]!;
    out[outOff] = accumulate ? out[outOff]! + v : v;
    return;
  }
  if (r === 1) {
    copy1(sh[0]!, src, srcOff, ss[0]!, out, outOff, so[0]!, accumulate, alpha);
    return;
  }
  // Ranks 2–6: the innermost two axes go to the rank-2 kernel; the outer ones (padded to four
  // with size-1 axes) are plain nested loops, which after prepareStrided are rarely more than one.
  const n0 = sh[r - 2]!;
  const n1 = sh[r - 1]!;
  const o0 = so[r - 2]!;
  const o1 = so[r - 1]!;
  const s0 = ss[r - 2]!;
  const s1 = ss[r - 1]!;
  const m3 = r > 2 ? sh[r - 3]! : 1, p3 = r > 2 ? so[r - 3]! : 0, q3 = r > 2 ? ss[r - 3]! : 0;
  const m4 = r > 3 ? sh[r - 4]! : 1, p4 = r > 3 ? so[r - 4]! : 0, q4 = r > 3 ? ss[r - 4]! : 0;
  const m5 = r > 4 ? sh[r - 5]! : 1, p5 = r > 4 ? so[r - 5]! : 0, q5 = r > 4 ? ss[r - 5]! : 0;
  const m6 = r > 5 ? sh[r - 6]! : 1, p6 = r > 5 ? so[r - 6]! : 0, q6 = r > 5 ? ss[r - 6]! : 0;
  for (let i6 = 0; i6 < m6; i6++)
    for (let i5 = 0; i5 < m5; i5++)
      for (let i4 = 0; i4 < m4; i4++)
        for (let i3 = 0; i3 < m3; i3++) {
          const oo = outOff + i6 * p6 + i5 * p5 + i4 * p4 + i3 * p3;
          const sb = srcOff + i6 * q6 + i5 * q5 + i4 * q4 + i3 * q3;
          copy2(n0, n1, src, sb, s0, s1, out, oo, o0, o1, accumulate, alpha);
        }
}

/** Rank 2: `n0` rows of `n1` elements. */
function copy2(
  n0: number,
  n1: number,
  src: FloatArray,
  si: number,
  s0: number,
  s1: number,
  out: FloatArray,
  oi: number,
  o0: number,
  o1: number,
  acc: boolean,
  alpha: number,
): void {
  for (let i = 0; i < n0; i++) {
    copy1(n1, src, si, s1, out, oi, o1, acc, alpha);
    si += s0;
    oi += o0;
  }
}

/** Rank 1: `n` elements; specialised for the contiguous and the summing (`os = 0`) cases. */
function copy1(
  n: number,
  src: FloatArray,
  si: number,
  ss: number,
  out: FloatArray,
  oi: number,
  os: number,
  acc: boolean,
  alpha: number,
): void {
  if (os === 0 && acc) {
    // Row sum: one local accumulator instead of n read-modify-writes of the same element.
    let s = 0;
    for (let i = 0; i < n; i++, si += ss) s += src[si]!;
    out[oi] = out[oi]! + alpha * s;
    return;
  }
  if (ss === 1 && os === 1) {
    if (alpha === 1) {
      if (acc) for (let i = 0; i < n; i++) out[oi + i] = out[oi + i]! + src[si + i]!;
      else for (let i = 0; i < n; i++) out[oi + i] = src[si + i]!;
    } else if (acc) for (let i = 0; i < n; i++) out[oi + i] = out[oi + i]! + alpha * src[si + i]!;
    else for (let i = 0; i < n; i++) out[oi + i] = alpha * src[si + i]!;
    return;
  }
  if (acc) for (let i = 0; i < n; i++, si += ss, oi += os) out[oi] = out[oi]! + alpha * src[si]!;
  else for (let i = 0; i < n; i++, si += ss, oi += os) out[oi] = alpha * src[si]!;
}
