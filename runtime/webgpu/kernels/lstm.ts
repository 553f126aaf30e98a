/**
 * The fused LSTM cell's pointwise part on WebGPU (as cpu/kernels/lstm-cell.ts): one thread per
 * (row b, unit j). B and H are baked into the shader (they are the same at every time step, so
 * one pipeline serves the whole sequence); the record holds the offsets.
 */
import type { Instr } from '../../compile/instr.ts';
import { grid, WG, type GpuKernel } from './kernel.ts';

type LstmFwd = Extract<Instr, { k: 'lstmFwd' }>;
type LstmBwd = Extract<Instr, { k: 'lstmBwd' }>;

/** Threads of a cell instruction: one per (row, unit); none when B or H ≤ 0. */
export const cellThreads = (B: number, H: number): number => (B > 0 && H > 0 ? B * H : 0);

/**
 * The shader's head: the constants, the thread's row `b`, unit `j` and flat index `i` (= b·H + j,
 * the element of a dense [B, H] tensor). H is at least 1 in the division so that a B = 0 or
 * H = 0 shader (compiled though never dispatched) stays valid.
 */
export function cellHead(B: number, H: number): string {
  return /* wgsl */ `
const H: u32 = ${Math.max(H, 1)}u;
const N: u32 = ${cellThreads(B, H)}u;
@compute @workgroup_size(${WG}) fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nw: vec3<u32>) {
  let i = flat(gid, nw);
  if (i >= N) { return; }
  let b = i / H;
  let j = i - b * H;`;
}

/** A store of `v` at `mem[at]`, added to what is there when `acc`. */
export const store = (at: string, v: string, acc: boolean): string => (acc ? `mem[${at}] = mem[${at}] + ${v};` : `mem[${at}] = ${v};`);

/** Record: pre, cPrev, hc, gates, tanhC. */
export const lstmFwd: GpuKernel<LstmFwd> = {
  key: (i) => `B${i.B} H${i.H}`,
  wgsl: (i) => /* wgsl */ `${cellHead(i.B, i.H)}
  let p = u(0) + b * 4u * H + j;
  let ig = sigm(mem[p]);
  let fg = sigm(mem[p + H]);
  let gg = tanh_s(mem[p + 2u * H]);
  let og = sigm(mem[p + 3u * H]);
  let c = fg * mem[u(1) + i] + ig * gg;
  let tc = tanh_s(c);
  let g = u(3) + b * 4u * H + j;
  mem[g] = ig;
  mem[g + H] = fg;
  mem[g + 2u * H] = gg;
  mem[g + 3u * H] = og;
  mem[u(4) + i] = tc;
  let o = u(2) + b * 2u * H + j;
  mem[o] = og * tc;
  mem[o + H] = c;
}`,
  record: (i, c) => [c.at(i.pre), c.at(i.cPrev), c.at(i.hc), c.at(i.gates), c.at(i.tanhC)],
  workgroups: (i) => grid(cellThreads(i.B, i.H)),
};

/** An optional output's part of a key: absent, written or accumulated (its flag means nothing when absent). */
export const outKey = (name: string, present: boolean, acc: boolean): string => (present ? ` ${name}${acc ? '+' : ''}` : '');

/** Record: dhc, gates, tanhC, cPrev, dPre (0 when absent), dCPrev (0 when absent). */
export const lstmBwd: GpuKernel<LstmBwd> = {
  key: (i) => `B${i.B} H${i.H}${outKey('dPre', i.dPre !== undefined, i.accPre)}${outKey('dC', i.dCPrev !== undefined, i.accC)}`,
  wgsl: (i) => /* wgsl */ `${cellHead(i.B, i.H)}
  let d = u(0) + b * 2u * H + j;
  let dh = mem[d];
  let dc = mem[d + H];
  let g = u(1) + b * 4u * H + j;
  let ig = mem[g];
  let fg = mem[g + H];
  let gg = mem[g + 2u * H];
  let og = mem[g + 3u * H];
  let tc = mem[u(2) + i];
  let dct = dc + dh * og * (1.0 - tc * tc);${
    i.dPre === undefined
      ? ''
      : `
  let dp = u(4) + b * 4u * H + j;
  ${store('dp', 'dct * gg * ig * (1.0 - ig)', i.accPre)}
  ${store('dp + H', 'dct * mem[u(3) + i] * fg * (1.0 - fg)', i.accPre)}
  ${store('dp + 2u * H', 'dct * ig * (1.0 - gg * gg)', i.accPre)}
  ${store('dp + 3u * H', 'dh * tc * og * (1.0 - og)', i.accPre)}`
  }${
    i.dCPrev === undefined
      ? ''
      : `
  ${store('u(5) + i', 'dct * fg', i.accC)}`
  }
}`,
  record: (i, c) => [c.at(i.dhc), c.at(i.gates), c.at(i.tanhC), c.at(i.cPrev), i.dPre === undefined ? 0 : c.at(i.dPre), i.dCPrev === undefined ? 0 : c.at(i.dCPrev)],
  workgroups: (i) => grid(cellThreads(i.B, i.H)),
};
