/**
 * The WebAssembly SIMD kernels against the reference kernels: every gemm form (NN, NT, TN, TT),
 * ragged sizes around the tile edges, narrow products (one column, a row against a few keys: the
 * dot-product path), leading dimensions, batches and accumulation; the
 * pointwise kernels (strided binary and copy, activations and their gradients, fused LSTM and GRU
 * cells) including lengths that are not a multiple of four. float32 results differ from the
 * reference (which sums in float64) only by rounding: compared within 1e-5 of the magnitude.
 */
import { describe, expect, it } from 'vitest';
import * as K from '../kernels/index.ts';
import type { GemmSpec } from '../kernels/gemm.ts';
import type { Instr, Ref } from '../../compile/instr.ts';
import { prepareStrided } from '../kernels/strided.ts';
import { instantiateKernels, kernelModule, kernelModuleBytes } from './module.ts';
import { WasmGemm } from './wasm-gemm.ts';
import { WasmPointwise } from './wasm-pointwise.ts';
import { Rng } from '../../train/prng.ts';

const module = kernelModule();
const ELEMS = 1 << 20;

/** A fresh memory with the kernels on it; regions of 2^16 floats addressed by index. */
function setup(): { f32: Float32Array; gemm: WasmGemm; pw: WasmPointwise } {
  if (module === null) throw new Error('WebAssembly SIMD is not available in this engine');
  const memory = new WebAssembly.Memory({ initial: (ELEMS * 4) / 65536 + 1 });
  const f32 = new Float32Array(memory.buffer);
  const x = instantiateKernels(module, memory);
  return { f32, gemm: new WasmGemm(x, f32, ELEMS - (1 << 17)), pw: new WasmPointwise(x, f32) };
}

const REGION = 1 << 16;
const ref = (i: number): Ref => ({ buf: i, off: 0 });
const at = (r: Ref): number => r.buf * REGION + r.off;

function fillRandom(f32: Float32Array, rng: Rng, lo = -1, hi = 1, regions = 8): void {
  for (let i = 0; i < regions * REGION; i++) f32[i] = rng.uniform(lo, hi);
}

/** Max |a − b| / max(1, |b|) over `n` elements from `off`. */
function worst(a: Float32Array, b: Float32Array, off: number, n: number): number {
  let w = 0;
  for (let i = off; i < off + n; i++) w = Math.max(w, Math.abs(a[i]! - b[i]!) / Math.max(1, Math.abs(b[i]!)));
  return w;
}

describe('fast kernels', () => {
  it('compile in this engine (Node has WebAssembly SIMD) from a small module', () => {
    expect(module).not.toBeNull();
    expect(kernelModuleBytes().length).toBeLessThan(64 * 1024);
  });

  it('gemm: every form, ragged sizes, leading dimensions, batches, accumulation', () => {
    const { f32, gemm } = setup();
    const rng = new Rng(1);
    const sizes: [number, number, number][] = [
      [1, 1, 1],
      [3, 5, 7],
      [4, 8, 16],
      [5, 9, 3],
      [13, 17, 11],
      [32, 64, 33],
      [8, 12, 0],
      // Narrow products: one column (the single-row transposed product), a row or a few against
      // keys (dot products; K a multiple of four or not), and their edges.
      [64, 1, 150],
      [37, 1, 19],
      [1, 30, 64],
      [2, 7, 9],
      [3, 3, 8],
      [61, 2, 33],
      [1, 1, 13],
    ];
    let cases = 0;
    for (const [M, N, Kd] of sizes)
      for (const transA of [false, true])
        for (const transB of [false, true])
          for (const accumulate of [false, true])
            for (const padded of [false, true]) {
              const lda = (transA ? M : Kd) + (padded ? 3 : 0);
              const ldb = (transB ? Kd : N) + (padded ? 2 : 0);
              const ldc = N + (padded ? 5 : 0);
              const batch = padded ? 2 : 1;
              const spec: GemmSpec = {
                M, N, K: Kd, transA, transB, accumulate, batch,
                aStride: (transA ? Kd : M) * lda, bStride: (transB ? N : Kd) * ldb, cStride: M * ldc,
                lda, ldb, ldc,
              };
              fillRandom(f32, rng);
              const want = f32.slice();
              K.gemm(spec, want, 0, want, REGION, want, 2 * REGION);
              gemm.run(spec, 0, REGION, 2 * REGION);
              expect(worst(f32, want, 2 * REGION, batch * M * ldc), `${M}x${N}x${Kd} ${transA} ${transB} ${accumulate} ${padded}`).toBeLessThan(1e-5);
              // Nothing outside C changed (the gaps of ldc included).
              expect(worst(f32, want, 0, 2 * REGION)).toBe(0);
              cases++;
            }
    expect(cases).toBe(sizes.length * 16);
  });

  it('gemm: a large product in slabs (progress between them) equals the reference', () => {
    const { f32, gemm } = setup();
    fillRandom(f32, new Rng(2));
    const spec: GemmSpec = { M: 300, N: 40, K: 150, transA: true, transB: false, accumulate: true, batch: 1, aStride: 0, bStride: 0, cStride: 0 };
    const want = f32.slice();
    K.gemm(spec, want, 0, want, 3 * REGION, want, 6 * REGION);
    gemm.run(spec, 0, 3 * REGION, 6 * REGION);
    expect(worst(f32, want, 6 * REGION, 300 * 40)).toBeLessThan(1e-5);
  });

  const pointwise: { name: string; instr: Instr; out: [Ref, number][] }[] = [];
  for (const op of ['add', 'sub', 'mul'] as const)
    for (const acc of [false, true]) {
      // contiguous, a ragged single row, a bias broadcast over rows, and rows summed into one
      pointwise.push(
        { name: `${op} contiguous acc=${acc}`, instr: { k: 'binary', op, spec: prepareStrided([64], [1], [1], [1]), a: ref(0), b: ref(1), out: ref(2), acc, alpha: 1 }, out: [[ref(2), 64]] },
        { name: `${op} ragged acc=${acc}`, instr: { k: 'binary', op, spec: prepareStrided([37], [1], [1], [1]), a: ref(0), b: ref(1), out: ref(2), acc, alpha: 0.5 }, out: [[ref(2), 40]] },
        { name: `${op} bias acc=${acc}`, instr: { k: 'binary', op, spec: prepareStrided([6, 12], [12, 1], [12, 1], [0, 1]), a: ref(0), b: ref(1), out: ref(2), acc, alpha: 1 }, out: [[ref(2), 72]] },
      );
    }
  pointwise.push(
    { name: 'copy slice rows', instr: { k: 'copy', spec: prepareStrided([5, 8], [8, 1], [16, 1]), src: ref(0), out: ref(2), acc: false, alpha: 1 }, out: [[ref(2), 40]] },
    { name: 'copy sum rows (bias gradient)', instr: { k: 'copy', spec: prepareStrided([5, 8], [0, 1], [8, 1]), src: ref(0), out: ref(2), acc: true, alpha: 1 }, out: [[ref(2), 8]] },
    { name: 'copy scaled ragged', instr: { k: 'copy', spec: prepareStrided([23], [1], [1]), src: ref(0), out: ref(2), acc: true, alpha: -2 }, out: [[ref(2), 23]] },
  );
  for (const op of ['tanh', 'sigmoid', 'copy', 'neg', 'scale'] as const)
    for (const acc of [false, true]) pointwise.push({ name: `unary ${op} acc=${acc}`, instr: { k: 'unary', op, n: 203, x: ref(0), out: ref(2), acc, alpha: 0.25 }, out: [[ref(2), 203]] });
  for (const op of ['tanh', 'sigmoid'] as const)
    for (const acc of [false, true]) pointwise.push({ name: `unaryGrad ${op} acc=${acc}`, instr: { k: 'unaryGrad', op, n: 101, dy: ref(0), saved: ref(1), dx: ref(2), acc }, out: [[ref(2), 101]] });
  pointwise.push({ name: 'lstm forward', instr: { k: 'lstmFwd', B: 3, H: 8, pre: ref(0), cPrev: ref(1), hc: ref(2), gates: ref(3), tanhC: ref(4) }, out: [[ref(2), 48], [ref(3), 96], [ref(4), 24]] });
  pointwise.push({ name: 'gru forward', instr: { k: 'gruFwd', B: 3, H: 8, gi: ref(0), gh: ref(1), hPrev: ref(5), h: ref(2), saved: ref(3) }, out: [[ref(2), 24], [ref(3), 72]] });
  for (const [accPre, accC] of [[false, false], [true, true], [true, false], [false, true]] as const)
    pointwise.push({
      name: `lstm backward accPre=${accPre} accC=${accC}`,
      instr: { k: 'lstmBwd', B: 3, H: 8, dhc: ref(0), gates: ref(1), tanhC: ref(5), cPrev: ref(6), dPre: ref(2), accPre, dCPrev: ref(3), accC },
      out: [[ref(2), 96], [ref(3), 24]],
    });
  for (const acc of [false, true]) {
    pointwise.push({
      name: `gru backward acc=${acc}`,
      instr: { k: 'gruBwd', B: 3, H: 8, dh: ref(0), saved: ref(1), gh: ref(5), hPrev: ref(6), dGi: ref(2), accGi: acc, dGh: ref(3), accGh: acc, dHPrev: ref(4), accH: acc },
      out: [[ref(2), 72], [ref(3), 72], [ref(4), 24]],
    });
  }

  it.each(pointwise)('$name', ({ instr, out }) => {
    const { f32, pw } = setup();
    // Wide inputs exercise the activations' saturated ranges and the exp clamp.
    fillRandom(f32, new Rng(3), -12, 12);
    const want = f32.slice();
    const fast = (
      {
        binary: () => pw.binary(instr as never, at),
        copy: () => pw.copy(instr as never, at),
        unary: () => pw.unary(instr as never, at),
        unaryGrad: () => pw.unaryGrad(instr as never, at),
        lstmFwd: () => pw.lstmForward(instr as never, at),
        gruFwd: () => pw.gruForward(instr as never, at),
        lstmBwd: () => pw.lstmBackward(instr as never, at),
        gruBwd: () => pw.gruBackward(instr as never, at),
      } as Record<string, () => (() => void) | undefined>
    )[instr.k]!();
    expect(fast, 'the SIMD kernels cover this instruction').toBeDefined();
    fast!();
    runReference(instr, want);
    for (const [r, n] of out) expect(worst(f32, want, at(r), n)).toBeLessThan(1e-5);
    expect(worst(f32, want, 0, 8 * REGION)).toBeLessThan(1e-5);
  });

  it('leaves layouts it does not cover to the reference (division, strided inner axes, rows under a vector, inner sums, overlaps)', () => {
    const { pw } = setup();
    expect(pw.binary({ k: 'binary', op: 'div', spec: prepareStrided([8], [1], [1], [1]), a: ref(0), b: ref(1), out: ref(2), acc: false, alpha: 1 }, at)).toBeUndefined();
    expect(pw.copy({ k: 'copy', spec: prepareStrided([4, 4], [1, 4], [4, 1]), src: ref(0), out: ref(2), acc: false, alpha: 1 }, at)).toBeUndefined();
    expect(pw.copy({ k: 'copy', spec: prepareStrided([5, 3], [3, 1], [6, 1]), src: ref(0), out: ref(2), acc: false, alpha: 1 }, at)).toBeUndefined();
    expect(pw.copy({ k: 'copy', spec: prepareStrided([5, 8], [1, 0], [8, 1]), src: ref(0), out: ref(2), acc: true, alpha: 1 }, at)).toBeUndefined();
    expect(pw.binary({ k: 'binary', op: 'add', spec: prepareStrided([5, 8], [8, 1], [1, 0], [1, 0]), a: ref(0), b: ref(1), out: ref(2), acc: false, alpha: 1 }, at)).toBeUndefined();
    expect(pw.lstmForward({ k: 'lstmFwd', B: 2, H: 3, pre: ref(0), cPrev: ref(1), hc: ref(2), gates: ref(3), tanhC: ref(4) }, at)).toBeUndefined();
    // One output accumulates, the other (zeroed first on the fast path) overlaps an input.
    const overlap = { buf: 1, off: 8 };
    expect(pw.lstmBackward({ k: 'lstmBwd', B: 2, H: 4, dhc: ref(0), gates: ref(1), tanhC: ref(5), cPrev: ref(6), dPre: ref(2), accPre: true, dCPrev: overlap, accC: false }, at)).toBeUndefined();
  });
});

/**
 * Random strided layouts as the planner makes them, ranks 1–4 with sizes 0, 1 and ones that are
 * not multiples of four: each operand a view of a row-major block whose axes may be padded (a
 * slice of a bigger tensor); inputs broadcast along random axes (the last one included: one
 * element per row); with `acc`, the output too (the sums of a broadcast's gradient).
 */
describe('fast strided kernels on random layouts', () => {
  const SIZES = [0, 1, 2, 3, 4, 5, 7, 8, 9, 12, 13, 16, 17, 30];

  function randomShape(rng: Rng): number[] {
    for (;;) {
      const rank = 1 + rng.int(4);
      const shape = Array.from({ length: rank }, () => SIZES[rng.int(SIZES.length)]!);
      // Mostly non-empty spaces; an empty one now and then.
      if (shape.reduce((a, b) => a * b, 1) <= 6000 && (shape.every((d) => d > 0) || rng.int(8) === 0)) return shape;
    }
  }

  /** Strides of a padded row-major block over `shape`, zero on the axes in `broadcast`. */
  function layout(rng: Rng, shape: readonly number[], broadcast: (d: number) => boolean): number[] {
    const strides = new Array<number>(shape.length).fill(0);
    let step = 1;
    for (let d = shape.length - 1; d >= 0; d--) {
      if (broadcast(d)) continue;
      strides[d] = step;
      step *= shape[d]! + (rng.int(3) === 0 ? 1 + rng.int(3) : 0);
    }
    return strides;
  }

  const cases: { name: string; instr: Instr; seed: number }[] = [];
  const rng = new Rng(11);
  for (let i = 0; i < 240; i++) {
    const shape = randomShape(rng);
    const acc = rng.int(2) === 0;
    const alpha = [1, 1, -1, 0.5][rng.int(4)]!;
    const off = (buf: number): Ref => ({ buf, off: rng.int(4) });
    // Inputs: broadcast along each axis with probability 1/4, the last one with 1/5.
    const input = (): number[] => layout(rng, shape, (d) => rng.int(d === shape.length - 1 ? 5 : 4) === 0);
    // The output: dense or padded; with acc, summed over an axis now and then.
    const sumAxis = acc && rng.int(2) === 0 ? rng.int(shape.length) : -1;
    const out = layout(rng, shape, (d) => d === sumAxis);
    if (i % 2 === 0) {
      const op = (['add', 'sub', 'mul'] as const)[rng.int(3)]!;
      const spec = prepareStrided(shape, out, input(), input());
      cases.push({ name: `${op} [${shape}] ${JSON.stringify(spec.strides)} acc=${acc}`, seed: i, instr: { k: 'binary', op, spec, a: off(0), b: off(1), out: off(2), acc, alpha } });
    } else {
      const spec = prepareStrided(shape, out, input());
      cases.push({ name: `copy [${shape}] ${JSON.stringify(spec.strides)} acc=${acc}`, seed: i, instr: { k: 'copy', spec, src: off(0), out: off(2), acc, alpha } });
    }
  }

  it('match the reference on every layout they take, and take most', () => {
    const { f32, pw } = setup();
    let covered = 0;
    for (const { name, instr, seed } of cases) {
      const fast = instr.k === 'binary' ? pw.binary(instr, at) : instr.k === 'copy' ? pw.copy(instr, at) : undefined;
      if (fast === undefined) continue;
      covered++;
      // Operands live in regions 0–2; region 3 checks that nothing past them is written.
      fillRandom(f32, new Rng(seed), -2, 2, 4);
      const want = f32.slice(0, 4 * REGION);
      fast();
      runReference(instr, want);
      expect(worst(f32, want, 0, 4 * REGION), name).toBeLessThan(1e-5);
    }
    expect(covered).toBeGreaterThan(cases.length / 2);
  });

  it('take the layouts of additive attention: a query added over time, its gradient summed over time', () => {
    const { f32, pw } = setup();
    const [B, T, S] = [6, 7, 12];
    const add: Instr = { k: 'binary', op: 'add', spec: prepareStrided([B, T, S], [T * S, S, 1], [T * S, S, 1], [S, 0, 1]), a: ref(0), b: ref(1), out: ref(2), acc: false, alpha: 1 };
    const sum: Instr = { k: 'copy', spec: prepareStrided([B, T, S], [S, 0, 1], [T * S, S, 1]), src: ref(0), out: ref(2), acc: true, alpha: 1 };
    const rowScale: Instr = { k: 'binary', op: 'mul', spec: prepareStrided([B, 9], [9, 1], [1, 0], [9, 1]), a: ref(0), b: ref(1), out: ref(2), acc: true, alpha: 1 };
    for (const instr of [add, sum, rowScale]) {
      const fast = instr.k === 'binary' ? pw.binary(instr, at) : instr.k === 'copy' ? pw.copy(instr, at) : undefined;
      expect(fast).toBeDefined();
      fillRandom(f32, new Rng(5));
      const want = f32.slice();
      fast!();
      runReference(instr, want);
      expect(worst(f32, want, 0, 8 * REGION)).toBeLessThan(1e-5);
    }
  });
});

/** Run `instr` on the reference kernels over `m` (regions as in `at`). */
function runReference(instr: Instr, m: Float32Array): void {
  const o = (r: Ref | undefined): number => at(r!);
  switch (instr.k) {
    case 'binary':
      return K.binary(instr.op, instr.spec, m, o(instr.a), m, o(instr.b), m, o(instr.out), instr.acc, instr.alpha);
    case 'copy':
      return K.stridedCopy(instr.spec, m, o(instr.src), m, o(instr.out), instr.acc, instr.alpha);
    case 'unary':
      return K.unary(instr.op, instr.n, m, o(instr.x), m, o(instr.out), instr.acc, instr.alpha);
    case 'unaryGrad':
      return K.unaryGrad(instr.op, instr.n, m, o(instr.dy), m, o(instr.saved), m, o(instr.dx), instr.acc);
    case 'lstmFwd':
      return K.lstmCellForward(instr.B, instr.H, m, o(instr.pre), m, o(instr.cPrev), m, o(instr.hc), m, o(instr.gates), m, o(instr.tanhC));
    case 'gruFwd':
      return K.gruCellForward(instr.B, instr.H, m, o(instr.gi), m, o(instr.gh), m, o(instr.hPrev), m, o(instr.h), m, o(instr.saved));
    case 'lstmBwd':
      return K.lstmCellBackward(instr.B, instr.H, m, o(instr.dhc), m, o(instr.gates), m, o(instr.tanhC), m, o(instr.cPrev), m, o(instr.dPre), instr.accPre, m, o(instr.dCPrev), instr.accC);
    case 'gruBwd':
      return K.gruCellBackward(instr.B, instr.H, m, o(instr.dh), m, o(instr.saved), m, o(instr.gh), m, o(instr.hPrev), m, o(instr.dGi), instr.accGi, m, o(instr.dGh), instr.accGh, m, o(instr.dHPrev), instr.accH);
    default:
      throw new Error(`no reference for ${instr.k}`);
  }
}
