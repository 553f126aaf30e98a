/**
 * The WebAssembly SIMD matrix-multiply micro-kernels, emitted as code. Each exported function
 * `gemm_<R>x<W>` computes a grid of `nI × nJ` tiles of `R` rows × `W` columns of
 * C (+)= op(A)·B, where B is row-major (`B[k, j]` at `B + k·ldb + 4j`) and op(A)'s element
 * `(i, k)` sits at `A + i·ai + k·ak`, so one kernel serves A stored normally (`ai = lda`,
 * `ak = 4`) and transposed (`ai = 4`, `ak = lda`). All addresses and strides are in bytes.
 *
 * A tile keeps its R·W sums in registers over the whole K loop (R·W/4 f32x4 accumulators):
 * per k it loads W/4 vectors of B, broadcasts R scalars of A and does R·W/4 multiply-adds, and it
 * touches C once at the end. Columns of tiles run outermost so B's panel stays in L1 while the
 * row blocks sweep down A.
 */
import { Code, F32, I32, OP, SIMD, V128, type FnDef } from './assembler.ts';

/** Parameter order of every `gemm_<R>x<W>` function. */
export const GEMM_PARAMS = ['nI', 'nJ', 'K', 'A', 'ai', 'ak', 'B', 'ldb', 'C', 'ldc', 'acc'] as const;

/** Tile shapes emitted: rows per tile × columns per tile (8 and 4 are SIMD, 1 is scalar). */
export const TILES: readonly (readonly [number, number])[] = [
  [4, 8],
  [1, 8],
  [4, 4],
  [1, 4],
  [4, 1],
  [1, 1],
];

const V128_ZERO = new Array<number>(16).fill(0);

/** The function for tiles of `R` rows × `W` columns. */
export function emitGemmTile(R: number, W: number): FnDef {
  const [nI, nJ, K, A, ai, ak, B, ldb, C, ldc, acc] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  const code = new Code(GEMM_PARAMS.length);
  const simd = W >= 4;
  const V = simd ? W / 4 : 1;
  const ib = code.local(I32);
  const jb = code.local(I32);
  const kk = code.local(I32);
  const bCol = code.local(I32);
  const aBlk = code.local(I32);
  const cBlk = code.local(I32);
  const pb = code.local(I32);
  const pa = Array.from({ length: R }, () => code.local(I32));
  const pc = code.local(I32);
  const aStep = code.local(I32);
  const cStep = code.local(I32);
  const sums = Array.from({ length: R * V }, () => code.local(simd ? V128 : F32));
  const bv = Array.from({ length: V }, () => code.local(simd ? V128 : F32));
  const av = code.local(simd ? V128 : F32);

  const mulAdd = simd ? () => code.simd(SIMD.f32x4Mul).simd(SIMD.f32x4Add) : () => code.op(OP.f32Mul).op(OP.f32Add);
  const add = simd ? () => code.simd(SIMD.f32x4Add) : () => code.op(OP.f32Add);
  const load = (off: number): Code => (simd ? code.v128Load(off) : code.f32Load(off));
  const store = (off: number): Code => (simd ? code.v128Store(off) : code.f32Store(off));

  // aStep = R·ai, cStep = R·ldc: the distance between consecutive row blocks.
  code.get(ai).i32(R).op(OP.i32Mul).set(aStep);
  code.get(ldc).i32(R).op(OP.i32Mul).set(cStep);
  code.get(B).set(bCol);
  code.get(C).set(cBlk);
  code.repeat(jb, nJ, () => {
    code.get(A).set(aBlk);
    code.get(cBlk).set(pc);
    code.repeat(ib, nI, () => {
      // Row pointers of this block and the B panel of this column block.
      for (let r = 0; r < R; r++) {
        code.get(aBlk);
        if (r > 0) code.get(ai).i32(r).op(OP.i32Mul).op(OP.i32Add);
        code.set(pa[r]!);
      }
      code.get(bCol).set(pb);
      for (const s of sums) {
        if (simd) code.simd(0x0c, ...V128_ZERO).set(s);
        else code.op(OP.f32Const, 0, 0, 0, 0).set(s);
      }
      code.repeat(kk, K, () => {
        for (let v = 0; v < V; v++) {
          code.get(pb);
          load(16 * v).set(bv[v]!);
        }
        for (let r = 0; r < R; r++) {
          code.get(pa[r]!);
          if (simd) code.simd(SIMD.load32Splat, 2, 0);
          else code.f32Load(0);
          code.set(av);
          for (let v = 0; v < V; v++) {
            const s = sums[r * V + v]!;
            code.get(s).get(av).get(bv[v]!);
            mulAdd();
            code.set(s);
          }
          code.addTo(pa[r]!, ak);
        }
        code.addTo(pb, ldb);
      });
      // Store the tile (adding what C held when accumulating).
      code.get(acc).ifElse(() => {
        for (let r = 0; r < R; r++)
          for (let v = 0; v < V; v++) {
            const s = sums[r * V + v]!;
            code.get(s);
            rowPtr(code, pc, ldc, r);
            load(16 * v);
            add();
            code.set(s);
          }
      });
      for (let r = 0; r < R; r++)
        for (let v = 0; v < V; v++) {
          rowPtr(code, pc, ldc, r);
          code.get(sums[r * V + v]!);
          store(16 * v);
        }
      code.addTo(aBlk, aStep);
      code.addTo(pc, cStep);
    });
    code.addConst(bCol, 4 * W);
    code.addConst(cBlk, 4 * W);
  });
  return { name: `gemm_${R}x${W}`, params: GEMM_PARAMS.map(() => I32), code };
}

/** Pushes `pc + r·ldc`. */
function rowPtr(code: Code, pc: number, ldc: number, r: number): void {
  code.get(pc);
  if (r > 0) code.get(ldc).i32(r).op(OP.i32Mul).op(OP.i32Add);
}

/**
 * `transpose(rows, cols, src, lds, dst)`: `dst[c·rows + r] = src[r·lds + c]` (floats; `src`,
 * `dst` byte addresses, `lds` in bytes). Packs a B used transposed into the row-major layout the
 * tiles read.
 */
export function emitTranspose(): FnDef {
  const [rows, cols, src, lds, dst] = [0, 1, 2, 3, 4];
  const code = new Code(5);
  const r = code.local(I32);
  const c = code.local(I32);
  const ps = code.local(I32);
  const pd = code.local(I32);
  const dStep = code.local(I32);
  code.get(rows).i32(4).op(OP.i32Mul).set(dStep);
  code.repeat(r, rows, () => {
    code.get(src).get(r).get(lds).op(OP.i32Mul).op(OP.i32Add).set(ps);
    code.get(dst).get(r).i32(4).op(OP.i32Mul).op(OP.i32Add).set(pd);
    code.repeat(c, cols, () => {
      code.get(pd).get(ps).f32Load(0).f32Store(0);
      code.addConst(ps, 4);
      code.addTo(pd, dStep);
    });
  });
  return { name: 'transpose', params: [I32, I32, I32, I32, I32], code };
}

/** Parameter order of `dot_1x4` and `dot_1x1`. */
export const DOT_PARAMS = ['nI', 'nJ', 'Kv', 'Kr', 'X', 'ldx', 'Y', 'ldy', 'C', 'ci', 'cj', 'acc'] as const;

/**
 * `dot_1x<W>(nI, nJ, Kv, Kr, X, ldx, Y, ldy, C, ci, cj, acc)`: dot products of rows that are
 * contiguous along k, for products too narrow for the tiles (one output column, or one row against
 * a few keys): for `i < nI` and `j < W·nJ`, the float at `C + i·ci + j·cj` (+)= Σ_k X_i[k]·Y_j[k],
 * where row `X_i` starts at `X + i·ldx` and `Y_j` at `Y + j·ldy`, each `4·Kv + Kr` floats long.
 * Each X vector is loaded once for W rows of Y, whose sums stay in W vector registers and are
 * added across lanes at the end; the `Kr` floats past the last vector are scalar. Bytes throughout.
 */
export function emitDot(W: number): FnDef {
  const [nI, nJ, Kv, Kr, X, ldx, Y, ldy, C, ci, cj, acc] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
  const code = new Code(DOT_PARAMS.length);
  const [i, j, k, px, xRow, yRow, cRow, pc] = [0, 1, 2, 3, 4, 5, 6, 7].map(() => code.local(I32)) as [number, number, number, number, number, number, number, number];
  const py = Array.from({ length: W }, () => code.local(I32));
  const sums = Array.from({ length: W }, () => code.local(V128));
  const r = Array.from({ length: W }, () => code.local(F32));
  const xv = code.local(V128);
  const xs = code.local(F32);
  const yStep = code.local(I32);
  const cStep = code.local(I32);
  code.get(ldy).i32(W).op(OP.i32Mul).set(yStep);
  code.get(cj).i32(W).op(OP.i32Mul).set(cStep);
  code.get(X).set(xRow);
  code.get(C).set(cRow);
  code.repeat(i, nI, () => {
    code.get(Y).set(yRow);
    code.get(cRow).set(pc);
    code.repeat(j, nJ, () => {
      code.get(xRow).set(px);
      for (let w = 0; w < W; w++) {
        code.get(yRow);
        if (w > 0) code.get(ldy).i32(w).op(OP.i32Mul).op(OP.i32Add);
        code.set(py[w]!);
        code.simd(0x0c, ...V128_ZERO).set(sums[w]!);
      }
      code.repeat(k, Kv, () => {
        code.get(px).v128Load().set(xv);
        for (let w = 0; w < W; w++) {
          code.get(sums[w]!).get(xv).get(py[w]!).v128Load().simd(SIMD.f32x4Mul).simd(SIMD.f32x4Add).set(sums[w]!);
          code.addConst(py[w]!, 16);
        }
        code.addConst(px, 16);
      });
      for (let w = 0; w < W; w++) {
        for (let lane = 0; lane < 4; lane++) {
          code.get(sums[w]!).simd(SIMD.f32x4ExtractLane, lane);
          if (lane > 0) code.op(OP.f32Add);
        }
        code.set(r[w]!);
      }
      code.repeat(k, Kr, () => {
        code.get(px).f32Load().set(xs);
        for (let w = 0; w < W; w++) {
          code.get(r[w]!).get(xs).get(py[w]!).f32Load().op(OP.f32Mul).op(OP.f32Add).set(r[w]!);
          code.addConst(py[w]!, 4);
        }
        code.addConst(px, 4);
      });
      for (let w = 0; w < W; w++) {
        const addr = (): void => {
          code.get(pc);
          if (w > 0) code.get(cj).i32(w).op(OP.i32Mul).op(OP.i32Add);
        };
        code.get(acc).ifElse(() => {
          addr();
          code.f32Load().get(r[w]!).op(OP.f32Add).set(r[w]!);
        });
        addr();
        code.get(r[w]!).f32Store();
      }
      code.addTo(pc, cStep);
      code.addTo(yRow, yStep);
    });
    code.addTo(xRow, ldx);
    code.addTo(cRow, ci);
  });
  return { name: `dot_1x${W}`, params: DOT_PARAMS.map(() => I32), code };
}
