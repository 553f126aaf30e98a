import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { gemm, type GemmSpec } from './gemm.ts';
import type { FloatArray } from './types.ts';
import { CTORS, Expected, output, rng, SENTINEL, SIZES, tolFor, uniform, type FloatCtor } from './test-support.ts';

interface Case {
  M: number;
  N: number;
  K: number;
  transA: boolean;
  transB: boolean;
  accumulate: boolean;
  batch?: number;
  aStride?: number;
  bStride?: number;
  cStride?: number;
  lda?: number;
  ldb?: number;
  ldc?: number;
  aOff?: number;
  bOff?: number;
  cOff?: number;
}

/**
 * Builds NaN-padded A and B (only the elements the product may read are finite), a C buffer
 * that is all SENTINEL (overwrite) or all random (accumulate), runs gemm, and compares the whole
 * C buffer with a naive float64 triple loop over the stored values.
 */
function runCase(C: FloatCtor, cs: Case, seed: number): void {
  const { M, N, K, transA, transB, accumulate } = cs;
  const batch = cs.batch ?? 1;
  const [aRows, aCols] = transA ? [K, M] : [M, K];
  const [bRows, bCols] = transB ? [N, K] : [K, N];
  const lda = cs.lda ?? aCols;
  const ldb = cs.ldb ?? bCols;
  const ldc = cs.ldc ?? N;
  const aStride = cs.aStride ?? aRows * lda;
  const bStride = cs.bStride ?? bRows * ldb;
  const cStride = cs.cStride ?? M * ldc;
  const aOff = cs.aOff ?? 3;
  const bOff = cs.bOff ?? 5;
  const cOff = cs.cOff ?? 7;
  const r = rng(seed);
  const extent = (off: number, stride: number, rows: number, ld: number): number => off + (batch - 1) * stride + rows * ld + 4;
  const a = new C(extent(aOff, aStride, aRows, lda)).fill(NaN);
  const b = new C(extent(bOff, bStride, bRows, ldb)).fill(NaN);
  for (let p = 0; p < batch; p++) {
    for (let i = 0; i < aRows; i++) for (let k = 0; k < aCols; k++) a[aOff + p * aStride + i * lda + k] = uniform(r);
    for (let i = 0; i < bRows; i++) for (let k = 0; k < bCols; k++) b[bOff + p * bStride + i * ldb + k] = uniform(r);
  }
  const c = output(C, extent(cOff, cStride, M, ldc), accumulate ? () => uniform(r) : undefined);
  const want = new Expected(c);
  const at = (buf: FloatArray, i: number): number => buf[i]!;
  const round = C === Float32Array ? Math.fround : (v: number): number => v;
  for (let p = 0; p < batch; p++)
    for (let i = 0; i < M; i++)
      for (let j = 0; j < N; j++) {
        let s = 0;
        for (let k = 0; k < K; k++) {
          const av = at(a, aOff + p * aStride + (transA ? k * lda + i : i * lda + k));
          const bv = at(b, bOff + p * bStride + (transB ? j * ldb + k : k * ldb + j));
          s += av * bv;
        }
        const idx = cOff + p * cStride + i * ldc + j;
        // The stored C is rounded after every batch item, which matters when cStride = 0 sums
        // the batch into one float32 C.
        if (accumulate) want.set(idx, round(want.value(idx) + s));
        else want.set(idx, s);
      }
  const spec: GemmSpec = { M, N, K, transA, transB, accumulate, batch, aStride, bStride, cStride };
  if (cs.lda !== undefined) spec.lda = lda;
  if (cs.ldb !== undefined) spec.ldb = ldb;
  if (cs.ldc !== undefined) spec.ldc = ldc;
  const aBefore = a.slice();
  const bBefore = b.slice();
  gemm(spec, a, aOff, b, bOff, c, cOff);
  want.check(c, { rtol: tolFor(C).rtol, atol: tolFor(C).atol * Math.max(1, K) }, `C ${JSON.stringify(cs)}`);
  // The operands are read-only.
  expect(Array.from(a)).toEqual(Array.from(aBefore));
  expect(Array.from(b)).toEqual(Array.from(bBefore));
}

const FORMS: [boolean, boolean][] = [
  [false, false],
  [false, true],
  [true, false],
  [true, true],
];

describe('gemm', () => {
  for (const C of CTORS)
    for (const [transA, transB] of FORMS)
      it(`${C.name} transA=${transA} transB=${transB}: every M, N, K in {0,1,3,5,7,17,33}, both accumulate modes`, () => {
        const sizes = [0, 1, 3, 5, 7, 17, 33];
        let seed = 1;
        for (const M of sizes)
          for (const N of sizes)
            for (const K of sizes)
              for (const accumulate of [false, true]) runCase(C, { M, N, K, transA, transB, accumulate }, seed++);
      });

  for (const C of CTORS)
    it(`${C.name}: 65-sized dimensions in every form`, () => {
      let seed = 100;
      for (const [transA, transB] of FORMS)
        for (const [M, N, K] of [
          [65, 65, 65],
          [65, 1, 17],
          [1, 65, 33],
          [17, 33, 65],
        ] as const)
          for (const accumulate of [false, true]) runCase(C, { M, N, K, transA, transB, accumulate }, seed++);
    });

  it('K = 0 writes zeros without accumulate and leaves C alone with it', () => {
    for (const C of CTORS) {
      runCase(C, { M: 3, N: 5, K: 0, transA: false, transB: false, accumulate: false }, 1);
      runCase(C, { M: 3, N: 5, K: 0, transA: true, transB: true, accumulate: true, batch: 2 }, 2);
      const c = new C(17).fill(SENTINEL);
      gemm({ M: 3, N: 5, K: 0, transA: false, transB: false, accumulate: false, batch: 1, aStride: 0, bStride: 0, cStride: 0 }, new C(0), 0, new C(0), 0, c, 1);
      expect(Array.from(c)).toEqual([SENTINEL, ...new Array<number>(15).fill(0), SENTINEL]);
    }
  });

  it('M, N or batch = 0 does nothing and does not throw, even with empty buffers', () => {
    for (const C of CTORS)
      for (const [M, N, batch] of [
        [0, 4, 1],
        [4, 0, 1],
        [4, 4, 0],
      ] as const) {
        const c = new C(3).fill(SENTINEL);
        for (const accumulate of [false, true])
          gemm({ M, N, K: 5, transA: false, transB: true, accumulate, batch, aStride: 0, bStride: 0, cStride: 0 }, new C(0), 0, new C(0), 0, c, 0);
        expect(Array.from(c)).toEqual([SENTINEL, SENTINEL, SENTINEL]);
      }
  });

  it('batches with gaps between items, shared (stride 0) operands and a C summed over the batch', () => {
    let seed = 7;
    for (const C of CTORS)
      for (const [transA, transB] of FORMS)
        for (const accumulate of [false, true]) {
          const base = { M: 5, N: 7, K: 3, transA, transB, accumulate, batch: 3 };
          runCase(C, { ...base, aStride: 15 + 2, bStride: 21 + 3, cStride: 35 + 4 }, seed++);
          runCase(C, { ...base, aStride: 0 }, seed++); // one A for every item: x·W over a batch
          runCase(C, { ...base, bStride: 0 }, seed++); // one weight matrix for every item
          if (accumulate) runCase(C, { ...base, cStride: 0 }, seed++); // Σ_p op(A_p)·op(B_p)
        }
  });

  it('row strides (lda, ldb, ldc) read column blocks of wider matrices and leave the gaps alone', () => {
    let seed = 11;
    for (const C of CTORS)
      for (const [transA, transB] of FORMS)
        for (const accumulate of [false, true])
          for (const [M, N, K] of [
            [5, 6, 7],
            [4, 4, 4],
            [1, 9, 2],
          ] as const) {
            const [aCols, bCols] = [transA ? M : K, transB ? K : N];
            runCase(C, { M, N, K, transA, transB, accumulate, lda: aCols + 3, ldb: bCols + 1, ldc: N + 2 }, seed++);
            runCase(C, { M, N, K, transA, transB, accumulate, batch: 2, lda: 2 * aCols, ldc: 2 * N }, seed++);
          }
  });

  it('matches the naive loop for random shapes, strides, offsets and flags (property)', () => {
    const dim = fc.oneof(fc.constantFrom(...SIZES.slice(0, 5)), fc.integer({ min: 0, max: 24 }));
    fc.assert(
      fc.property(
        fc.record({
          C: fc.constantFrom(...CTORS),
          M: dim,
          N: dim,
          K: dim,
          transA: fc.boolean(),
          transB: fc.boolean(),
          accumulate: fc.boolean(),
          batch: fc.integer({ min: 0, max: 3 }),
          pads: fc.tuple(fc.nat(3), fc.nat(3), fc.nat(3)),
          offs: fc.tuple(fc.nat(9), fc.nat(9), fc.nat(9)),
          seed: fc.nat(),
        }),
        ({ C, M, N, K, transA, transB, accumulate, batch, pads, offs, seed }) => {
          const [aCols, bCols] = [transA ? M : K, transB ? K : N];
          runCase(
            C,
            {
              M, N, K, transA, transB, accumulate, batch,
              lda: aCols + pads[0], ldb: bCols + pads[1], ldc: N + pads[2],
              aOff: offs[0], bOff: offs[1], cOff: offs[2],
            },
            seed,
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it('accumulates float64 operands in float64 (no float32 rounding of the sum)', () => {
    // 1 + 2^-40 is not representable in float32; a float32 accumulator would return exactly 1.
    const a = Float64Array.of(1, 2 ** -40);
    const b = Float64Array.of(1, 1);
    const c = new Float64Array(1);
    gemm({ M: 1, N: 1, K: 2, transA: false, transB: false, accumulate: false, batch: 1, aStride: 0, bStride: 0, cStride: 0 }, a, 0, b, 0, c, 0);
    expect(c[0]).toBe(1 + 2 ** -40);
  });
});
