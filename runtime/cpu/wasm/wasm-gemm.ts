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

export class WasmGemm {
  private readonly g4x8: Tile;
  private readonly g1x8: Tile;
  private readonly g4x4: Tile;
  private readonly g1x4: Tile;
  private readonly g4x1: Tile;
  private readonly g1x1: Tile;
  private readonly transpose: (rows: number, cols: number, src: number, lds: number, dst: number) => void;

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
    for (let p = 0; p < batch; p++) {
      const ao = a + p * spec.aStride;
      let bo = b + p * spec.bStride;
      const co = c + p * spec.cStride;
      if (K <= 0) {
        if (acc === 0) for (let i = 0; i < M; i++) this.f32.fill(0, co + i * ldc, co + i * ldc + N);
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
