import { describe, expect, it } from 'vitest';
import type { Instr } from '../../compile/instr.ts';
import type { GemmSpec } from '../../cpu/kernels/gemm.ts';
import { rng, uniform } from '../../cpu/kernels/test-support.ts';
import { instrSuite, cpuBackend, type InstrBackend } from '../testing/instr-backends.ts';
import { describeMismatch, mismatch } from '../testing/compare.ts';
import { gemmTiling } from './gemm.ts';

const B = await instrSuite();

const at = (off: number) => ({ buf: 0, off });
const TRANS = [
  [false, false],
  [true, false],
  [false, true],
  [true, true],
] as const;

type Spec = Omit<GemmSpec, 'batch' | 'aStride' | 'bStride' | 'cStride'> & Partial<Pick<GemmSpec, 'batch' | 'aStride' | 'bStride' | 'cStride'>>;

/** Stored layout of each operand: rows, columns and row distance. */
function layout(s: GemmSpec): { a: [number, number, number]; b: [number, number, number]; c: [number, number, number] } {
  const [ar, ac] = s.transA ? [s.K, s.M] : [s.M, s.K];
  const [br, bc] = s.transB ? [s.N, s.K] : [s.K, s.N];
  return { a: [ar, ac, s.lda ?? ac], b: [br, bc, s.ldb ?? bc], c: [s.M, s.N, s.ldc ?? s.N] };
}

/** Elements one operand spans over the batch. */
function reach([rows, cols, ld]: [number, number, number], batch: number, stride: number): number {
  if (batch <= 0 || rows <= 0 || cols <= 0) return 0;
  return (batch - 1) * stride + (rows - 1) * ld + cols;
}

/** Dense batch strides unless given. */
function full(spec: Spec): GemmSpec {
  const s = { batch: 1, aStride: 0, bStride: 0, cStride: 0, ...spec };
  const l = layout(s);
  return { ...s, aStride: spec.aStride ?? l.a[0] * l.a[2], bStride: spec.bStride ?? l.b[0] * l.b[2], cStride: spec.cStride ?? l.c[0] * l.c[2] };
}

const label = (s: GemmSpec): string =>
  `${s.M}x${s.N}x${s.K}${s.transA ? ' tA' : ''}${s.transB ? ' tB' : ''}${s.accumulate ? ' acc' : ''} b${s.batch} strides ${s.aStride},${s.bStride},${s.cStride} ld ${s.lda ?? '-'},${s.ldb ?? '-'},${s.ldc ?? '-'}`;

/**
 * One product on `backend` against the CPU reference: every C element within 1e-4 (norm-wise),
 * everything else in memory (operands, gaps between rows and items, padding) exactly untouched.
 */
async function check(backend: InstrBackend, spec: GemmSpec, seed: number): Promise<void> {
  const l = layout(spec);
  const aOff = 3;
  const bOff = aOff + reach(l.a, spec.batch, spec.aStride) + 5;
  const cOff = bOff + reach(l.b, spec.batch, spec.bStride) + 5;
  const size = cOff + reach(l.c, spec.batch, spec.cStride) + 4;
  const r = rng(seed);
  const mem = Array.from({ length: size }, () => Math.fround(uniform(r, -1, 1)));
  const instr: Instr = { k: 'gemm', spec, a: at(aOff), b: at(bOff), c: at(cOff) };
  const [got, want] = await Promise.all([backend.run(mem, [instr]), cpuBackend.run(mem, [instr])]);
  const written = new Set<number>();
  for (let p = 0; p < spec.batch; p++) for (let i = 0; i < spec.M; i++) for (let j = 0; j < spec.N; j++) written.add(cOff + p * spec.cStride + i * l.c[2] + j);
  const idx = [...written].sort((x, y) => x - y);
  const m = mismatch(
    idx.map((i) => got.memory[i]!),
    idx.map((i) => want.memory[i]!),
  );
  expect(describeMismatch(label(spec), m && { ...m, index: idx[m.index]! })).toBe('');
  const strayed = mem.findIndex((v, i) => !written.has(i) && got.memory[i] !== v);
  expect(strayed, `${label(spec)}: element ${strayed} outside C changed`).toBe(-1);
}

/** Random specs: every transpose, batch strides dense, shared (0), gapped or summed into one C (0 with accumulate), wider rows. */
function randomSpecs(count: number, seed: number): GemmSpec[] {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  return Array.from({ length: count }, () => {
    // At most one side of 257 keeps the reference quick.
    const dims = [pick([0, 1, 3, 17, 33, 65]), pick([1, 3, 17, 33, 65]), pick([1, 3, 17, 33, 65, 257])];
    const [M, N, K] = r() < 0.1 ? [dims[0]!, dims[1]!, 0] : r() < 0.5 ? [dims[2]!, dims[1]!, dims[0]!] : [dims[1]!, dims[0]!, dims[2]!];
    const [transA, transB] = pick(TRANS);
    const accumulate = r() < 0.5;
    const batch = pick([1, 1, 2, 3]);
    const base = full({ M, N, K, transA, transB, accumulate, batch });
    const l = layout(base);
    const wide = r() < 0.4;
    const lda = wide ? l.a[1] + pick([1, 2, 5]) : undefined;
    const ldb = wide ? l.b[1] + pick([1, 2, 5]) : undefined;
    const ldc = wide ? l.c[1] + pick([1, 2, 5]) : undefined;
    const ext = (rows: number, ld: number | undefined, cols: number) => rows * (ld ?? cols) + pick([0, 0, 3]);
    const aStride = r() < 0.25 ? 0 : ext(l.a[0], lda, l.a[1]);
    const bStride = r() < 0.25 ? 0 : ext(l.b[0], ldb, l.b[1]);
    const cStride = accumulate && r() < 0.4 ? 0 : ext(l.c[0], ldc, l.c[1]);
    return { ...base, lda, ldb, ldc, aStride, bStride, cStride };
  });
}

describe('gemm tiling', () => {
  it('grows the register block with the work and picks the batch mode from cStride and accumulate', () => {
    const t = (s: Spec) => gemmTiling(full(s));
    const sq = (n: number, batch = 1) => ({ M: n, N: n, K: 17, transA: false, transB: false, accumulate: false, batch });
    expect(t(sq(3))).toMatchObject({ wx: 4, wy: 4, rm: 1, mode: 'items' });
    expect(t(sq(257, 3))).toMatchObject({ wx: 16, wy: 16, rm: 2, rn: 2 });
    expect(t(sq(257, 6))).toMatchObject({ wx: 16, wy: 16, rm: 4, rn: 4 });
    expect(t({ ...sq(1), N: 257 })).toMatchObject({ wy: 1, wx: 64 });
    expect(t({ ...sq(257), N: 1 })).toMatchObject({ wy: 64, wx: 1 });
    expect(t({ ...sq(33, 4), accumulate: true, cStride: 0 }).mode).toBe('sum');
    expect(t({ ...sq(33, 4), cStride: 0 }).mode).toBe('last');
    for (const s of randomSpecs(200, 5)) {
      const g = gemmTiling(s);
      expect(g.wx * g.wy).toBeLessThanOrEqual(256);
      expect(16 * (g.wy * g.rm + 1 + g.wx * g.rn + 1) * 4).toBeLessThanOrEqual(16384);
    }
  });
});

describe.each(B.list)('gemm on $name', (backend) => {
  for (const [transA, transB] of TRANS) {
    it(`every size pairing${transA ? ' tA' : ''}${transB ? ' tB' : ''}, overwriting and accumulating`, async () => {
      let seed = 1;
      for (const [M, N, K] of [
        [1, 1, 1],
        [3, 17, 5],
        [17, 33, 65],
        [33, 3, 257],
        [65, 257, 3],
        [257, 65, 17],
        [1, 257, 33],
        [257, 1, 33],
        [16, 16, 16],
        [64, 64, 32],
      ] as const)
        for (const accumulate of [false, true]) await check(backend, full({ M, N, K, transA, transB, accumulate }), seed++);
    });

    it(`batches: dense, shared A or B (stride 0), gapped items, wider rows${transA ? ' tA' : ''}${transB ? ' tB' : ''}`, async () => {
      const s = { M: 17, N: 33, K: 65, transA, transB };
      const l = layout({ ...full({ ...s, accumulate: false }) });
      let seed = 100;
      for (const accumulate of [false, true]) {
        await check(backend, full({ ...s, accumulate, batch: 3 }), seed++);
        await check(backend, full({ ...s, accumulate, batch: 3, aStride: 0 }), seed++);
        await check(backend, full({ ...s, accumulate, batch: 3, bStride: 0 }), seed++);
        await check(backend, full({ ...s, accumulate, batch: 2, aStride: 0, bStride: 0 }), seed++);
        await check(backend, full({ ...s, accumulate, batch: 2, aStride: l.a[0] * l.a[1] + 7, bStride: l.b[0] * l.b[1] + 3, cStride: l.c[0] * l.c[1] + 5 }), seed++);
        const lda = l.a[1] + 3;
        const ldb = l.b[1] + 2;
        const ldc = l.c[1] + 4;
        await check(backend, full({ ...s, accumulate, batch: 2, lda, ldb, ldc, aStride: l.a[0] * lda, bStride: l.b[0] * ldb, cStride: l.c[0] * ldc }), seed++);
      }
    });

    it(`cStride 0: items summed into one C with accumulate, the last item's product without${transA ? ' tA' : ''}${transB ? ' tB' : ''}`, async () => {
      let seed = 200;
      for (const [M, N, K, batch] of [
        [17, 33, 65, 2],
        [3, 1, 257, 5],
        [65, 17, 3, 3],
      ] as const) {
        await check(backend, full({ M, N, K, transA, transB, accumulate: true, batch, cStride: 0 }), seed++);
        await check(backend, full({ M, N, K, transA, transB, accumulate: true, batch, cStride: 0, aStride: 0 }), seed++);
        await check(backend, full({ M, N, K, transA, transB, accumulate: false, batch, cStride: 0 }), seed++);
      }
      // With wider rows too.
      await check(backend, full({ M: 33, N: 17, K: 3, transA, transB, accumulate: true, batch: 3, cStride: 0, ldc: 20, lda: transA ? 40 : 5, ldb: transB ? 9 : 19 }), seed);
    });
  }

  it('empty products: M, N or batch 0 touch nothing; K = 0 writes zeros or leaves C when accumulating', async () => {
    let seed = 300;
    for (const accumulate of [false, true])
      for (const [transA, transB] of TRANS) {
        await check(backend, full({ M: 0, N: 17, K: 3, transA, transB, accumulate }), seed++);
        await check(backend, full({ M: 17, N: 0, K: 3, transA, transB, accumulate }), seed++);
        await check(backend, full({ M: 3, N: 3, K: 3, transA, transB, accumulate, batch: 0 }), seed++);
        await check(backend, full({ M: 17, N: 33, K: 0, transA, transB, accumulate }), seed++);
        await check(backend, full({ M: 17, N: 3, K: 0, transA, transB, accumulate, batch: 3 }), seed++);
        await check(backend, full({ M: 5, N: 3, K: 0, transA, transB, accumulate, batch: 3, cStride: 0, ldc: 7 }), seed++);
      }
    // K = 0 overwrites with zeros (a result the assertion can tell from the random C).
    const spec = full({ M: 4, N: 5, K: 0, transA: false, transB: false, accumulate: false });
    const mem = Array.from({ length: 40 }, (_, i) => i + 1);
    const got = await backend.run(mem, [{ k: 'gemm', spec, a: at(0), b: at(0), c: at(10) }]);
    expect([...got.memory.slice(10, 30)]).toEqual(new Array(20).fill(0));
    expect(got.memory[30]).toBe(31);
  });

  it('4×4 register blocks (64×64 tiles) and more than 65535 workgroups', async () => {
    const s = full({ M: 257, N: 257, K: 17, transA: false, transB: true, accumulate: true, batch: 6 });
    expect(gemmTiling(s).rm).toBe(4);
    await check(backend, s, 400);
    await check(backend, full({ M: 1, N: 1, K: 2, transA: false, transB: false, accumulate: false, batch: 70000 }), 401);
  });

  it('random specs', async () => {
    let seed = 500;
    for (const spec of randomSpecs(40, 9)) await check(backend, spec, seed++);
  });
});
