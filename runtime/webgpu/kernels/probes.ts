/**
 * Diagnostic probes (as the CPU program's `probeSumSq`, `probeLstmC`, `probeGates` closures), run
 * only on backward passes with probes on. Each is one workgroup looping over its few elements.
 *
 * A probe slot is two floats at `ctx.probe(slot)`. A sum of squares is written as
 * `(scale, Σ(x/scale)²)` with `scale = max|x|`, and the host forms `scale²·Σ` in float64 (see
 * `GpuProgram.readProbes`): a vanishing gradient's norm (elements ~1e-26, squares ~1e-52) is far
 * below float32's range, but its scale and the scaled sum are not. All zeros write (0, 0); an
 * infinite element (Inf, 1) and a NaN (NaN, 1), so the host's product is Inf or NaN as on the CPU.
 */
import type { Instr } from '../../compile/instr.ts';
import type { GpuKernel } from './kernel.ts';
import { SPECIALS, sumAndMax, wgReduce } from './row-reduce.ts';

type ProbeSumSq = Extract<Instr, { k: 'probeSumSq' }>;
type ProbeLstmC = Extract<Instr, { k: 'probeLstmC' }>;
type ProbeGates = Extract<Instr, { k: 'probeGates' }>;

/** Threads of a probe's single workgroup. */
const T = 256;

/**
 * The scaled sum of squares of `val(i)` for `i` in `[0, n)`, written at `mem[u(out)]` and the next
 * element. `val` is WGSL defining `fn val(i: u32) -> f32`; it is evaluated twice per element (max,
 * then sum) rather than stored, since the workgroup cannot hold a whole tensor.
 */
function scaledSumSq(n: number, val: string, out: number): string {
  return /* wgsl */ `${SPECIALS}${sumAndMax(T)}
${val}
@compute @workgroup_size(${T}) fn main(@builtin(local_invocation_index) lid: u32) {
  var m = 0.0;
  var bad = 0.0;
  for (var i = lid; i < ${n}u; i += ${T}u) {
    let v = abs(val(i));
    if (is_nan(v)) { bad = 1.0; }
    m = select(m, v, v > m);
  }
  m = wg_max(lid, m);
  bad = wg_max(lid, bad);
  let d = select(1.0, m, m > 0.0 && is_finite(m));
  var s = 0.0;
  for (var i = lid; i < ${n}u; i += ${T}u) {
    let q = val(i) / d;
    s += q * q;
  }
  s = wg_sum(lid, s);
  if (lid == 0u) {
    var a = m;
    var b = s;
    if (!is_finite(m)) { b = 1.0; }
    if (bad > 0.0) { a = nan_f(); b = 1.0; }
    mem[u(${out})] = a;
    mem[u(${out}) + 1u] = b;
  }
}`;
}

/** Σx² over `n` elements, as (scale, scaled sum). Record: x, probe slot. */
export const probeSumSq: GpuKernel<ProbeSumSq> = {
  key: (i) => `${i.n}`,
  wgsl: (i) => scaledSumSq(Math.max(0, i.n), 'fn val(i: u32) -> f32 { return mem[u(0) + i]; }', 1),
  record: (i, c) => [c.at(i.x), c.probe(i.slot)],
  // Always one workgroup: an empty tensor still writes its (0, 0).
  workgroups: () => [1, 1, 1],
};

/**
 * Σ(∂L/∂c)² of a fused LSTM's cell state: per element the gradient from the next step
 * (`dhc[r, H + j]`) plus the path through this step's h (`dhc[r, j]·o·(1 − tanh²c)`). Record:
 * dhc, probe slot, gates, tanhC.
 */
export const probeLstmC: GpuKernel<ProbeLstmC> = {
  key: (i) => `${i.rows}x${i.H}`,
  wgsl: (i) => {
    const H = Math.max(1, i.H);
    const val = /* wgsl */ `
fn val(i: u32) -> f32 {
  let r = i / ${H}u;
  let j = i % ${H}u;
  let o = mem[u(2) + r * ${4 * H}u + ${3 * H}u + j];
  let t = mem[u(3) + r * ${H}u + j];
  let d = u(0) + r * ${2 * H}u;
  return mem[d + ${H}u + j] + mem[d + j] * o * (1.0 - t * t);
}`;
    return scaledSumSq(Math.max(0, i.rows) * Math.max(0, i.H), val, 1);
  },
  record: (i, c) => [c.at(i.dhc), c.probe(i.slot), c.at(i.gates), c.at(i.tanhC)],
  workgroups: () => [1, 1, 1],
};

/**
 * Per sigmoid gate g: the fractions of activations below 0.1 and above 0.9, written as the first
 * floats of slots `slot + 2g` and `slot + 2g + 1` (second floats 0), so every CPU slot keeps its
 * meaning. Counted in u32 (exact), divided once; a NaN counts as neither (tested by its bits).
 * Record: x, probe slot.
 */
export const probeGates: GpuKernel<ProbeGates> = {
  key: (i) => `${i.rows}x${i.width} ${i.ranges.map(([s, e]) => `${s}-${e}`).join(',')}`,
  wgsl: (i) => {
    const rows = Math.max(0, i.rows);
    const gates = i.ranges.map(([start, end], g) => {
      const w = Math.max(0, end - start);
      const count = rows * w;
      const at = `u(1) + ${4 * g}u`;
      if (count === 0) return `  if (lid == 0u) { mem[${at}] = 0.0; mem[${at} + 1u] = 0.0; mem[${at} + 2u] = 0.0; mem[${at} + 3u] = 0.0; }`;
      return /* wgsl */ `  {
    var lo = 0u;
    var hi = 0u;
    for (var k = lid; k < ${count}u; k += ${T}u) {
      let v = mem[u(0) + (k / ${w}u) * ${i.width}u + ${start}u + k % ${w}u];
      if (is_nan(v)) { continue; }
      if (v < 0.1) { lo += 1u; } else if (v > 0.9) { hi += 1u; }
    }
    lo = wg_usum(lid, lo);
    hi = wg_usum(lid, hi);
    if (lid == 0u) {
      mem[${at}] = f32(lo) / ${count}.0;
      mem[${at} + 1u] = 0.0;
      mem[${at} + 2u] = f32(hi) / ${count}.0;
      mem[${at} + 3u] = 0.0;
    }
  }`;
    });
    return /* wgsl */ `${SPECIALS}${wgReduce('wg_usum', 'u32', T, 'a + b')}
@compute @workgroup_size(${T}) fn main(@builtin(local_invocation_index) lid: u32) {
${gates.join('\n')}
}`;
  },
  record: (i, c) => [c.at(i.x), c.probe(i.slot)],
  workgroups: (i) => (i.ranges.length > 0 ? [1, 1, 1] : [0, 1, 1]),
};
