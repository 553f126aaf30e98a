/**
 * Softmax cross-entropy against class ids stored as floats, and its backward (as in
 * cpu/kernels/cross-entropy.ts). A shader cannot throw the CPU's RangeError for a target outside
 * `[0, V)` (or NaN), so such a row's loss, or its logit gradients, are NaN: the fault stays visible
 * (the trainer sees a NaN loss) instead of silently training on a wrong class.
 */
import type { Instr } from '../../compile/instr.ts';
import { grid, WG, type GpuKernel } from './kernel.ts';
import { LOG1P, ROW, ROW_ARGS, rowGrid, rowThreads, SPECIALS, sumAndMax } from './row-reduce.ts';

type CrossEntropy = Extract<Instr, { k: 'crossEntropy' }>;
type CrossEntropyGrad = Extract<Instr, { k: 'crossEntropyGrad' }>;

/** WGSL: whether float target `t` names one of `V` classes (NaN tested by its bits: WGSL may assume no NaN in comparisons). */
const valid = (V: number): string => `(!is_nan(t) && t >= 0.0 && t < ${V}.0)`;

/**
 * Per row: `probs = softmax(logits)` and `loss = log Σ exp(x − max) + (max − x_t)`, not
 * `logsumexp − x_t`, so that a confident row's small loss is not the difference of two large
 * numbers in float32. For the same reason the sum is kept as (count of maxima, rest): the log is
 * `log1p(count − 1 + rest)`, where `log(1 + rest)` would round a rest of 1e−9 to 0. Non-finite
 * logits give the CPU's results by explicit tests (see SPECIALS): NaN rows, and +Inf loss for a
 * target logit of −Inf. `x_t` is read before the first barrier, so `probs` may be `logits`.
 * Record: logits, targets, loss, probs, rows.
 */
export const crossEntropy: GpuKernel<CrossEntropy> = {
  key: (i) => `${i.V}`,
  wgsl: (i) => {
    const T = rowThreads(i.V);
    return /* wgsl */ `${SPECIALS}${LOG1P}${sumAndMax(T)}
@compute @workgroup_size(${T}) fn main(${ROW_ARGS}) {
  let row = ${ROW};
  if (row >= u(4)) { return; }
  let lo = u(0) + row * ${i.V}u;
  let po = u(3) + row * ${i.V}u;
  let t = mem[u(1) + row];
  let ok = ${valid(i.V)};
  let xt = select(0.0, mem[lo + select(0u, u32(t), ok)], ok);
  var m = -inf_f();
  var bad = 0.0;
  for (var j = lid; j < ${i.V}u; j += ${T}u) {
    let v = mem[lo + j];
    if (is_nan(v) || is_pinf(v)) { bad = 1.0; }
    m = select(m, v, v > m);
  }
  m = wg_max(lid, m);
  // A NaN, a +Inf or a row of −Inf makes the CPU's sum NaN, so the whole row and the loss.
  let nan_row = wg_max(lid, bad) > 0.0 || is_ninf(m);
  var rest = 0.0;
  var top = 0.0;
  for (var j = lid; j < ${i.V}u; j += ${T}u) {
    let v = mem[lo + j];
    if (v == m) { top += 1.0; } else { rest += exp_shift(v, m); }
  }
  rest = wg_sum(lid, rest);
  top = wg_sum(lid, top);
  let inv = 1.0 / (top + rest);
  for (var j = lid; j < ${i.V}u; j += ${T}u) { mem[po + j] = select(exp_shift(mem[lo + j], m) * inv, nan_f(), nan_row); }
  if (lid == 0u) {
    var loss = log1p_s((top - 1.0) + rest) + (m - xt);
    if (is_ninf(xt)) { loss = inf_f(); }
    if (!ok || nan_row) { loss = nan_f(); }
    mem[u(2) + row] = loss;
  }
}`;
  },
  record: (i, c) => [c.at(i.logits), c.at(i.targets), c.at(i.loss), c.at(i.probs), i.rows],
  workgroups: (i) => rowGrid(i.rows),
};

/**
 * `dLogits[r, j] (+)= dLoss[r]·(probs[r, j] − [j = t_r])`: elementwise, one invocation per element.
 * Record: dLoss, probs, targets, dLogits, rows·V.
 */
export const crossEntropyGrad: GpuKernel<CrossEntropyGrad> = {
  key: (i) => `${i.V}${i.acc ? ' acc' : ''}`,
  wgsl: (i) => /* wgsl */ `${SPECIALS}
@compute @workgroup_size(${WG}) fn main(@builtin(global_invocation_id) g: vec3<u32>, @builtin(num_workgroups) nw: vec3<u32>) {
  let i = flat(g, nw);
  if (i >= u(4)) { return; }
  let row = i / ${i.V}u;
  let j = i % ${i.V}u;
  let t = mem[u(2) + row];
  let hot = select(0.0, 1.0, ${valid(i.V)} && u32(t) == j);
  let v = select(nan_f(), mem[u(0) + row] * (mem[u(1) + i] - hot), ${valid(i.V)});
  ${i.acc ? 'mem[u(3) + i] = mem[u(3) + i] + v;' : 'mem[u(3) + i] = v;'}
}`,
  record: (i, c) => [c.at(i.dLoss), c.at(i.probs), c.at(i.targets), c.at(i.dLogits), Math.max(0, i.rows) * Math.max(0, i.V)],
  workgroups: (i) => grid(Math.max(0, i.rows) * Math.max(0, i.V)),
};
