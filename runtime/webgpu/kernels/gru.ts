/**
 * The fused GRU cell's pointwise part on WebGPU (as cpu/kernels/gru-cell.ts): one thread per
 * (row b, unit j), B and H baked into the shader, offsets in the record.
 */
import type { Instr } from '../../compile/instr.ts';
import { grid, type GpuKernel } from './kernel.ts';
import { cellHead, cellThreads, outKey, store } from './lstm.ts';

type GruFwd = Extract<Instr, { k: 'gruFwd' }>;
type GruBwd = Extract<Instr, { k: 'gruBwd' }>;

/** Record: gi, gh, hPrev, h, saved. */
export const gruFwd: GpuKernel<GruFwd> = {
  key: (i) => `B${i.B} H${i.H}`,
  wgsl: (i) => /* wgsl */ `${cellHead(i.B, i.H)}
  let a = u(0) + b * 3u * H + j;
  let k = u(1) + b * 3u * H + j;
  let r = sigm(mem[a] + mem[k]);
  let z = sigm(mem[a + H] + mem[k + H]);
  let n = tanh_s(mem[a + 2u * H] + r * mem[k + 2u * H]);
  let s = u(4) + b * 3u * H + j;
  mem[s] = r;
  mem[s + H] = z;
  mem[s + 2u * H] = n;
  mem[u(3) + i] = (1.0 - z) * n + z * mem[u(2) + i];
}`,
  record: (i, c) => [c.at(i.gi), c.at(i.gh), c.at(i.hPrev), c.at(i.h), c.at(i.saved)],
  workgroups: (i) => grid(cellThreads(i.B, i.H)),
};

/** Record: dh, saved, gh, hPrev, dGi, dGh, dHPrev (each 0 when absent). */
export const gruBwd: GpuKernel<GruBwd> = {
  key: (i) => `B${i.B} H${i.H}${outKey('dGi', i.dGi !== undefined, i.accGi)}${outKey('dGh', i.dGh !== undefined, i.accGh)}${outKey('dH', i.dHPrev !== undefined, i.accH)}`,
  wgsl: (i) => {
    const rows = (name: string, at: number, acc: boolean, an: string): string => `
  let ${name} = u(${at}) + b * 3u * H + j;
  ${store(name, 'ar', acc)}
  ${store(`${name} + H`, 'az', acc)}
  ${store(`${name} + 2u * H`, an, acc)}`;
    return /* wgsl */ `${cellHead(i.B, i.H)}
  let g = mem[u(0) + i];
  let s = u(1) + b * 3u * H + j;
  let r = mem[s];
  let z = mem[s + H];
  let n = mem[s + 2u * H];
  let an = g * (1.0 - z) * (1.0 - n * n);
  let ar = an * mem[u(2) + b * 3u * H + 2u * H + j] * r * (1.0 - r);
  let az = g * (mem[u(3) + i] - n) * z * (1.0 - z);${i.dGi === undefined ? '' : rows('gi', 4, i.accGi, 'an')}${i.dGh === undefined ? '' : rows('gk', 5, i.accGh, 'an * r')}${
      i.dHPrev === undefined
        ? ''
        : `
  ${store('u(6) + i', 'g * z', i.accH)}`
    }
}`;
  },
  record: (i, c) => [
    c.at(i.dh),
    c.at(i.saved),
    c.at(i.gh),
    c.at(i.hPrev),
    i.dGi === undefined ? 0 : c.at(i.dGi),
    i.dGh === undefined ? 0 : c.at(i.dGh),
    i.dHPrev === undefined ? 0 : c.at(i.dHPrev),
  ],
  workgroups: (i) => grid(cellThreads(i.B, i.H)),
};
