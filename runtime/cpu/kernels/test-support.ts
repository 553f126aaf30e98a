/**
 * Shared helpers for the kernel tests (not used by the kernels): deterministic random data,
 * buffers with poisoned padding, and a whole-buffer expectation that checks computed elements
 * against a float64 reference and every other element for being left untouched.
 */
import type { FloatArray } from './types.ts';

/** Constructor of either array type. */
export type FloatCtor = Float32ArrayConstructor | Float64ArrayConstructor;
/** The two array types every kernel is tested with. */
export const CTORS: readonly FloatCtor[] = [Float32Array, Float64Array];

/** Sizes that are not multiples of any blocking factor, plus 0. */
export const SIZES: readonly number[] = [0, 1, 3, 7, 17, 33, 65];

/** Written around outputs; a kernel that strays outside its range changes it. */
export const SENTINEL = -7777.25;

/** Mulberry32: a tiny seeded generator so failures reproduce. Returns floats in [0, 1). */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Uniform in [lo, hi). */
export const uniform = (r: () => number, lo = -1, hi = 1): number => lo + (hi - lo) * r();

/**
 * An input buffer: `n` random values at `off`, NaN everywhere else, so a kernel reading outside
 * its range poisons its results. Returns the buffer and the stored values read back as float64
 * (already rounded for Float32Array), which is what references must use.
 */
export function input(
  C: FloatCtor,
  n: number,
  off: number,
  gen: () => number,
  pad = 5,
): { buf: FloatArray; vals: number[] } {
  const buf = new C(off + n + pad).fill(NaN);
  for (let i = 0; i < n; i++) buf[off + i] = gen();
  return { buf, vals: Array.from(buf.subarray(off, off + n)) };
}

/** An input buffer holding exactly `values` at `off` (NaN padding), with the values read back. */
export function inputOf(C: FloatCtor, values: readonly number[], off: number, pad = 5): { buf: FloatArray; vals: number[] } {
  let i = 0;
  return input(C, values.length, off, () => values[i++]!, pad);
}

/** An output buffer of `size` elements, all random (for accumulate) or all SENTINEL. */
export function output(C: FloatCtor, size: number, gen?: () => number): FloatArray {
  const buf = new C(size);
  for (let i = 0; i < size; i++) buf[i] = gen ? gen() : SENTINEL;
  return buf;
}

/** Absolute and relative tolerance for comparing against a float64 reference. */
export interface Tol {
  rtol: number;
  atol: number;
}

/**
 * Kernels compute in float64 and round once on store, so float32 results differ from a float64
 * reference by about one float32 rounding (6e-8 relative); float64 results only by summation
 * order.
 */
export const tolFor = (C: FloatCtor): Tol => (C === Float32Array ? { rtol: 2e-6, atol: 1e-10 } : { rtol: 1e-12, atol: 1e-12 });

/**
 * What a whole output buffer should hold after a kernel call: elements given by `set`/`add`
 * are compared with tolerance, all others must be bit-identical to the buffer before the call.
 * Each written element also tracks a magnitude (Σ|terms|, starting from |old value|) so sums
 * with cancellation are judged against the size of what was summed, the standard bound for
 * floating-point summation.
 */
export class Expected {
  private readonly values: Float64Array;
  private readonly scale: Float64Array;
  private readonly written: Uint8Array;
  private readonly before: FloatArray;

  constructor(before: FloatArray) {
    this.before = before.slice();
    this.values = Float64Array.from(before);
    this.scale = Float64Array.from(before, Math.abs);
    this.written = new Uint8Array(before.length);
  }

  /** The expected value so far (the old value until `set` or `add`). */
  value(i: number): number {
    return this.values[i]!;
  }

  /** Expects `v` at `i`; `mag` is the magnitude of the terms that formed it (default |v|). */
  set(i: number, v: number, mag = Math.abs(v)): void {
    this.values[i] = v;
    this.scale[i] = mag;
    this.written[i] = 1;
  }

  /** Adds `v` to the expected value (starting from the old value or an earlier `set`). */
  add(i: number, v: number, mag = Math.abs(v)): void {
    this.values[i] = this.values[i]! + v;
    this.scale[i] = this.scale[i]! + mag;
    this.written[i] = 1;
  }

  /** Throws naming the first bad element; one throw instead of an expect per element keeps tests fast. */
  check(actual: FloatArray, tol: Tol, what = 'output'): void {
    if (actual.length !== this.values.length) throw new Error(`${what}: length ${actual.length} ≠ ${this.values.length}`);
    for (let i = 0; i < actual.length; i++) {
      const a = actual[i]!;
      if (this.written[i]) {
        const e = this.values[i]!;
        const bound = tol.atol + tol.rtol * Math.max(Math.abs(e), this.scale[i]!);
        const ok = Object.is(a, e) || Math.abs(a - e) <= bound;
        if (!ok) throw new Error(`${what}[${i}] = ${a}, expected ${e} (diff ${Math.abs(a - e)}, bound ${bound})`);
      } else if (!Object.is(a, this.before[i]!)) {
        throw new Error(`${what}[${i}] outside the kernel's range changed from ${this.before[i]} to ${a}`);
      }
    }
  }
}

/** Central finite difference of a scalar function of one coordinate, in float64. */
export function centralDiff(f: (v: number) => number, v: number, h = 1e-5): number {
  return (f(v + h) - f(v - h)) / (2 * h);
}

/**
 * Relative gradient error, floored so that near-zero gradients are judged on an absolute scale
 * (1e-3 of a unit) instead of demanding agreement in digits that do not exist.
 */
export const gradError = (analytic: number, numeric: number): number =>
  Math.abs(analytic - numeric) / Math.max(Math.abs(analytic), Math.abs(numeric), 1e-3);
