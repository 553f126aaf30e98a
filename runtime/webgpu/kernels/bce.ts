/** Binary cross-entropy on logits and its two gradients (as in cpu/kernels/bce.ts): elementwise. */
import type { Instr } from '../../compile/instr.ts';
import { grid, WG, type GpuKernel } from './kernel.ts';
import { LOG1P, SPECIALS } from './row-reduce.ts';

type Bce = Extract<Instr, { k: 'bce' }>;
type BceGrad = Extract<Instr, { k: 'bceGrad' }>;
type BceTargetGrad = Extract<Instr, { k: 'bceTargetGrad' }>;

const HEAD = /* wgsl */ `@compute @workgroup_size(${WG}) fn main(@builtin(global_invocation_id) g: vec3<u32>, @builtin(num_workgroups) nw: vec3<u32>) {
  let i = flat(g, nw);`;

/**
 * `out = max(x, 0) − x·t + log1p(e^−|x|)`, the form that neither overflows nor cancels for large
 * |x|. A NaN logit or target gives NaN explicitly (WGSL may assume there are none; the trainer must
 * see a diverged model's loss). `out` may be `x` or `t` (each invocation reads its element before
 * writing it). Record: x, t, out, n.
 */
export const bce: GpuKernel<Bce> = {
  key: () => '',
  wgsl: () => /* wgsl */ `${SPECIALS}${LOG1P}
${HEAD}
  if (i >= u(3)) { return; }
  let x = mem[u(0) + i];
  let t = mem[u(1) + i];
  mem[u(2) + i] = select(max(x, 0.0) - x * t + log1p_s(exp(-abs(x))), nan_f(), is_nan(x) || is_nan(t));
}`,
  record: (i, c) => [c.at(i.x), c.at(i.t), c.at(i.out), i.n],
  workgroups: (i) => grid(Math.max(0, i.n)),
};

/** `dx (+)= dy·(σ(x) − t)`, NaN for a NaN logit (explicitly, as in bce). Record: dy, x, t, dx, n. */
export const bceGrad: GpuKernel<BceGrad> = {
  key: (i) => (i.acc ? 'acc' : ''),
  wgsl: (i) => /* wgsl */ `${SPECIALS}
${HEAD}
  if (i >= u(4)) { return; }
  let x = mem[u(1) + i];
  let v = select(mem[u(0) + i] * (sigm(x) - mem[u(2) + i]), nan_f(), is_nan(x));
  ${i.acc ? 'mem[u(3) + i] = mem[u(3) + i] + v;' : 'mem[u(3) + i] = v;'}
}`,
  record: (i, c) => [c.at(i.dy), c.at(i.x), c.at(i.t), c.at(i.dx), i.n],
  workgroups: (i) => grid(Math.max(0, i.n)),
};

/** `dt (+)= −dy·x` (for soft, learned targets). Record: dy, x, dt, n. */
export const bceTargetGrad: GpuKernel<BceTargetGrad> = {
  key: (i) => (i.acc ? 'acc' : ''),
  wgsl: (i) => /* wgsl */ `${HEAD}
  if (i >= u(3)) { return; }
  let v = -mem[u(0) + i] * mem[u(1) + i];
  ${i.acc ? 'mem[u(2) + i] = mem[u(2) + i] + v;' : 'mem[u(2) + i] = v;'}
}`,
  record: (i, c) => [c.at(i.dy), c.at(i.x), c.at(i.dt), i.n],
  workgroups: (i) => grid(Math.max(0, i.n)),
};
