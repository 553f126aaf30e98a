/** Row argmax, stored as a float id (as in cpu/kernels/argmax.ts): one workgroup per row. */
import type { Instr } from '../../compile/instr.ts';
import type { GpuKernel } from './kernel.ts';
import { ROW, ROW_ARGS, rowGrid, rowThreads, SPECIALS } from './row-reduce.ts';

type Argmax = Extract<Instr, { k: 'argmax' }>;

/**
 * The CPU's order as one comparison: any NaN beats every number (a row with NaN picks its first
 * NaN); otherwise the larger value; equal values (and two NaNs) go to the lower index. `NONE` is an
 * invocation that saw no element; it loses to everything.
 */
const BETTER = /* wgsl */ `
const NONE = 0xffffffffu;
fn better(a: f32, ia: u32, b: f32, ib: u32) -> bool {
  if (ia == NONE) { return false; }
  if (ib == NONE) { return true; }
  let na = is_nan(a);
  let nb = is_nan(b);
  if (na != nb) { return na; }
  if (!na && a != b) { return a > b; }
  return ia < ib;
}`;

/**
 * `out[r] = argmax(x[r, :])`. Each invocation scans its strided share in ascending order, then a
 * tree keeps the better (value, index) pair, so ties resolve to the first index as on the CPU.
 * With `n = 0` every row gets 0, as the CPU writes. Record: x, out, rows.
 */
export const argmax: GpuKernel<Argmax> = {
  key: (i) => `${i.n}`,
  wgsl: (i) => {
    const T = rowThreads(i.n);
    return /* wgsl */ `${SPECIALS}${BETTER}
var<workgroup> sv: array<f32, ${T}>;
var<workgroup> si: array<u32, ${T}>;
@compute @workgroup_size(${T}) fn main(${ROW_ARGS}) {
  let row = ${ROW};
  if (row >= u(2)) { return; }
  let xo = u(0) + row * ${i.n}u;
  var bv = 0.0;
  var bi = NONE;
  for (var j = lid; j < ${i.n}u; j += ${T}u) {
    let v = mem[xo + j];
    if (better(v, j, bv, bi)) { bv = v; bi = j; }
  }
  sv[lid] = bv;
  si[lid] = bi;
  workgroupBarrier();
  for (var s = ${T / 2}u; s > 0u; s = s >> 1u) {
    if (lid < s && better(sv[lid + s], si[lid + s], sv[lid], si[lid])) {
      sv[lid] = sv[lid + s];
      si[lid] = si[lid + s];
    }
    workgroupBarrier();
  }
  if (lid == 0u) { mem[u(1) + row] = select(f32(si[0]), 0.0, si[0] == NONE); }
}`;
  },
  record: (i, c) => [c.at(i.x), c.at(i.out), i.rows],
  workgroups: (i) => rowGrid(i.rows),
};
