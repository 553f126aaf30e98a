/**
 * Pointwise WebAssembly SIMD kernels: strided add/sub/mul and scaled copies over rows of
 * contiguous elements (or of one element broadcast along the row), tanh and sigmoid with their gradients, and the fused LSTM and GRU cell
 * forwards. They work four floats at a time over rows of `nv` vectors (the caller handles
 * lengths that are not a multiple of four), with exp and tanh from polynomial approximations
 * accurate to a few float32 ulps (checked against the reference kernels in the tests).
 */
import { Code, F32, I32, OP, SIMD, V128, type FnDef, type ValType } from './assembler.ts';

const S = {
  splat: 0x13,
  abs: 0xe0,
  neg: 0xe1,
  add: 0xe4,
  sub: 0xe5,
  mul: 0xe6,
  div: 0xe7,
  min: 0xe8,
  max: 0xe9,
  nearest: 0x6a,
  truncSat: 0xf8,
  i32Add: 0xae,
  i32Shl: 0xab,
  const: 0x0c,
} as const;

const f32Bytes = (c: number): number[] => [...new Uint8Array(new Float32Array([c]).buffer)];

/** Vector arithmetic on a {@link Code}, operands on the stack; the functions needing temporaries take locals. */
class VecMath {
  private readonly t1: number;
  private readonly t2: number;
  private readonly t3: number;

  constructor(readonly code: Code) {
    this.t1 = code.local(V128);
    this.t2 = code.local(V128);
    this.t3 = code.local(V128);
  }

  k(c: number): this {
    this.code.simd(S.const, ...f32Bytes(c), ...f32Bytes(c), ...f32Bytes(c), ...f32Bytes(c));
    return this;
  }

  op(o: number): this {
    this.code.simd(o);
    return this;
  }

  /** e^x of the vector on the stack (Cephes expf: range reduction by ln 2, degree-6 polynomial, exponent bits). */
  exp(): this {
    const c = this.code;
    const [x, n, r] = [this.t1, this.t2, this.t3];
    this.k(88).op(S.min).k(-87).op(S.max);
    c.tee(x);
    this.k(1.4426950408889634).op(S.mul).op(S.nearest);
    c.set(n);
    // r = x − n·C1 − n·C2 (ln 2 split in two for an exact first product)
    c.get(x).get(n);
    this.k(0.693359375).op(S.mul).op(S.sub);
    c.get(n);
    this.k(-2.12194440e-4).op(S.mul).op(S.sub);
    c.set(r);
    // p = ((((c5·r + c4)·r + c3)·r + c2)·r + c1)·r + c0, then p·r² + r + 1
    this.k(1.9875691500e-4);
    for (const k of [1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1, 5.0000001201e-1]) {
      c.get(r);
      this.op(S.mul).k(k).op(S.add);
    }
    c.get(r).get(r);
    this.op(S.mul).op(S.mul);
    c.get(r);
    this.op(S.add).k(1).op(S.add);
    // × 2^n: (n + 127) << 23 as float bits
    c.get(n);
    this.op(S.truncSat);
    c.simd(S.const, ...[127, 127, 127, 127].flatMap((v) => [v, 0, 0, 0]));
    this.op(S.i32Add);
    c.i32(23);
    this.op(S.i32Shl).op(S.mul);
    return this;
  }

  /** σ(x) = 1/(1 + e^−x) of the vector on the stack. */
  sigmoid(): this {
    this.op(S.neg).exp();
    this.code.set(this.t1);
    this.k(1);
    this.k(1);
    this.code.get(this.t1);
    return this.op(S.add).op(S.div);
  }

  /** tanh(x) of the vector on the stack: a [13/6] rational approximation on x clamped to ±7.905 (Eigen's). */
  tanh(): this {
    const c = this.code;
    const [x, x2, p] = [this.t1, this.t2, this.t3];
    this.k(7.90531110763549805).op(S.min).k(-7.90531110763549805).op(S.max);
    c.tee(x).get(x);
    this.op(S.mul);
    c.set(x2);
    this.k(-2.76076847742355e-16);
    for (const k of [2.00018790482477e-13, -8.60467152213735e-11, 5.12229709037114e-8, 1.48572235717979e-5, 6.37261928875436e-4, 4.89352455891786e-3]) {
      c.get(x2);
      this.op(S.mul).k(k).op(S.add);
    }
    c.get(x);
    this.op(S.mul);
    c.set(p);
    this.k(1.19825839466702e-6);
    for (const k of [1.185347056866540e-4, 2.26843463243900e-3, 4.89352518554385e-3]) {
      c.get(x2);
      this.op(S.mul).k(k).op(S.add);
    }
    c.set(x2);
    c.get(p).get(x2);
    return this.op(S.div);
  }
}

/**
 * A kernel over `rows` rows of `nv` four-float vectors. Parameters: `rows, nv, acc, alpha`, then
 * a (byte address, byte row stride) pair per stream, then `extra`. `body` emits the work of one
 * vector given each stream's cursor (a local holding the current address) and is emitted twice,
 * for `acc` = 0 and 1. A stream marked in `fixed` stays put along a row (one float per row, which
 * the body broadcasts with {@link loadSplat}); the others advance a vector at a time.
 */
function rowKernel(
  name: string,
  streams: number,
  extra: readonly ValType[],
  body: (c: Code, v: VecMath, cur: readonly number[], acc: boolean, extra: (i: number) => number) => void,
  accumulates = true,
  fixed: readonly boolean[] = [],
): FnDef {
  const params: ValType[] = [I32, I32, I32, F32];
  for (let s = 0; s < streams; s++) params.push(I32, I32);
  params.push(...extra);
  const code = new Code(params.length);
  const [rows, nv, accP] = [0, 1, 2];
  const ptr = (s: number): number => 4 + 2 * s;
  const stride = (s: number): number => 5 + 2 * s;
  const ex = (i: number): number => 4 + 2 * streams + i;
  const r = code.local(I32);
  const j = code.local(I32);
  const cur = Array.from({ length: streams }, () => code.local(I32));
  const v = new VecMath(code);
  const loops = (acc: boolean): void => {
    code.repeat(r, rows, () => {
      for (let s = 0; s < streams; s++) code.get(ptr(s)).set(cur[s]!);
      code.repeat(j, nv, () => {
        body(code, v, cur, acc, ex);
        cur.forEach((c, s) => {
          if (fixed[s] !== true) code.addConst(c, 16);
        });
      });
      for (let s = 0; s < streams; s++) code.addTo(ptr(s), stride(s));
    });
  };
  if (accumulates)
    code.get(accP).ifElse(
      () => loops(true),
      () => loops(false),
    );
  else loops(false);
  return { name, params, code };
}

/** Pushes alpha (param 3) splatted. */
const alphaVec = (c: Code): Code => c.get(3).simd(S.splat);

/** Pushes the vector at the address in local `p`: four floats, or with `splat` the one float there broadcast. */
const loadVec = (c: Code, p: number, splat: boolean): Code => (splat ? c.get(p).simd(SIMD.load32Splat, 2, 0) : c.get(p).v128Load());

/**
 * out (+)= alpha·f(a, b), streams a, b, out; `splat` names an operand that is one float per row
 * (broadcast along the row: a row scale or a per-row offset).
 */
function binaryKernel(name: string, f: number, splat?: 'a' | 'b'): FnDef {
  return rowKernel(
    name,
    3,
    [],
    (c, v, [a, b, o], acc) => {
      c.get(o!);
      loadVec(c, a!, splat === 'a');
      loadVec(c, b!, splat === 'b');
      v.op(f);
      alphaVec(c);
      v.op(S.mul);
      storeAcc(c, v, o!, acc);
    },
    true,
    [splat === 'a', splat === 'b', false],
  );
}

/** out (+)= alpha·x (copy, scale, neg), streams x, out; with `splat`, x is one float per row broadcast along it. */
function copyKernel(splat = false): FnDef {
  return rowKernel(
    splat ? 'copy2_s' : 'copy2',
    2,
    [],
    (c, v, [x, o], acc) => {
      c.get(o!);
      loadVec(c, x!, splat);
      alphaVec(c);
      v.op(S.mul);
      storeAcc(c, v, o!, acc);
    },
    true,
    [splat, false],
  );
}

/** out (+)= f(x) for tanh and sigmoid, streams x, out. */
function activationKernel(name: string, f: (v: VecMath) => void): FnDef {
  return rowKernel(name, 2, [], (c, v, [x, o], acc) => {
    c.get(o!).get(x!).v128Load();
    f(v);
    storeAcc(c, v, o!, acc);
  });
}

/** dx (+)= dy·(1 − y²) (tanh) or dy·y·(1 − y) (sigmoid); streams dy, y, dx. */
function activationGradKernel(name: string, tanh: boolean): FnDef {
  return rowKernel(name, 3, [], (c, v, [dy, y, dx], acc) => {
    c.get(dx!).get(dy!).v128Load();
    if (tanh) {
      v.k(1);
      c.get(y!).v128Load().get(y!).v128Load();
      v.op(S.mul).op(S.sub);
    } else {
      c.get(y!).v128Load();
      v.op(S.mul).k(1);
      c.get(y!).v128Load();
      v.op(S.sub);
    }
    v.op(S.mul);
    storeAcc(c, v, dx!, acc);
  });
}

/**
 * LSTM cell forward (see `lstmCellForward`): streams pre `[B, 4H]`, cPrev, hc `[B, 2H]`, gates
 * `[B, 4H]`, tanhC `[B, H]`; extra param: H in bytes (the distance between gate blocks).
 */
function lstmForwardKernel(): FnDef {
  return rowKernel('lstm_fwd', 5, [I32], (c, v, [pre, cp, hc, g, tc], _acc, ex) => {
    const Hb = ex(0);
    const code = c;
    const at = (p: number, blocks: number): Code => {
      code.get(p!);
      for (let b = 0; b < blocks; b++) code.get(Hb).op(OP.i32Add);
      return code;
    };
    const [ig, fg, gg, og, cc] = [code.localCached('ig'), code.localCached('fg'), code.localCached('gg'), code.localCached('og'), code.localCached('cc')];
    at(pre!, 0).v128Load();
    v.sigmoid();
    code.set(ig);
    at(pre!, 1).v128Load();
    v.sigmoid();
    code.set(fg);
    at(pre!, 2).v128Load();
    v.tanh();
    code.set(gg);
    at(pre!, 3).v128Load();
    v.sigmoid();
    code.set(og);
    // c = f·c_prev + i·g
    code.get(fg).get(cp!).v128Load();
    v.op(S.mul);
    code.get(ig).get(gg);
    v.op(S.mul).op(S.add);
    code.set(cc);
    at(g!, 0).get(ig).v128Store();
    at(g!, 1).get(fg).v128Store();
    at(g!, 2).get(gg).v128Store();
    at(g!, 3).get(og).v128Store();
    // c into the second half of hc, tanh(c) saved, h = o·tanh(c) into the first half
    at(hc!, 1).get(cc).v128Store();
    code.get(tc!).get(cc);
    v.tanh();
    code.tee(gg).v128Store();
    code.get(hc!).get(og).get(gg);
    v.op(S.mul);
    code.v128Store();
  }, false);
}

/**
 * GRU cell forward (see `gruCellForward`): streams gi `[B, 3H]`, gh `[B, 3H]`, hPrev `[B, H]`,
 * h `[B, H]`, saved `[B, 3H]`; extra param: H in bytes.
 */
function gruForwardKernel(): FnDef {
  return rowKernel('gru_fwd', 5, [I32], (c, v, [gi, gh, hp, h, s], _acc, ex) => {
    const Hb = ex(0);
    const at = (p: number, blocks: number): Code => {
      c.get(p!);
      for (let b = 0; b < blocks; b++) c.get(Hb).op(OP.i32Add);
      return c;
    };
    const [r, z, n] = [c.localCached('r'), c.localCached('z'), c.localCached('n')];
    at(gi!, 0).v128Load();
    at(gh!, 0).v128Load();
    v.op(S.add).sigmoid();
    c.set(r);
    at(gi!, 1).v128Load();
    at(gh!, 1).v128Load();
    v.op(S.add).sigmoid();
    c.set(z);
    at(gi!, 2).v128Load();
    c.get(r);
    at(gh!, 2).v128Load();
    v.op(S.mul).op(S.add).tanh();
    c.set(n);
    at(s!, 0).get(r).v128Store();
    at(s!, 1).get(z).v128Store();
    at(s!, 2).get(n).v128Store();
    // h = n + z·(h_prev − n)  (= (1 − z)·n + z·h_prev)
    c.get(h!).get(n).get(z).get(hp!).v128Load().get(n);
    v.op(S.sub).op(S.mul).op(S.add);
    c.v128Store();
  }, false);
}

/**
 * With the address of stream `o` and a value on the stack: adds what `o` holds there when `acc`,
 * then stores. The common tail of the streaming kernels.
 */
function storeAcc(c: Code, v: VecMath, o: number, acc: boolean): void {
  if (acc) {
    c.get(o).v128Load();
    v.op(S.add);
  }
  c.v128Store();
}

/** Stores the vector in local `val` at the address `addr()` pushes, adding what is there when `acc`. */
function put(c: Code, v: VecMath, addr: () => void, val: number, acc: boolean): void {
  addr();
  c.get(val);
  if (acc) {
    addr();
    c.v128Load();
    v.op(S.add);
  }
  c.v128Store();
}

/** Pushes `p + blocks·Hb`. */
function block(c: Code, p: number, Hb: number, blocks: number): void {
  c.get(p);
  for (let b = 0; b < blocks; b++) c.get(Hb).op(OP.i32Add);
}

/**
 * LSTM cell backward (see `lstmCellBackward`, with one `acc` for both outputs): streams dhc
 * `[B, 2H]`, gates `[B, 4H]`, tanhC, cPrev `[B, H]`, dPre `[B, 4H]`, dCPrev `[B, H]`; extra: H in bytes.
 */
function lstmBackwardKernel(): FnDef {
  return rowKernel('lstm_bwd', 6, [I32], (c, v, [dhc, g, tc, cp, dp, dcp], acc, ex) => {
    const Hb = ex(0);
    const L = (n: string): number => c.localCached(n);
    const [dh, dct, ig, fg, gg, og, t, out] = [L('dh'), L('dct'), L('ig'), L('fg'), L('gg'), L('og'), L('t'), L('out')];
    c.get(dhc!).v128Load().set(dh);
    block(c, g!, Hb, 0);
    c.v128Load().set(ig);
    block(c, g!, Hb, 1);
    c.v128Load().set(fg);
    block(c, g!, Hb, 2);
    c.v128Load().set(gg);
    block(c, g!, Hb, 3);
    c.v128Load().set(og);
    c.get(tc!).v128Load().set(t);
    // dct = dc + dh·o·(1 − t²)
    block(c, dhc!, Hb, 1);
    c.v128Load().get(dh).get(og);
    v.op(S.mul).k(1);
    c.get(t).get(t);
    v.op(S.mul).op(S.sub).op(S.mul).op(S.add);
    c.set(dct);
    // di = dct·g·i(1 − i)
    c.get(dct).get(gg);
    v.op(S.mul);
    c.get(ig);
    v.op(S.mul).k(1);
    c.get(ig);
    v.op(S.sub).op(S.mul);
    c.set(out);
    put(c, v, () => block(c, dp!, Hb, 0), out, acc);
    // df = dct·c_prev·f(1 − f)
    c.get(dct).get(cp!).v128Load();
    v.op(S.mul);
    c.get(fg);
    v.op(S.mul).k(1);
    c.get(fg);
    v.op(S.sub).op(S.mul);
    c.set(out);
    put(c, v, () => block(c, dp!, Hb, 1), out, acc);
    // dg = dct·i·(1 − g²)
    c.get(dct).get(ig);
    v.op(S.mul).k(1);
    c.get(gg).get(gg);
    v.op(S.mul).op(S.sub).op(S.mul);
    c.set(out);
    put(c, v, () => block(c, dp!, Hb, 2), out, acc);
    // do = dh·t·o(1 − o)
    c.get(dh).get(t);
    v.op(S.mul);
    c.get(og);
    v.op(S.mul).k(1);
    c.get(og);
    v.op(S.sub).op(S.mul);
    c.set(out);
    put(c, v, () => block(c, dp!, Hb, 3), out, acc);
    // dc_prev = dct·f
    c.get(dct).get(fg);
    v.op(S.mul);
    c.set(out);
    put(c, v, () => c.get(dcp!), out, acc);
  });
}

/**
 * GRU cell backward (see `gruCellBackward`, one `acc` for all outputs): streams dh `[B, H]`,
 * saved `[B, 3H]`, gh `[B, 3H]`, hPrev `[B, H]`, dGi, dGh `[B, 3H]`, dHPrev `[B, H]`; extra: H in bytes.
 */
function gruBackwardKernel(): FnDef {
  return rowKernel('gru_bwd', 7, [I32], (c, v, [dhP, s, gh, hp, dgi, dgh, dhp], acc, ex) => {
    const Hb = ex(0);
    const L = (n: string): number => c.localCached(n);
    const [dh, r, z, n, dan, out] = [L('dh'), L('r'), L('z'), L('n'), L('dan'), L('out')];
    c.get(dhP!).v128Load().set(dh);
    block(c, s!, Hb, 0);
    c.v128Load().set(r);
    block(c, s!, Hb, 1);
    c.v128Load().set(z);
    block(c, s!, Hb, 2);
    c.v128Load().set(n);
    // da_n = dh·(1 − z)·(1 − n²)
    c.get(dh);
    v.k(1);
    c.get(z);
    v.op(S.sub).op(S.mul).k(1);
    c.get(n).get(n);
    v.op(S.mul).op(S.sub).op(S.mul);
    c.set(dan);
    put(c, v, () => block(c, dgi!, Hb, 2), dan, acc);
    c.get(dan).get(r);
    v.op(S.mul);
    c.set(out);
    put(c, v, () => block(c, dgh!, Hb, 2), out, acc);
    // da_r = da_n·gh_n·r(1 − r)
    c.get(dan);
    block(c, gh!, Hb, 2);
    c.v128Load();
    v.op(S.mul);
    c.get(r);
    v.op(S.mul).k(1);
    c.get(r);
    v.op(S.sub).op(S.mul);
    c.set(out);
    put(c, v, () => block(c, dgi!, Hb, 0), out, acc);
    put(c, v, () => block(c, dgh!, Hb, 0), out, acc);
    // da_z = dh·(h_prev − n)·z(1 − z)
    c.get(dh).get(hp!).v128Load().get(n);
    v.op(S.sub).op(S.mul);
    c.get(z);
    v.op(S.mul).k(1);
    c.get(z);
    v.op(S.sub).op(S.mul);
    c.set(out);
    put(c, v, () => block(c, dgi!, Hb, 1), out, acc);
    put(c, v, () => block(c, dgh!, Hb, 1), out, acc);
    // dh_prev = dh·z (the direct path)
    c.get(dh).get(z);
    v.op(S.mul);
    c.set(out);
    put(c, v, () => c.get(dhp!), out, acc);
  });
}

/** Every pointwise kernel of the module. */
export function emitPointwise(): FnDef[] {
  return [
    ...(['add', 'sub', 'mul'] as const).flatMap((op) => [
      binaryKernel(`${op}2`, S[op]),
      binaryKernel(`${op}2_sa`, S[op], 'a'),
      binaryKernel(`${op}2_sb`, S[op], 'b'),
    ]),
    copyKernel(),
    copyKernel(true),
    activationKernel('tanh2', (v) => v.tanh()),
    activationKernel('sigmoid2', (v) => v.sigmoid()),
    activationGradKernel('tanh_grad2', true),
    activationGradKernel('sigmoid_grad2', false),
    lstmForwardKernel(),
    gruForwardKernel(),
    lstmBackwardKernel(),
    gruBackwardKernel(),
  ];
}
