/** Row-wise softmax and its backward (as in cpu/kernels/softmax.ts): one workgroup per row. */
import type { Instr } from '../../compile/instr.ts';
import type { GpuKernel } from './kernel.ts';
import { ROW, ROW_ARGS, rowGrid, rowThreads, SPECIALS, sumAndMax } from './row-reduce.ts';

type Softmax = Extract<Instr, { k: 'softmax' }>;
type SoftmaxGrad = Extract<Instr, { k: 'softmaxGrad' }>;

/**
 * `y[r, :] = softmax(x[r, :])`. The row max is subtracted first (no overflow at large logits);
 * rows the CPU makes NaN (a NaN, a +Inf, all −Inf) are written NaN explicitly (see SPECIALS);
 * the exponentials are recomputed in the last pass instead of stored, so `y` may be `x`: each
 * invocation reads an element before writing it, and all other reads are behind a barrier.
 * Record: x, y, rows.
 */
export const softmax: GpuKernel<Softmax> = {
  key: (i) => `${i.n}`,
  wgsl: (i) => {
    const T = rowThreads(i.n);
    return /* wgsl */ `${SPECIALS}${sumAndMax(T)}
@compute @workgroup_size(${T}) fn main(${ROW_ARGS}) {
  let row = ${ROW};
  if (row >= u(2)) { return; }
  let xo = u(0) + row * ${i.n}u;
  let yo = u(1) + row * ${i.n}u;
  var m = -inf_f();
  var bad = 0.0;
  for (var j = lid; j < ${i.n}u; j += ${T}u) {
    let v = mem[xo + j];
    if (is_nan(v) || is_pinf(v)) { bad = 1.0; }
    m = select(m, v, v > m);
  }
  m = wg_max(lid, m);
  // A NaN, a +Inf or a row of −Inf makes the CPU's sum NaN, so the whole row.
  let nan_row = wg_max(lid, bad) > 0.0 || is_ninf(m);
  var s = 0.0;
  for (var j = lid; j < ${i.n}u; j += ${T}u) { s += exp_shift(mem[xo + j], m); }
  let inv = 1.0 / wg_sum(lid, s);
  for (var j = lid; j < ${i.n}u; j += ${T}u) { mem[yo + j] = select(exp_shift(mem[xo + j], m) * inv, nan_f(), nan_row); }
}`;
  },
  record: (i, c) => [c.at(i.x), c.at(i.y), i.rows],
  workgroups: (i) => (i.n > 0 ? rowGrid(i.rows) : [0, 1, 1]),
};

/**
 * `dx[r, :] (+)= y ⊙ (dy − Σ_j dy_j·y_j)`. `dx` may be `dy` when not accumulating (the dot is
 * complete before any write). Record: dy, y, dx, rows.
 */
export const softmaxGrad: GpuKernel<SoftmaxGrad> = {
  key: (i) => `${i.n}${i.acc ? ' acc' : ''}`,
  wgsl: (i) => {
    const T = rowThreads(i.n);
    return /* wgsl */ `${sumAndMax(T)}
@compute @workgroup_size(${T}) fn main(${ROW_ARGS}) {
  let row = ${ROW};
  if (row >= u(3)) { return; }
  let dyo = u(0) + row * ${i.n}u;
  let yo = u(1) + row * ${i.n}u;
  let dxo = u(2) + row * ${i.n}u;
  var s = 0.0;
  for (var j = lid; j < ${i.n}u; j += ${T}u) { s += mem[dyo + j] * mem[yo + j]; }
  let dot = wg_sum(lid, s);
  for (var j = lid; j < ${i.n}u; j += ${T}u) {
    let v = mem[yo + j] * (mem[dyo + j] - dot);
    ${i.acc ? 'mem[dxo + j] = mem[dxo + j] + v;' : 'mem[dxo + j] = v;'}
  }
}`;
  },
  record: (i, c) => [c.at(i.dy), c.at(i.y), c.at(i.dx), i.rows],
  workgroups: (i) => (i.n > 0 ? rowGrid(i.rows) : [0, 1, 1]),
};
