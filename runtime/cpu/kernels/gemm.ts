/** Batched general matrix multiply, C (+)= op(A)·op(B), over flat row-major buffers. */
import type { FloatArray } from './types.ts';
import { progress } from '../../progress.ts';

/**
 * Shape and layout of one (batched) matrix product.
 *
 * - op(A) is `[M, K]`: `transA = false` reads A stored row-major `[M, K]`; `transA = true` reads
 *   A stored `[K, M]` as its transpose (never materialised).
 * - op(B) is `[K, N]`: `transB = false` reads B stored `[K, N]`; `transB = true` reads B stored
 *   `[N, K]`.
 * - C is `[M, N]`, row-major, contiguous.
 * - Item `p` of the batch (`0 ≤ p < batch`) uses A at `aOff + p·aStride`, B at `bOff + p·bStride`
 *   and C at `cOff + p·cStride` (element strides; 0 shares that operand across the batch, and
 *   `cStride = 0` with `accumulate` sums every item's product into one C).
 * - `accumulate = false` overwrites C, `true` adds the product to it.
 * - `lda`, `ldb`, `ldc` (optional, BLAS-style) let an operand be a column block of a wider
 *   row-major matrix, e.g. `h` read straight out of an LSTM's `[B, 2H]` `(h, c)` buffer.
 */
export interface GemmSpec {
  M: number;
  N: number;
  K: number;
  transA: boolean;
  transB: boolean;
  accumulate: boolean;
  batch: number;
  aStride: number;
  bStride: number;
  cStride: number;
  /** Distance between consecutive stored rows of A (`≥ K`, or `≥ M` when `transA`); default dense. */
  lda?: number;
  /** Distance between consecutive stored rows of B (`≥ N`, or `≥ K` when `transB`); default dense. */
  ldb?: number;
  /** Distance between consecutive rows of C (`≥ N`); default `N`. Elements in the gaps are untouched. */
  ldc?: number;
}

/**
 * For each `p` in `[0, batch)`: `C_p = op(A_p)·op(B_p)` (or `C_p += …` when `spec.accumulate`).
 * See {@link GemmSpec} for layouts. Sums are formed in JS numbers (float64) whatever the array
 * type and rounded once on store. `M`, `N` or `batch` = 0 does nothing; `K = 0` writes zeros
 * (or leaves C unchanged when accumulating). Touches only the `M·N` elements of each `C_p`.
 * Strides and leading dimensions are trusted (checked at plan time, not per call).
 * C must not overlap A or B. Does not allocate.
 */
export function gemm(
  spec: GemmSpec,
  a: FloatArray,
  aOff: number,
  b: FloatArray,
  bOff: number,
  c: FloatArray,
  cOff: number,
): void {
  const M = spec.M;
  const N = spec.N;
  const K = spec.K;
  const batch = spec.batch;
  const acc = spec.accumulate;
  if (M <= 0 || N <= 0 || batch <= 0) return;
  // Every form is one strided walk: element (i, k) of op(A) sits at ai·i + ak·k, element (k, j)
  // of op(B) at bk·k + bj·j. Index arithmetic costs the same whatever the strides, so one
  // register-blocked kernel serves NN, NT, TN and TT without four copies of the code.
  const lda = spec.lda ?? (spec.transA ? M : K);
  const ldb = spec.ldb ?? (spec.transB ? K : N);
  const ldc = spec.ldc ?? N;
  const ai = spec.transA ? 1 : lda;
  const ak = spec.transA ? lda : 1;
  const bk = spec.transB ? 1 : ldb;
  const bj = spec.transB ? ldb : 1;
  for (let p = 0; p < batch; p++) {
    const ao = aOff + p * spec.aStride;
    const bo = bOff + p * spec.bStride;
    const co = cOff + p * spec.cStride;
    if (K <= 0) {
      if (!acc) for (let i = 0; i < M; i++) c.fill(0, co + i * ldc, co + i * ldc + N);
      continue;
    }
    gemmTile(M, N, K, a, ao, ai, ak, b, bo, bk, bj, c, co, ldc, acc);
  }
}

/** One product: tiles of 4×4 outputs, then the ragged right column strip and bottom row strip. */
function gemmTile(
  M: number,
  N: number,
  K: number,
  a: FloatArray,
  ao: number,
  ai: number,
  ak: number,
  b: FloatArray,
  bo: number,
  bk: number,
  bj: number,
  c: FloatArray,
  co: number,
  ldc: number,
  acc: boolean,
): void {
  const M4 = M - (M & 3);
  const N4 = N - (N & 3);
  for (let i = 0; i < M4; i += 4) {
    // A big product runs for seconds on these kernels: report progress (the worker's heartbeat).
    if ((i & 63) === 0) progress();
    const pa = ao + i * ai;
    const pc = co + i * ldc;
    for (let j = 0; j < N4; j += 4) kernel4x4(K, a, pa, ai, ak, b, bo + j * bj, bk, bj, c, pc + j, ldc, acc);
    for (let j = N4; j < N; j++) kernel4x1(K, a, pa, ai, ak, b, bo + j * bj, bk, c, pc + j, ldc, acc);
  }
  for (let i = M4; i < M; i++) {
    const pa = ao + i * ai;
    const pc = co + i * ldc;
    for (let j = 0; j < N4; j += 4) kernel1x4(K, a, pa, ak, b, bo + j * bj, bk, bj, c, pc + j, acc);
    for (let j = N4; j < N; j++) kernel1x1(K, a, pa, ak, b, bo + j * bj, bk, c, pc + j, acc);
  }
}

/**
 * 16 accumulators held in registers across the whole K loop: 8 loads feed 16 multiply-adds,
 * and C is touched once per tile instead of once per k (the naive loop's bottleneck).
 */
function kernel4x4(
  K: number,
  a: FloatArray,
  pa: number,
  ai: number,
  ak: number,
  b: FloatArray,
  pb: number,
  bk: number,
  bj: number,
  c: FloatArray,
  pc: number,
  ldc: number,
  acc: boolean,
): void {
  const ai2 = ai + ai;
  const ai3 = ai2 + ai;
  const bj2 = bj + bj;
  const bj3 = bj2 + bj;
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
  let c10 = 0, c11 = 0, c12 = 0, c13 = 0;
  let c20 = 0, c21 = 0, c22 = 0, c23 = 0;
  let c30 = 0, c31 = 0, c32 = 0, c33 = 0;
  for (let k = 0; k < K; k++) {
    const a0 = a[pa]!;
    const a1 = a[pa + ai]!;
    const a2 = a[pa + ai2]!;
    const a3 = a[pa + ai3]!;
    const b0 = b[pb]!;
    const b1 = b[pb + bj]!;
    const b2 = b[pb + bj2]!;
    const b3 = b[pb + bj3]!;
    c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
    c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
    c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
    c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
    pa += ak;
    pb += bk;
  }
  const r1 = pc + ldc;
  const r2 = r1 + ldc;
  const r3 = r2 + ldc;
  if (acc) {
    c00 += c[pc]!; c01 += c[pc + 1]!; c02 += c[pc + 2]!; c03 += c[pc + 3]!;
    c10 += c[r1]!; c11 += c[r1 + 1]!; c12 += c[r1 + 2]!; c13 += c[r1 + 3]!;
    c20 += c[r2]!; c21 += c[r2 + 1]!; c22 += c[r2 + 2]!; c23 += c[r2 + 3]!;
    c30 += c[r3]!; c31 += c[r3 + 1]!; c32 += c[r3 + 2]!; c33 += c[r3 + 3]!;
  }
  c[pc] = c00; c[pc + 1] = c01; c[pc + 2] = c02; c[pc + 3] = c03;
  c[r1] = c10; c[r1 + 1] = c11; c[r1 + 2] = c12; c[r1 + 3] = c13;
  c[r2] = c20; c[r2 + 1] = c21; c[r2 + 2] = c22; c[r2 + 3] = c23;
  c[r3] = c30; c[r3 + 1] = c31; c[r3 + 2] = c32; c[r3 + 3] = c33;
}

/** Four rows of op(A) against one column of op(B): the right-edge strip when N is not a multiple of 4. */
function kernel4x1(
  K: number,
  a: FloatArray,
  pa: number,
  ai: number,
  ak: number,
  b: FloatArray,
  pb: number,
  bk: number,
  c: FloatArray,
  pc: number,
  ldc: number,
  acc: boolean,
): void {
  const ai2 = ai + ai;
  const ai3 = ai2 + ai;
  let c0 = 0, c1 = 0, c2 = 0, c3 = 0;
  for (let k = 0; k < K; k++) {
    const bv = b[pb]!;
    c0 += a[pa]! * bv;
    c1 += a[pa + ai]! * bv;
    c2 += a[pa + ai2]! * bv;
    c3 += a[pa + ai3]! * bv;
    pa += ak;
    pb += bk;
  }
  const r1 = pc + ldc;
  const r2 = r1 + ldc;
  const r3 = r2 + ldc;
  if (acc) {
    c0 += c[pc]!;
    c1 += c[r1]!;
    c2 += c[r2]!;
    c3 += c[r3]!;
  }
  c[pc] = c0;
  c[r1] = c1;
  c[r2] = c2;
  c[r3] = c3;
}

/** One row of op(A) against four columns of op(B): the bottom strip when M is not a multiple of 4. */
function kernel1x4(
  K: number,
  a: FloatArray,
  pa: number,
  ak: number,
  b: FloatArray,
  pb: number,
  bk: number,
  bj: number,
  c: FloatArray,
  pc: number,
  acc: boolean,
): void {
  const bj2 = bj + bj;
  const bj3 = bj2 + bj;
  let c0 = 0, c1 = 0, c2 = 0, c3 = 0;
  for (let k = 0; k < K; k++) {
    const av = a[pa]!;
    c0 += av * b[pb]!;
    c1 += av * b[pb + bj]!;
    c2 += av * b[pb + bj2]!;
    c3 += av * b[pb + bj3]!;
    pa += ak;
    pb += bk;
  }
  if (acc) {
    c0 += c[pc]!;
    c1 += c[pc + 1]!;
    c2 += c[pc + 2]!;
    c3 += c[pc + 3]!;
  }
  c[pc] = c0;
  c[pc + 1] = c1;
  c[pc + 2] = c2;
  c[pc + 3] = c3;
}

/** The bottom-right corner: a single dot product. */
function kernel1x1(
  K: number,
  a: FloatArray,
  pa: number,
  ak: number,
  b: FloatArray,
  pb: number,
  bk: number,
  c: FloatArray,
  pc: number,
  acc: boolean,
): void {
  let s = 0;
  for (let k = 0; k < K; k++) {
    s += a[pa]! * b[pb]!;
    pa += ak;
    pb += bk;
  }
  c[pc] = acc ? c[pc]! + s : s;
}
