/**
 * Closures running pointwise instructions on the WebAssembly SIMD kernels, for the layouts those
 * kernels take: rows of contiguous elements (any row strides, including 0 to broadcast a bias or
 * to sum rows into one), four floats at a time. Each builder returns undefined for an instruction
 * it does not cover, and the program then runs the reference kernel on the same memory.
 */
import type { Instr } from '../../compile/instr.ts';
import * as K from '../kernels/index.ts';
import type { StridedSpec } from '../kernels/strided.ts';
import type { KernelExports } from './module.ts';

type Row = (rows: number, nv: number, acc: number, alpha: number, ...ptrs: number[]) => void;
type Closure = () => void;

/** `shape` and each operand's strides as rows × contiguous columns, or undefined when not of that form. */
function asRows(spec: StridedSpec): { rows: number; n: number; strides: number[] } | undefined {
  const sh = spec.shape;
  if (sh.length === 0) return undefined;
  if (sh.length === 1) return spec.strides.every((s) => s[0] === 1) ? { rows: 1, n: sh[0]!, strides: spec.strides.map(() => 0) } : undefined;
  if (sh.length === 2 && spec.strides.every((s) => s[1] === 1)) return { rows: sh[0]!, n: sh[1]!, strides: spec.strides.map((s) => s[0]!) };
  return undefined;
}

/** The elements past the last whole vector of a one-row space, as a spec for the reference kernel. */
const tailSpec = (spec: StridedSpec, n4: number, n: number): StridedSpec => ({ shape: [n - n4], strides: spec.strides.map(() => [1]) });

export class WasmPointwise {
  constructor(
    private readonly x: KernelExports,
    private readonly f32: Float32Array,
  ) {}

  private fn(name: string): Row {
    return this.x[name] as Row;
  }

  binary(instr: Extract<Instr, { k: 'binary' }>, at: (r: { buf: number; off: number }) => number): Closure | undefined {
    if (instr.op === 'div') return undefined;
    const g = asRows(instr.spec);
    if (g === undefined || (g.rows > 1 && g.n % 4 !== 0)) return undefined;
    const f = this.fn(`${instr.op}2`);
    const [o, a, b] = [at(instr.out), at(instr.a), at(instr.b)];
    const [so, sa, sb] = g.strides.map((s) => 4 * s) as [number, number, number];
    const { rows, n } = g;
    const nv = n >> 2;
    const acc = instr.acc ? 1 : 0;
    const { alpha, op } = instr;
    const rest = n - 4 * nv;
    const tail = rest > 0 ? tailSpec(instr.spec, 4 * nv, n) : undefined;
    const m = this.f32;
    return () => {
      f(rows, nv, acc, alpha, 4 * a, sa, 4 * b, sb, 4 * o, so);
      if (tail !== undefined) K.binary(op, tail, m, a + 4 * nv, m, b + 4 * nv, m, o + 4 * nv, instr.acc, alpha);
    };
  }

  copy(instr: Extract<Instr, { k: 'copy' }>, at: (r: { buf: number; off: number }) => number): Closure | undefined {
    const g = asRows(instr.spec);
    if (g === undefined || (g.rows > 1 && g.n % 4 !== 0)) return undefined;
    return this.scaled(g.rows, g.n, at(instr.src), 4 * g.strides[1]!, at(instr.out), 4 * g.strides[0]!, instr.acc, instr.alpha);
  }

  /** out (+)= alpha·x over rows of `n` (the tail of a single row by the reference). */
  private scaled(rows: number, n: number, x: number, sx: number, o: number, so: number, accumulate: boolean, alpha: number): Closure {
    const f = this.fn('copy2');
    const nv = n >> 2;
    const acc = accumulate ? 1 : 0;
    const rest = n - 4 * nv;
    const m = this.f32;
    const t = 4 * nv;
    return () => {
      f(rows, nv, acc, alpha, 4 * x, sx, 4 * o, so);
      if (rest > 0) K.unary('scale', rest, m, x + t, m, o + t, accumulate, alpha);
    };
  }

  unary(instr: Extract<Instr, { k: 'unary' }>, at: (r: { buf: number; off: number }) => number): Closure | undefined {
    const [x, o] = [at(instr.x), at(instr.out)];
    const { n, op } = instr;
    if (op === 'copy' || op === 'neg' || op === 'scale') return this.scaled(1, n, x, 0, o, 0, instr.acc, op === 'copy' ? 1 : op === 'neg' ? -1 : instr.alpha);
    if (op !== 'tanh' && op !== 'sigmoid') return undefined;
    const f = this.fn(`${op}2`);
    const nv = n >> 2;
    const t = 4 * nv;
    const acc = instr.acc ? 1 : 0;
    const m = this.f32;
    return () => {
      f(1, nv, acc, 0, 4 * x, 0, 4 * o, 0);
      if (t < n) K.unary(op, n - t, m, x + t, m, o + t, instr.acc, 1);
    };
  }

  unaryGrad(instr: Extract<Instr, { k: 'unaryGrad' }>, at: (r: { buf: number; off: number }) => number): Closure | undefined {
    const { n, op } = instr;
    if (op !== 'tanh' && op !== 'sigmoid') return undefined;
    const f = this.fn(`${op}_grad2`);
    const [dy, s, dx] = [at(instr.dy), at(instr.saved), at(instr.dx)];
    const nv = n >> 2;
    const t = 4 * nv;
    const acc = instr.acc ? 1 : 0;
    const m = this.f32;
    return () => {
      f(1, nv, acc, 0, 4 * dy, 0, 4 * s, 0, 4 * dx, 0);
      if (t < n) K.unaryGrad(op, n - t, m, dy + t, m, s + t, m, dx + t, instr.acc);
    };
  }

  lstmForward(instr: Extract<Instr, { k: 'lstmFwd' }>, at: (r: { buf: number; off: number }) => number): Closure | undefined {
    const { B, H } = instr;
    if (H % 4 !== 0) return undefined;
    const f = this.fn('lstm_fwd');
    const [p, c, hc, g, tc] = [at(instr.pre), at(instr.cPrev), at(instr.hc), at(instr.gates), at(instr.tanhC)].map((e) => 4 * e) as [number, number, number, number, number];
    const Hb = 4 * H;
    return () => f(B, H >> 2, 0, 0, p, 4 * Hb, c, Hb, hc, 2 * Hb, g, 4 * Hb, tc, Hb, Hb);
  }

  gruForward(instr: Extract<Instr, { k: 'gruFwd' }>, at: (r: { buf: number; off: number }) => number): Closure | undefined {
    const { B, H } = instr;
    if (H % 4 !== 0) return undefined;
    const f = this.fn('gru_fwd');
    const [gi, gh, hp, h, s] = [at(instr.gi), at(instr.gh), at(instr.hPrev), at(instr.h), at(instr.saved)].map((e) => 4 * e) as [number, number, number, number, number];
    const Hb = 4 * H;
    return () => f(B, H >> 2, 0, 0, gi, 3 * Hb, gh, 3 * Hb, hp, Hb, h, Hb, s, 3 * Hb, Hb);
  }

  lstmBackward(instr: Extract<Instr, { k: 'lstmBwd' }>, at: (r: { buf: number; off: number }) => number): Closure | undefined {
    const { B, H } = instr;
    if (H % 4 !== 0 || instr.dPre === undefined || instr.dCPrev === undefined || instr.accPre !== instr.accC) return undefined;
    const f = this.fn('lstm_bwd');
    const [d, g, tc, c, dp, dc] = [at(instr.dhc), at(instr.gates), at(instr.tanhC), at(instr.cPrev), at(instr.dPre), at(instr.dCPrev)].map((e) => 4 * e) as [number, number, number, number, number, number];
    const Hb = 4 * H;
    const acc = instr.accPre ? 1 : 0;
    return () => f(B, H >> 2, acc, 0, d, 2 * Hb, g, 4 * Hb, tc, Hb, c, Hb, dp, 4 * Hb, dc, Hb, Hb);
  }

  gruBackward(instr: Extract<Instr, { k: 'gruBwd' }>, at: (r: { buf: number; off: number }) => number): Closure | undefined {
    const { B, H } = instr;
    if (H % 4 !== 0 || instr.dGi === undefined || instr.dGh === undefined || instr.dHPrev === undefined) return undefined;
    if (instr.accGi !== instr.accGh || instr.accGh !== instr.accH) return undefined;
    const f = this.fn('gru_bwd');
    const ptrs = [at(instr.dh), at(instr.saved), at(instr.gh), at(instr.hPrev), at(instr.dGi), at(instr.dGh), at(instr.dHPrev)].map((e) => 4 * e);
    const [dh, s, gh, hp, dgi, dgh, dhp] = ptrs as [number, number, number, number, number, number, number];
    const Hb = 4 * H;
    const acc = instr.accGi ? 1 : 0;
    return () => f(B, H >> 2, acc, 0, dh, Hb, s, 3 * Hb, gh, 3 * Hb, hp, Hb, dgi, 3 * Hb, dgh, 3 * Hb, dhp, Hb, Hb);
  }
}
