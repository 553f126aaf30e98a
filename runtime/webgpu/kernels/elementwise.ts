/** Contiguous elementwise kernels: fill, activations and their gradients (as in cpu/kernels/unary.ts). */
import type { Instr } from '../../compile/instr.ts';
import { f32bits, grid, WG, type GpuKernel } from './kernel.ts';

type Fill = Extract<Instr, { k: 'fill' }>;
type Unary = Extract<Instr, { k: 'unary' }>;
type UnaryGrad = Extract<Instr, { k: 'unaryGrad' }>;

export const fill: GpuKernel<Fill> = {
  key: () => '',
  wgsl: () => /* wgsl */ `
@compute @workgroup_size(${WG}) fn main(@builtin(global_invocation_id) g: vec3<u32>, @builtin(num_workgroups) nw: vec3<u32>) {
  let i = flat(g, nw);
  if (i >= u(1)) { return; }
  mem[u(0) + i] = pf(2);
}`,
  record: (i, c) => [c.at(i.out), i.n, f32bits(i.value)],
  workgroups: (i) => grid(i.n),
};

const UNARY: Record<Unary['op'], string> = {
  copy: 'x',
  neg: '-x',
  scale: 'pf(4) * x',
  tanh: 'tanh_s(x)',
  sigmoid: 'sigm(x)',
  relu: 'select(x, 0.0, x < 0.0)',
  // NaN passes through (see the prelude): SwiftShader's exp(NaN) is Infinity and log(NaN) 89.
  exp: 'select(exp(x), x, is_nan(x))',
  log: 'select(log(x), x, is_nan(x))',
};

export const unary: GpuKernel<Unary> = {
  key: (i) => `${i.op}${i.acc ? ' acc' : ''}`,
  wgsl: (i) => /* wgsl */ `
@compute @workgroup_size(${WG}) fn main(@builtin(global_invocation_id) g: vec3<u32>, @builtin(num_workgroups) nw: vec3<u32>) {
  let i = flat(g, nw);
  if (i >= u(2)) { return; }
  let x = mem[u(0) + i];
  let v = ${UNARY[i.op]};
  ${i.acc ? 'mem[u(1) + i] = mem[u(1) + i] + v;' : 'mem[u(1) + i] = v;'}
}`,
  record: (i, c) => [c.at(i.x), c.at(i.out), i.n, 0, f32bits(i.alpha)],
  workgroups: (i) => grid(i.n),
};

/** f′ from the saved tensor `s` (an output for tanh, sigmoid, exp; the input for relu, log). */
const GRAD: Record<UnaryGrad['op'], string> = {
  tanh: 'dy * (1.0 - s * s)',
  sigmoid: 'dy * s * (1.0 - s)',
  exp: 'dy * s',
  relu: 'select(0.0, dy, s > 0.0)',
  log: 'dy / s',
};

export const unaryGrad: GpuKernel<UnaryGrad> = {
  key: (i) => `${i.op}${i.acc ? ' acc' : ''}`,
  wgsl: (i) => /* wgsl */ `
@compute @workgroup_size(${WG}) fn main(@builtin(global_invocation_id) g: vec3<u32>, @builtin(num_workgroups) nw: vec3<u32>) {
  let i = flat(g, nw);
  if (i >= u(3)) { return; }
  let dy = mem[u(0) + i];
  let s = mem[u(1) + i];
  let v = ${GRAD[i.op]};
  ${i.acc ? 'mem[u(2) + i] = mem[u(2) + i] + v;' : 'mem[u(2) + i] = v;'}
}`,
  record: (i, c) => [c.at(i.dy), c.at(i.saved), c.at(i.dx), i.n],
  workgroups: (i) => grid(i.n),
};
