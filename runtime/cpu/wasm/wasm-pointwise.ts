/**
 * Closures running pointwise instructions on the WebAssembly SIMD kernels, for the layouts those
 * kernels take: planes of rows of contiguous elements (any row and plane strides, including 0 to
 * broadcast a bias or a query over time, or, accumulating, to sum rows into one), four floats at a
 * time, an input possibly one element per row (a row scale); the columns past the last whole
 * vector of a row go to the reference kernel. Each builder returns undefined for an instruction
 * it does not cover, and the program then runs the reference kernel on the same memory.
 */
import type { Instr } from '../../compile/instr.ts';
import * as K from '../kernels/index.ts';
import type { StridedSpec } from '../kernels/strided.ts';
import type { KernelExports } from './module.ts';

type Row = (rows: number, nv: number, acc: number, alpha: number, ...ptrs: number[]) => void;
type Closure = () => void;

/**
 * A strided space as planes of rows (the last axis the row, the one before it the rows, any
 * outer axes flattened into a list of planes), or undefined when the last axis is not contiguous
 * (stride 1) or broadcast (stride 0, one element per row) for every operand.
 */
interface Planes {
  /** Element offset of each plane, per operand. */
  readonly planes: readonly (readonly number[])[];
  readonly rows: number;
  /** Element stride between rows, per operand. */
  readonly rowStrides: readonly number[];
  /** Elements per row. */
  readonly n: number;
  /** Per operand: the row is one element broadcast along it (stride 0 on the last axis). */
  readonly splat: readonly boolean[];
}

/** Outer-axis work below which a layout is left to the reference (a kernel call per plane of a vector or two is no faster). */
const MIN_PLANE_VECTORS = 4;

function asPlanes(spec: StridedSpec): Planes | undefined {
  const sh = spec.shape;
  const r = sh.length;
  if (r === 0) return undefined;
  if (spec.strides.some((s) => s[r - 1] !== 0 && s[r - 1] !== 1)) return undefined;
  const n = sh[r - 1]!;
  const rows = r >= 2 ? sh[r - 2]! : 1;
  const outer = sh.slice(0, Math.max(0, r - 2));
  const count = outer.reduce((a, b) => a * b, 1);
  if (count > 1 && rows * (n >> 2) < MIN_PLANE_VECTORS) return undefined;
  const planes = spec.strides.map(() => new Array<number>(count).fill(0));
  const idx = outer.map(() => 0);
  for (let p = 0; p < count; p++) {
    spec.strides.forEach((s, o) => (planes[o]![p] = idx.reduce((sum, i, d) => sum + i * s[d]!, 0)));
    for (let d = outer.length - 1; d >= 0 && ++idx[d]! === outer[d]!; d--) idx[d] = 0;
  }
  return { planes, rows, rowStrides: spec.strides.map((s) => (r >= 2 ? s[r - 2]! : 0)), n, splat: spec.strides.map((s) => s[r - 1] === 0) };
}

/** The columns past the last whole vector of every row, as a spec for the reference kernel. */
const tailSpec = (spec: StridedSpec, rest: number): StridedSpec => ({ shape: [...spec.shape.slice(0, -1), rest], strides: spec.strides });

export class WasmPointwise {
  constructor(
    private readonly x: KernelExports,
    private readonly f32: Float32Array,
  ) {}

  private fn(name: string): Row {
    return this.x[name] as Row;
  }

  /**
   * add, sub and mul over planes of rows of contiguous elements, either input possibly one element
   * per row (a row scale); the columns past the last whole vector of each row run on the reference.
   */
  binary(instr: Extract<Instr, { k: 'binary' }>, at: (r: { buf: number; off: number }) => number): Closure | undefined {
    if (instr.op === 'div') return undefined;
    const g = asPlanes(instr.spec);
    if (g === undefined || g.splat[0] || (g.splat[1] && g.splat[2])) return undefined;
    const nv = g.n >> 2;
    if (nv === 0) return undefined;
    const f = this.fn(`${instr.op}2${g.splat[1] ? '_sa' : g.splat[2] ? '_sb' : ''}`);
    const [o, a, b] = [at(instr.out), at(instr.a), at(instr.b)];
    const [so, sa, sb] = g.rowStrides.map((s) => 4 * s) as [number, number, number];
    const [po, pa, pb] = g.planes.map((ps, i) => ps.map((p) => 4 * (p + [o, a, b][i]!))) as [number[], number[], number[]];
    const { rows } = g;
    const count = po.length;
    const acc = instr.acc ? 1 : 0;
    const { alpha, op } = instr;
    const rest = g.n - 4 * nv;
    const tail = rest > 0 ? tailSpec(instr.spec, rest) : undefined;
    const [ta, tb] = [a + (g.splat[1] ? 0 : 4 * nv), b + (g.splat[2] ? 0 : 4 * nv)];
    const m = this.f32;
    return () => {
      for (let p = 0; p < count; p++) f(rows, nv, acc, alpha, pa[p]!, sa, pb[p]!, sb, po[p]!, so);
      if (tail !== undefined) K.binary(op, tail, m, ta, m, tb, m, o + 4 * nv, instr.acc, alpha);
    };
  }

  /**
   * Strided copies (slices, concatenations, broadcasts, and with `acc` the sums a broadcast's
   * gradient needs) over planes of rows of contiguous elements, the source possibly one element
   * per row; the columns past the last whole vector of each row run on the reference.
   */
  copy(instr: Extract<Instr, { k: 'copy' }>, at: (r: { buf: number; off: number }) => number): Closure | undefined {
    const g = asPlanes(instr.spec);
    if (g === undefined || g.splat[0]) return undefined;
    const nv = g.n >> 2;
    if (nv === 0) return undefined;
    const f = this.fn(g.splat[1] ? 'copy2_s' : 'copy2');
    const [o, x] = [at(instr.out), at(instr.src)];
    const [so, sx] = g.rowStrides.map((s) => 4 * s) as [number, number];
    const [po, px] = g.planes.map((ps, i) => ps.map((p) => 4 * (p + [o, x][i]!))) as [number[], number[]];
    const { rows } = g;
    const count = po.length;
    const acc = instr.acc ? 1 : 0;
    const { alpha } = instr;
    const rest = g.n - 4 * nv;
    const tail = rest > 0 ? tailSpec(instr.spec, rest) : undefined;
    const tx = x + (g.splat[1] ? 0 : 4 * nv);
    const m = this.f32;
    return () => {
      for (let p = 0; p < count; p++) f(rows, nv, acc, alpha, px[p]!, sx, po[p]!, so);
      if (tail !== undefined) K.stridedCopy(tail, m, tx, m, o + 4 * nv, instr.acc, alpha);
    };
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

  /**
   * The fused LSTM backward. Its kernel takes one `acc` for both outputs; where only one of them
   * accumulates, the other is zeroed first and both accumulate (when it overlaps no input).
   */
  lstmBackward(instr: Extract<Instr, { k: 'lstmBwd' }>, at: (r: { buf: number; off: number }) => number): Closure | undefined {
    const { B, H } = instr;
    if (H % 4 !== 0 || instr.dPre === undefined || instr.dCPrev === undefined) return undefined;
    const f = this.fn('lstm_bwd');
    const [d, g, tc, c, dp, dc] = [at(instr.dhc), at(instr.gates), at(instr.tanhC), at(instr.cPrev), at(instr.dPre), at(instr.dCPrev)];
    const Hb = 4 * H;
    let zero: [number, number] | undefined;
    if (instr.accPre !== instr.accC) {
      zero = instr.accPre ? [dc, dc + B * H] : [dp, dp + 4 * B * H];
      const inputs: [number, number][] = [[d, d + 2 * B * H], [g, g + 4 * B * H], [tc, tc + B * H], [c, c + B * H]];
      if (inputs.some(([s, e]) => s < zero![1] && zero![0] < e)) return undefined;
    }
    const acc = instr.accPre || instr.accC ? 1 : 0;
    const m = this.f32;
    return () => {
      if (zero !== undefined) m.fill(0, zero[0], zero[1]);
      f(B, H >> 2, acc, 0, 4 * d, 2 * Hb, 4 * g, 4 * Hb, 4 * tc, Hb, 4 * c, Hb, 4 * dp, 4 * Hb, 4 * dc, Hb, Hb);
    };
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
