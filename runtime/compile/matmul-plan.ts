/**
 * How one product C = op(A)·op(B) over a batch becomes gemm calls, forward and backward, without
 * materialising a transpose: batched activations times an unbatched weight are one big gemm over
 * all B·m rows; a weight's gradient (a sum over the batch) is one gemm whose inner dimension runs
 * over the batch; only products of two batched operands (attention) loop over examples.
 */
import type { GemmSpec } from '../cpu/kernels/gemm.ts';

/** A matrix operand per example: stored row-major `[rows, cols]`, used transposed when `trans`. */
export interface MatOperand {
  readonly batched: boolean;
  readonly rows: number;
  readonly cols: number;
  readonly trans: boolean;
}

/** The gemm for C, and whether it overwrites all of C (else C must be zeroed before accumulating). */
export interface MatmulPlan {
  readonly spec: (accumulate: boolean) => GemmSpec;
  /** true: `accumulate: false` writes every element of C. */
  readonly full: boolean;
  /** The gemm's A is the caller's B (the rows-are-examples trick for weight·vector). */
  readonly swapped: boolean;
}

const opRows = (o: MatOperand): number => (o.trans ? o.cols : o.rows);
const opCols = (o: MatOperand): number => (o.trans ? o.rows : o.cols);
const isVector = (o: MatOperand): boolean => o.rows === 1 || o.cols === 1;
/** A stored vector reads the same transposed or not once rows and cols swap: pick the form a case needs. */
const withTrans = (o: MatOperand, trans: boolean): MatOperand =>
  o.trans === trans || !isVector(o) ? o : { ...o, rows: o.cols, cols: o.rows, trans };

function spec(M: number, N: number, K: number, transA: boolean, transB: boolean, batch = 1, aStride = 0, bStride = 0, cStride = 0): (acc: boolean) => GemmSpec {
  return (accumulate) => ({ M, N, K, transA, transB, accumulate, batch, aStride, bStride, cStride });
}

/**
 * Plan C (batched when `cBatched`) = op(A)·op(B) for a batch of `B` examples. An unbatched C
 * with batched operands is the sum over the batch (a weight's gradient).
 */
export function planMatmul(A0: MatOperand, B0: MatOperand, cBatched: boolean, B: number): MatmulPlan {
  const m = opRows(A0);
  const k = opCols(A0);
  const n = opCols(B0);
  if (opRows(B0) !== k) throw new Error(`matmul plan: inner sizes ${k} and ${opRows(B0)} differ`);
  if (!A0.batched && !B0.batched) {
    if (cBatched) throw new Error('matmul plan: a batched product of two unbatched operands');
    return { spec: spec(m, n, k, A0.trans, B0.trans), full: true, swapped: false };
  }
  if (cBatched) {
    const A = withTrans(A0, false);
    if (A.batched && !B0.batched && !A.trans) {
      // [B·m, k] · op(B): every example's rows in one product.
      return { spec: spec(B * m, n, k, false, B0.trans), full: true, swapped: false };
    }
    if (!A0.batched && B0.batched && n === 1) {
      // C_p = op(A)·b_p for a column b_p: all of C as rows, [B, k] · op(A)ᵀ.
      return { spec: spec(B, m, k, false, !A0.trans), full: true, swapped: true };
    }
    const aStride = A0.batched ? A0.rows * A0.cols : 0;
    const bStride = B0.batched ? B0.rows * B0.cols : 0;
    return { spec: spec(m, n, k, A0.trans, B0.trans, B, aStride, bStride, m * n), full: true, swapped: false };
  }
  const A = withTrans(A0, true);
  const Bm = withTrans(B0, false);
  if (A.batched && Bm.batched && A.trans && !Bm.trans) {
    // Σ_p A_pᵀ·B_p with the summed index along stored rows: one gemm with K = B·k.
    return { spec: spec(m, n, B * k, true, false), full: true, swapped: false };
  }
  const aStride = A0.batched ? A0.rows * A0.cols : 0;
  const bStride = B0.batched ? B0.rows * B0.cols : 0;
  // Each example adds into the same C: the caller zeroes it first.
  return { spec: spec(m, n, k, A0.trans, B0.trans, B, aStride, bStride, 0), full: false, swapped: false };
}
