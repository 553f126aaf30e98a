/** out (+)= alpha·f(a, b) over a strided (broadcasting) iteration space. */
import type { StridedSpec } from './strided.ts';
import type { FloatArray } from './types.ts';

/** Elementwise binary functions: a + b, a − b, a · b, a / b. */
export type BinaryOp = 'add' | 'sub' | 'mul' | 'div';

const ADD = 0;
const SUB = 1;
const MUL = 2;
const DIV = 3;

/**
 * `out[o] = alpha·f(a[i], b[j])`, or `out[o] += alpha·f(a[i], b[j])` when `accumulate`, at every
 * index of `spec.shape`, where `spec.strides` is `[out, a, b]` (see {@link StridedSpec}); zero
 * strides broadcast `a` or `b`.
 *
 * With `accumulate` true, `out` may have zero strides: every value mapped onto one output element
 * is summed into it (e.g. d(scale) += dy·x reduced to the scale's shape). With `accumulate` false
 * the caller guarantees `out` has no zero strides along axes of size > 1. `out` may be `a` or `b`
 * when it visits the same elements in the same order (in-place add); otherwise no overlap.
 * Ranks 0–6; a 0-sized shape does nothing. Does not allocate.
 */
export function binary(
  op: BinaryOp,
  spec: StridedSpec,
  a: FloatArray,
  aOff: number,
  b: FloatArray,
  bOff: number,
  out: FloatArray,
  outOff: number,
  accumulate: boolean,
  alpha: number,
): void {
  // A small integer code lets the inner loops branch on a constant-per-call number rather than
  // compare strings per element.
  const code = op === 'add' ? ADD : op === 'sub' ? SUB : op === 'mul' ? MUL : DIV;
  const sh = spec.shape;
  const so = spec.strides[0]!;
  const sa = spec.strides[1]!;
  const sb = spec.strides[2]!;
  const r = sh.length;
  if (r === 0) {
    binary1(code, 1, a, aOff, 0, b, bOff, 0, out, outOff, 1, accumulate, alpha);
    return;
  }
  if (r === 1) {
    binary1(code, sh[0]!, a, aOff, sa[0]!, b, bOff, sb[0]!, out, outOff, so[0]!, accumulate, alpha);
    return;
  }
  // Ranks 2–6: the outer axes, padded to five with size-1 axes, are nested loops around the
  // innermost axis; after prepareStrided ranks above 2 are rare.
  const n = sh[r - 1]!;
  const on = so[r - 1]!, an = sa[r - 1]!, bn = sb[r - 1]!;
  const m2 = sh[r - 2]!, o2 = so[r - 2]!, a2 = sa[r - 2]!, b2 = sb[r - 2]!;
  const m3 = r > 2 ? sh[r - 3]! : 1, o3 = r > 2 ? so[r - 3]! : 0, a3 = r > 2 ? sa[r - 3]! : 0, b3 = r > 2 ? sb[r - 3]! : 0;
  const m4 = r > 3 ? sh[r - 4]! : 1, o4 = r > 3 ? so[r - 4]! : 0, a4 = r > 3 ? sa[r - 4]! : 0, b4 = r > 3 ? sb[r - 4]! : 0;
  const m5 = r > 4 ? sh[r - 5]! : 1, o5 = r > 4 ? so[r - 5]! : 0, a5 = r > 4 ? sa[r - 5]! : 0, b5 = r > 4 ? sb[r - 5]! : 0;
  const m6 = r > 5 ? sh[r - 6]! : 1, o6 = r > 5 ? so[r - 6]! : 0, a6 = r > 5 ? sa[r - 6]! : 0, b6 = r > 5 ? sb[r - 6]! : 0;
  for (let i6 = 0; i6 < m6; i6++)
    for (let i5 = 0; i5 < m5; i5++)
      for (let i4 = 0; i4 < m4; i4++)
        for (let i3 = 0; i3 < m3; i3++) {
          let oi = outOff + i6 * o6 + i5 * o5 + i4 * o4 + i3 * o3;
          let ai = aOff + i6 * a6 + i5 * a5 + i4 * a4 + i3 * a3;
          let bi = bOff + i6 * b6 + i5 * b5 + i4 * b4 + i3 * b3;
          for (let i2 = 0; i2 < m2; i2++) {
            binary1(code, n, a, ai, an, b, bi, bn, out, oi, on, accumulate, alpha);
            oi += o2;
            ai += a2;
            bi += b2;
          }
        }
}

/** Rank 1: `n` elements. An `os = 0` output (with `acc`) is a reduction, summed in a local. */
function binary1(
  code: number,
  n: number,
  a: FloatArray,
  ai: number,
  as: number,
  b: FloatArray,
  bi: number,
  bs: number,
  out: FloatArray,
  oi: number,
  os: number,
  acc: boolean,
  alpha: number,
): void {
  if (os === 0 && acc) {
    let s = 0;
    if (code === ADD) for (let i = 0; i < n; i++, ai += as, bi += bs) s += a[ai]! + b[bi]!;
    else if (code === SUB) for (let i = 0; i < n; i++, ai += as, bi += bs) s += a[ai]! - b[bi]!;
    else if (code === MUL) for (let i = 0; i < n; i++, ai += as, bi += bs) s += a[ai]! * b[bi]!;
    else for (let i = 0; i < n; i++, ai += as, bi += bs) s += a[ai]! / b[bi]!;
    out[oi] = out[oi]! + alpha * s;
    return;
  }
  // Four loops rather than a per-element switch: each body is a single arithmetic expression.
  if (code === ADD)
    for (let i = 0; i < n; i++, ai += as, bi += bs, oi += os) {
      const v = alpha * (a[ai]! + b[bi]!);
      out[oi] = acc ? out[oi]! + v : v;
    }
  else if (code === SUB)
    for (let i = 0; i < n; i++, ai += as, bi += bs, oi += os) {
      const v = alpha * (a[ai]! - b[bi]!);
      out[oi] = acc ? out[oi]! + v : v;
    }
  else if (code === MUL)
    for (let i = 0; i < n; i++, ai += as, bi += bs, oi += os) {
      const v = alpha * (a[ai]! * b[bi]!);
      out[oi] = acc ? out[oi]! + v : v;
    }
  else
    for (let i = 0; i < n; i++, ai += as, bi += bs, oi += os) {
      const v = alpha * (a[ai]! / b[bi]!);
      out[oi] = acc ? out[oi]! + v : v;
    }
}
