/**
 * {@link GemmSpec} products on the WebAssembly SIMD tiles: splits C into the regions each tile
 * shape covers, packs a B used transposed into scratch (the tiles read B row-major), loops over
 * the batch, and reports progress between slabs of a large product.
 */
import type { GemmSpec } from '../kernels/gemm.ts';
import { progress } from '../../progress.ts';
import type { KernelExports } from './module.ts';

/** Multiply-adds per slab of rows between `progress()` calls (about 10 ms of work). */
const SLAB_WORK = 1 << 27;

type Tile = (nI: number, nJ: number, K: number, A: number, ai: number, ak: number, B: number, ldb: number, C: number, ldc: number, acc: number) => void;
type Dot = (nI: number, nJ: number, Kv: number, Kr: number, X: number, ldx: number, Y: number, ldy: number, C: number, ci: number, cj: number, acc: number) => void;

/** Products narrower than this (rows or columns of C) with rows of A and B contiguous along k run as dot products. */
const DOT_BELOW = 4;
/** ... and only with at least this many terms per sum. */
const DOT_MIN_K = 8;

export class WasmGemm {
  private readonly g4x8: Tile;
  private readonly g1x8: Tile;
  private readonly g4x4: Tile;
  private readonly g1x4: Tile;
  private readonly g4x1: Tile;
  private readonly g1x1: Tile;
  private readonly transpose: (rows: number, cols: number, src: number, lds: number, dst: number) => void;
  private readonly dot4: Dot;
  private readonly dot1: Dot;

  /**
   * @param x the module's exports on a memory
   * @param f32 a view of that whole memory (for zeroing C when K = 0)
   * @param scratch element offset of a scratch area of at least `N·K` floats for each transposed B
   */
  constructor(
    x: KernelExports,
    private readonly f32: Float32Array,
    private readonly scratch: number,
  ) {
    this.g4x8 = x.gemm_4x8 as Tile;
    this.g1x8 = x.gemm_1x8 as Tile;
    this.g4x4 = x.gemm_4x4 as Tile;
    this.g1x4 = x.gemm_1x4 as Tile;
    this.g4x1 = x.gemm_4x1 as Tile;
    this.g1x1 = x.gemm_1x1 as Tile;
    this.transpose = x.transpose!;
    this.dot4 = x.dot_1x4 as Dot;
    this.dot1 = x.dot_1x1 as Dot;
  }

  /** `dst[c·rows + r] = src[r·lds + c]` for element offsets and an element row stride. */
  pack(rows: number, cols: number, src: number, lds: number, dst: number): void {
    this.transpose(rows, cols, 4 * src, 4 * lds, 4 * dst);
  }

  /** The product of `spec` on element offsets `a`, `b`, `c` of the memory (same contract as the reference `gemm`). */
  run(spec: GemmSpec, a: number, b: number, c: number): void {
    const { M, N, K, batch } = spec;
    if (M <= 0 || N <= 0 || batch <= 0) return;
    const acc = spec.accumulate ? 1 : 0;
    const lda = spec.lda ?? (spec.transA ? M : K);
    const ldb = spec.ldb ?? (spec.transB ? K : N);
    const ldc = spec.ldc ?? N;
    const ai = spec.transA ? 1 : lda;
    const ak = spec.transA ? lda : 1;
    // Narrow products the tiles would run on their scalar edges (one column of C, or a few rows
    // of C against keys read transposed):
    // - a single column with A transposed is a single row of the transposed product, Cᵀ = op(B)ᵀ·Aᵀ,
    //   whose B (A as stored) the tiles read row-major as it is;
    // - rows of A and of op(B)ᵀ contiguous along k make every element a dot product.
    const column = N === 1 && spec.transA && ldc === 1;
    const bRowsAlongK = spec.transB || (N === 1 && ldb === 1);
    const dots = !column && !spec.transA && bRowsAlongK && Math.min(M, N) < DOT_BELOW && K >= DOT_MIN_K;
    for (let p = 0; p < batch; p++) {
      const ao = a + p * spec.aStride;
      let bo = b + p * spec.bStride;
      const co = c + p * spec.cStride;
      if (K <= 0) {
        if (acc === 0) for (let i = 0; i < M; i++) this.f32.fill(0, co + i * ldc, co + i * ldc + N);
        continue;
      }
      if (column) {
        // op(B)ᵀ's row: B[k, 0] at k·ldb, or B stored transposed [1, K] at k. In slabs of columns
        // on huge products, like the rows below.
        const ak1 = spec.transB ? 4 : 4 * ldb;
        const slab = Math.max(8, (Math.floor(SLAB_WORK / K) >> 3) << 3);
        for (let j0 = 0; j0 < M; j0 += slab) {
          this.tiles(1, Math.min(slab, M - j0), K, 4 * bo, 0, ak1, 4 * (ao + j0), 4 * lda, 4 * (co + j0), 0, acc);
          if (j0 + slab < M) progress();
        }
        continue;
      }
      if (dots) {
        // Row j of op(B)ᵀ: B stored transposed [N, K] at j·ldb, or B's single column.
        const ldbt = spec.transB ? ldb : 0;
        if (N < DOT_BELOW) this.dotRows(N, M, K, bo, ldbt, ao, lda, co, 1, ldc, acc);
        else this.dotRows(M, N, K, ao, lda, bo, ldbt, co, ldc, 1, acc);
        continue;
      }
      let ldbRow = ldb;
      if (spec.transB) {
        this.pack(N, K, bo, ldb, this.scratch);
        bo = this.scratch;
        ldbRow = N;
      }
      // Slabs of rows small enough to report progress between them on huge products.
      const slab = Math.max(4, (Math.floor(SLAB_WORK / Math.max(1, N * K)) >> 2) << 2);
      for (let i0 = 0; i0 < M; i0 += slab) {
        const rows = Math.min(slab, M - i0);
        this.tiles(rows, N, K, 4 * (ao + i0 * ai), 4 * ai, 4 * ak, 4 * bo, 4 * ldbRow, 4 * (co + i0 * ldc), 4 * ldc, acc);
        if (i0 + rows < M) progress();
      }
      if (batch > 1 && M * N * K > 1 << 20) progress();
    }
  }

  /**
   * For `i < nX`, `j < nY`: C at element `c + i·cx + j·cy` (+)= Σ_k X_i[k]·Y_j[k], rows of `K`
   * contiguous floats at `x + i·ldx` and `y + j·ldy` (element offsets and strides): four rows of Y
   * per pass over an X row, then the rest one at a time.
   */
  private dotRows(nX: number, nY: number, K: number, x: number, ldx: number, y: number, ldy: number, c: number, cx: number, cy: number, acc: number): void {
    const Kv = K >> 2;
    const Kr = K & 3;
    const y4 = nY & ~3;
    if (y4 > 0) this.dot4(nX, y4 >> 2, Kv, Kr, 4 * x, 4 * ldx, 4 * y, 4 * ldy, 4 * c, 4 * cx, 4 * cy, acc);
    if (nY > y4) this.dot1(nX, nY - y4, Kv, Kr, 4 * x, 4 * ldx, 4 * (y + y4 * ldy), 4 * ldy, 4 * (c + y4 * cy), 4 * cx, 4 * cy, acc);
  }

  /** One product in bytes: the 4×8 body, then the row tail and the column tails. */
  private tiles(M: number, N: number, K: number, A: number, ai: number, ak: number, B: number, ldb: number, C: number, ldc: number, acc: number): void {
    const M4 = M & ~3;
    const N8 = N & ~7;
    const N4 = N & ~3;
    const tailA = A + M4 * ai;
    const tailC = C + M4 * ldc;
    if (N8 > 0) {
      if (M4 > 0) this.g4x8(M4 >> 2, N8 >> 3, K, A, ai, ak, B, ldb, C, ldc, acc);
      if (M > M4) this.g1x8(M - M4, N8 >> 3, K, tailA, ai, ak, B, ldb, tailC, ldc, acc);
    }
    if (N4 > N8) {
      const b4 = B + 4 * N8;
      if (M4 > 0) this.g4x4(M4 >> 2, 1, K, A, ai, ak, b4, ldb, C + 4 * N8, ldc, acc);
      if (M > M4) this.g1x4(M - M4, 1, K, tailA, ai, ak, b4, ldb, tailC + 4 * N8, ldc, acc);
    }
    if (N > N4) {
      const b1 = B + 4 * N4;
      if (M4 > 0) this.g4x1(M4 >> 2, N - N4, K, A, ai, ak, b1, ldb, C + 4 * N4, ldc, acc);
      if (M > M4) this.g1x1(M - M4, N - N4, K, tailA, ai, ak, b1, ldb, tailC + 4 * N4, ldc, acc);
    }
  }
}
