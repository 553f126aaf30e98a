/**
 * Embedding lookup and its backward (as in cpu/kernels/gather.ts), ids stored as floats and
 * truncated. The instruction does not say how many rows the table has, so an id is checked against
 * the rows that fit in the memory after the table (and for NaN and < 0): a bad id cannot touch
 * memory outside the binding, but an id past the real table reads (gather) or adds into
 * (scatterAdd) whatever follows it, where the CPU would throw its RangeError. Gather writes a NaN
 * row for an id it rejects, so the fault stays visible; scatterAdd skips it.
 */
import type { Instr } from '../../compile/instr.ts';
import { grid, WG, type GpuKernel } from './kernel.ts';
import { SPECIALS } from './row-reduce.ts';

type Gather = Extract<Instr, { k: 'gather' }>;
type ScatterAdd = Extract<Instr, { k: 'scatterAdd' }>;

/** WGSL `fn row_ok(id, tableAt) -> bool`: `id` names a whole row of `d` elements inside the memory (NaN tested by its bits, see SPECIALS). */
const rowOk = (d: number): string => /* wgsl */ `
fn row_ok(id: f32, at: u32) -> bool {
  let fit = (arrayLength(&mem) - min(at, arrayLength(&mem))) / ${d}u;
  return !is_nan(id) && id >= 0.0 && id < 4294967040.0 && u32(id) < fit;
}`;

/** `out[r, :] = table[ids[r], :]`, one invocation per output element. Record: table, ids, out, rows·d. */
export const gather: GpuKernel<Gather> = {
  key: (i) => `${i.d}`,
  wgsl: (i) => /* wgsl */ `${SPECIALS}${rowOk(Math.max(1, i.d))}
@compute @workgroup_size(${WG}) fn main(@builtin(global_invocation_id) g: vec3<u32>, @builtin(num_workgroups) nw: vec3<u32>) {
  let i = flat(g, nw);
  if (i >= u(3)) { return; }
  let r = i / ${Math.max(1, i.d)}u;
  let id = mem[u(1) + r];
  if (!row_ok(id, u(0))) { mem[u(2) + i] = nan_f(); return; }
  mem[u(2) + i] = mem[u(0) + u32(id) * ${i.d}u + i % ${Math.max(1, i.d)}u];
}`,
  record: (i, c) => [c.at(i.table), c.at(i.ids), c.at(i.out), Math.max(0, i.rows) * Math.max(0, i.d)],
  workgroups: (i) => grid(Math.max(0, i.rows) * Math.max(0, i.d)),
};

/**
 * `dTable[ids[r], :] += dOut[r, :]` over rows in order. One invocation per column, looping over
 * every row: repeated ids add into the same element, and without float atomics the only
 * deterministic way for them to do so is one writer per element. A column-per-invocation loop
 * gives that with `d`-wide parallelism, adds in the CPU's order, and needs no table size (the
 * alternative, one invocation per table element scanning all ids, costs table rows × rows × d
 * reads, and the table's row count is not in the instruction). Record: dOut, ids, dTable, rows.
 */
export const scatterAdd: GpuKernel<ScatterAdd> = {
  key: (i) => `${i.d}`,
  wgsl: (i) => /* wgsl */ `${SPECIALS}${rowOk(Math.max(1, i.d))}
@compute @workgroup_size(${WG}) fn main(@builtin(global_invocation_id) g: vec3<u32>, @builtin(num_workgroups) nw: vec3<u32>) {
  let j = flat(g, nw);
  if (j >= ${i.d}u) { return; }
  for (var r = 0u; r < u(3); r++) {
    let id = mem[u(1) + r];
    if (!row_ok(id, u(2))) { continue; }
    let at = u(2) + u32(id) * ${i.d}u + j;
    mem[at] = mem[at] + mem[u(0) + r * ${i.d}u + j];
  }
}`,
  record: (i, c) => [c.at(i.dOut), c.at(i.ids), c.at(i.dTable), Math.max(0, i.rows)],
  workgroups: (i) => (i.rows > 0 ? grid(Math.max(0, i.d)) : [0, 1, 1]),
};
