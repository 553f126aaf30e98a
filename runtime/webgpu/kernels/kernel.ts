/**
 * What a WebGPU kernel is: a WGSL compute shader for one kind of plan instruction, specialised on
 * what stays fixed for the instruction (shapes, flags, the operation) so that one pipeline serves
 * every time step, and a record of small integers (element offsets, sizes) read from a uniform.
 *
 * Every kernel sees the program's whole memory as one `array<f32>` (WebGPU forbids two writable
 * bindings of one buffer in a dispatch, and every plan buffer lives in one), and its record at a
 * dynamic offset: `u(i)` reads the i-th integer, `pf(i)` the i-th float. `sigm` and `tanh_s` are
 * the stable forms (no overflow for any |x|; WGSL's `tanh` may return NaN for large |x|), and they
 * pass NaN through: WGSL lets an implementation assume there is none (SwiftShader's `exp(NaN)` is
 * Infinity), and a NaN turned finite would hide a diverged run.
 */
import type { Instr, Ref } from '../../compile/instr.ts';

/** Integers per instruction record (one 256-byte uniform slot). */
export const RECORD_WORDS = 64;
export const RECORD_BYTES = RECORD_WORDS * 4;

/** Threads per workgroup of the one-dimensional kernels (the WebGPU default limit is 256). */
export const WG = 256;

/** Declarations every kernel's source starts with. */
export const PRELUDE = /* wgsl */ `
@group(0) @binding(0) var<storage, read_write> mem: array<f32>;
struct Params { v: array<vec4<u32>, ${RECORD_WORDS / 4}> };
@group(0) @binding(1) var<uniform> P: Params;
fn u(i: u32) -> u32 { return P.v[i / 4u][i % 4u]; }
fn pf(i: u32) -> f32 { return bitcast<f32>(u(i)); }
fn flat(g: vec3<u32>, n: vec3<u32>) -> u32 { return g.x + g.y * n.x * ${WG}u; }
fn is_nan(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }
fn sigm(x: f32) -> f32 { if (is_nan(x)) { return x; } if (x >= 0.0) { return 1.0 / (1.0 + exp(-x)); } let e = exp(x); return e / (1.0 + e); }
fn tanh_s(x: f32) -> f32 { if (is_nan(x)) { return x; } let e = exp(-2.0 * abs(x)); let t = (1.0 - e) / (1.0 + e); return select(-t, t, x >= 0.0); }
fn is_finite(x: f32) -> bool { return (bitcast<u32>(x) & 0x7f800000u) != 0x7f800000u; }
`;

/** Where things sit in the program's memory, for building records. */
export interface KernelCtx {
  /** Element offset of a reference. */
  at(r: Ref): number;
  /** Element offset of probe slot `slot` (two floats per slot). */
  probe(slot: number): number;
}

export interface GpuKernel<I extends Instr> {
  /** Everything the shader is specialised on (not offsets): the pipeline cache key within the kind. */
  key(instr: I): string;
  /** The shader after the prelude: an entry point `main` with its `@workgroup_size`. */
  wgsl(instr: I): string;
  /** The record: at most RECORD_WORDS integers (floats as `f32bits`). */
  record(instr: I, ctx: KernelCtx): readonly number[];
  /** Workgroups to dispatch; any 0 skips the dispatch. */
  workgroups(instr: I): readonly [number, number, number];
}

export type KernelTable = { readonly [K in Instr['k']]: GpuKernel<Extract<Instr, { k: K }>> };

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
/** A float's bits, for a record. */
export function f32bits(x: number): number {
  f32[0] = x;
  return u32[0]!;
}

/** Workgroups for `n` threads of WG each, spilling into y beyond the 65535 per-dimension limit (`flat` undoes it). */
export function grid(n: number): [number, number, number] {
  const groups = Math.ceil(n / WG);
  if (groups <= 65535) return [groups, 1, 1];
  return [65535, Math.ceil(groups / 65535), 1];
}
