/**
 * Shared pieces of the row-wise kernels (softmax, cross-entropy, argmax) and the probes: one
 * workgroup per row, a workgroup tree reduction, the row grid, and WGSL constants that cannot be
 * written as literals (a constant expression that evaluates to NaN or ±Inf is a shader-creation
 * error in WGSL, so they are made from a variable's bits at run time).
 */
import { WG } from './kernel.ts';

/**
 * Threads of a row's workgroup: 64 for rows that fit (narrow rows such as a handful of classes
 * leave fewer threads idle), else WG. Both powers of two, as the tree reduction needs.
 */
export function rowThreads(n: number): number {
  return n <= 64 ? 64 : WG;
}

/**
 * One workgroup per row, spilling into y beyond the 65535 per-dimension limit (`ROW` undoes it);
 * x is balanced over the y rows so that few workgroups are spare (each spare one still starts and
 * returns). 0 rows skip the dispatch.
 */
export function rowGrid(rows: number): [number, number, number] {
  if (rows <= 0) return [0, 1, 1];
  const y = Math.ceil(rows / 65535);
  return [Math.ceil(rows / y), y, 1];
}

/** Entry-point parameters of a row kernel. */
export const ROW_ARGS = '@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nw: vec3<u32>, @builtin(local_invocation_index) lid: u32';
/** The row of the invocation's workgroup (uniform across the workgroup, so an early return keeps barriers legal). */
export const ROW = 'wid.x + wid.y * nw.x';

/**
 * WGSL helpers for non-finite values. WGSL lets an implementation assume there are no NaNs or
 * infinities (SwiftShader's `exp(NaN)` is not NaN, and `x != x` may fold to false), so kernels
 * that must match the CPU on them test the bits: `is_nan`, `is_pinf`, `is_ninf`, and write
 * `nan_f()` themselves. `exp_shift(v, m)` is `exp(v − m)` with −Inf (the only non-finite `v` a
 * valid softmax row keeps) giving 0 explicitly.
 */
export const SPECIALS = /* wgsl */ `
fn nan_f() -> f32 { var b = 0x7fc00000u; return bitcast<f32>(b); }
fn inf_f() -> f32 { var b = 0x7f800000u; return bitcast<f32>(b); }
fn is_pinf(x: f32) -> bool { return bitcast<u32>(x) == 0x7f800000u; }
fn is_ninf(x: f32) -> bool { return bitcast<u32>(x) == 0xff800000u; }
fn exp_shift(v: f32, m: f32) -> f32 { return select(0.0, exp(v - m), is_finite(v)); }
`;

/**
 * WGSL `log1p_s(z)` for z ≥ 0 (WGSL has no log1p): the series below 0.1 (truncation error under
 * z⁹/9), where `log(1 + z)` would round away most of a small z; `log(1 + z)` above.
 */
export const LOG1P = /* wgsl */ `
fn log1p_s(z: f32) -> f32 {
  if (z < 0.1) {
    return z * (1.0 - z * (1.0 / 2.0 - z * (1.0 / 3.0 - z * (1.0 / 4.0 - z * (1.0 / 5.0 - z * (1.0 / 6.0 - z * (1.0 / 7.0 - z * (1.0 / 8.0))))))));
  }
  return log(1.0 + z);
}`;

/**
 * WGSL for `fn name(lid, v) -> type`: combines every invocation's `v` of a `threads`-wide
 * workgroup with `combine(a, b)` (an expression in `a`, `b`) and returns the result to all. It
 * holds barriers, so every invocation must call it (uniform control flow); it leaves its
 * workgroup array free for the next call.
 */
export function wgReduce(name: string, type: 'f32' | 'u32', threads: number, combine: string): string {
  return /* wgsl */ `
var<workgroup> ${name}_sh: array<${type}, ${threads}>;
fn ${name}(lid: u32, v: ${type}) -> ${type} {
  ${name}_sh[lid] = v;
  workgroupBarrier();
  for (var s = ${threads / 2}u; s > 0u; s = s >> 1u) {
    if (lid < s) {
      let a = ${name}_sh[lid];
      let b = ${name}_sh[lid + s];
      ${name}_sh[lid] = ${combine};
    }
    workgroupBarrier();
  }
  let r = ${name}_sh[0];
  workgroupBarrier();
  return r;
}`;
}

/** `wg_sum` and `wg_max` over f32; the max ignores NaN like the CPU's `if (v > max)`. */
export function sumAndMax(threads: number): string {
  return wgReduce('wg_sum', 'f32', threads, 'a + b') + wgReduce('wg_max', 'f32', threads, 'select(a, b, b > a)');
}
