/**
 * A minimal WebAssembly binary writer: just what Unroll's generated kernels need (i32 and v128
 * locals, structured loops, loads and stores, SIMD arithmetic, one imported memory). Kernels are
 * emitted as bytes at run time from TypeScript, so the repository holds no opaque binaries and no
 * C or Rust toolchain is needed to build it.
 */

/** Value types. */
export const I32 = 0x7f;
export const F32 = 0x7d;
export const V128 = 0x7b;
export type ValType = typeof I32 | typeof F32 | typeof V128;

/** Opcodes used by the kernels (core and the 0xfd SIMD prefix). */
export const OP = {
  block: 0x02,
  loop: 0x03,
  if: 0x04,
  else: 0x05,
  end: 0x0b,
  br: 0x0c,
  brIf: 0x0d,
  localGet: 0x20,
  localSet: 0x21,
  localTee: 0x22,
  f32Load: 0x2a,
  f32Store: 0x38,
  i32Const: 0x41,
  f32Const: 0x43,
  i32Eqz: 0x45,
  i32LtS: 0x48,
  i32GeS: 0x4e,
  i32Add: 0x6a,
  i32Sub: 0x6b,
  i32Mul: 0x6c,
  f32Add: 0x92,
  f32Sub: 0x93,
  f32Mul: 0x94,
} as const;

/** SIMD opcodes (after the 0xfd prefix). */
export const SIMD = {
  load: 0x00,
  load32Splat: 0x09,
  store: 0x0b,
  f32x4Splat: 0x13,
  f32x4Add: 0xe4,
  f32x4Sub: 0xe5,
  f32x4Mul: 0xe6,
  f32x4ExtractLane: 0x1f,
} as const;

/** Unsigned LEB128. */
export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

/** Signed LEB128 (32-bit). */
export function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const str = (s: string): number[] => vec([...s].map((c) => [c.charCodeAt(0)]));

/**
 * The body of one function. Parameters are locals `0 … params−1`; `local(type)` adds more.
 * Methods append instructions and return `this` so emitters read top to bottom.
 */
export class Code {
  readonly bytes: number[] = [];
  private readonly extra: ValType[] = [];

  constructor(private readonly nParams: number) {}

  private readonly named = new Map<string, number>();

  /** A v128 local known by `name`, made on first use (scratch values of an emitted body). */
  localCached(name: string): number {
    let l = this.named.get(name);
    if (l === undefined) {
      l = this.local(V128);
      this.named.set(name, l);
    }
    return l;
  }

  /** A new local of `type`; returns its index. */
  local(type: ValType): number {
    this.extra.push(type);
    return this.nParams + this.extra.length - 1;
  }

  op(...b: number[]): this {
    this.bytes.push(...b);
    return this;
  }

  simd(op: number, ...imm: number[]): this {
    return this.op(0xfd, ...uleb(op), ...imm);
  }

  get(l: number): this {
    return this.op(OP.localGet, ...uleb(l));
  }

  set(l: number): this {
    return this.op(OP.localSet, ...uleb(l));
  }

  i32(v: number): this {
    return this.op(OP.i32Const, ...sleb(v | 0));
  }

  /** `l += v` for i32 locals (v a local index). */
  addTo(l: number, v: number): this {
    return this.get(l).get(v).op(OP.i32Add).set(l);
  }

  /** `l += c` for an i32 local and a constant. */
  addConst(l: number, c: number): this {
    return this.get(l).i32(c).op(OP.i32Add).set(l);
  }

  /** v128 load from the address on the stack plus `offset` bytes. */
  v128Load(offset = 0): this {
    return this.simd(SIMD.load, 4, ...uleb(offset));
  }

  v128Store(offset = 0): this {
    return this.simd(SIMD.store, 4, ...uleb(offset));
  }

  f32Load(offset = 0): this {
    return this.op(OP.f32Load, 2, ...uleb(offset));
  }

  f32Store(offset = 0): this {
    return this.op(OP.f32Store, 2, ...uleb(offset));
  }

  /**
   * `for (counter = 0; counter < limit; counter++) body()` (limit an i32 local); the body runs
   * zero times when `limit ≤ 0`. The body must not branch out of the loop.
   */
  repeat(counter: number, limit: number, body: () => void): this {
    this.i32(0).set(counter);
    this.op(OP.block, 0x40).get(counter).get(limit).op(OP.i32GeS, OP.brIf, 0);
    this.op(OP.loop, 0x40);
    body();
    this.get(counter).i32(1).op(OP.i32Add).tee(counter).get(limit).op(OP.i32LtS, OP.brIf, 0);
    return this.op(OP.end, OP.end);
  }

  tee(l: number): this {
    return this.op(OP.localTee, ...uleb(l));
  }

  /** `if (cond on stack) then() else otherwise()`. */
  ifElse(then: () => void, otherwise?: () => void): this {
    this.op(OP.if, 0x40);
    then();
    if (otherwise !== undefined) {
      this.op(OP.else);
      otherwise();
    }
    return this.op(OP.end);
  }

  /** The encoded function body (locals declaration, code, end). */
  encode(): number[] {
    const groups: number[][] = [];
    for (let i = 0; i < this.extra.length; ) {
      let j = i;
      while (j < this.extra.length && this.extra[j] === this.extra[i]) j++;
      groups.push([...uleb(j - i), this.extra[i]!]);
      i = j;
    }
    const body = [...vec(groups), ...this.bytes, OP.end];
    return [...uleb(body.length), ...body];
  }
}

/** One exported function: its name, parameter types (no results) and body. */
export interface FnDef {
  readonly name: string;
  readonly params: readonly ValType[];
  readonly code: Code;
}

/** A module importing `env.memory` (any size) and exporting `fns`, none of which returns a value. */
export function moduleBytes(fns: readonly FnDef[]): Uint8Array<ArrayBuffer> {
  const section = (id: number, items: number[][]): number[] => {
    const content = vec(items);
    return [id, ...uleb(content.length), ...content];
  };
  const types = fns.map((f) => [0x60, ...vec(f.params.map((t) => [t])), 0]);
  const imports = [[...str('env'), ...str('memory'), 0x02, 0x00, ...uleb(1)]];
  const funcs = fns.map((_, i) => uleb(i));
  const exports = fns.map((f, i) => [...str(f.name), 0x00, ...uleb(i)]);
  const codes = fns.map((f) => f.code.encode());
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, types),
    ...section(2, imports),
    ...section(3, funcs),
    ...section(7, exports),
    ...section(10, codes),
  ]);
}
