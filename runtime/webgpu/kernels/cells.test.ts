import { describe, expect, it } from 'vitest';
import type { Instr, Ref } from '../../compile/instr.ts';
import { rng, uniform } from '../../cpu/kernels/test-support.ts';
import { cpuBackend, instrSuite, type InstrBackend } from '../testing/instr-backends.ts';
import { describeMismatch, mismatch } from '../testing/compare.ts';

const BK = await instrSuite();

const BATCHES = [0, 1, 3, 5];
const HIDDEN = [1, 3, 17, 100, 257];
const SIZES = BATCHES.flatMap((B) => HIDDEN.map((H) => [B, H] as const));
const at = (off: number): Ref => ({ buf: 0, off });

/** What a region holds: random values of a kind, or (outputs) random values to be overwritten or added to. */
type Fill = 'pre' | 'sig' | 'tanh' | 'grad' | 'out';

/**
 * Gate pre-activations: mostly moderate, about one in five saturating: |x| in [20, 50], a quarter
 * of those exactly ±50, and some beyond 88 (where exp overflows float32: the builtin tanh gives NaN
 * there on SwiftShader, which is how these tests catch a kernel using it).
 */
function value(kind: Fill, r: () => number): number {
  const big = r() < 0.2;
  const s = r();
  const x = big ? (s < 0.25 ? 50 : s < 0.4 ? uniform(r, 90, 300) : uniform(r, 20, 50)) * (r() < 0.5 ? -1 : 1) : uniform(r, -3, 3);
  switch (kind) {
    case 'pre':
      return x;
    case 'sig':
      return 1 / (1 + Math.exp(-x));
    case 'tanh':
      return Math.tanh(x);
    case 'grad':
      return big ? x / 5 : uniform(r, -2, 2);
    case 'out':
      return uniform(r, -1, 1);
  }
}

/** A region: `blocks` gate blocks of H per row (their kinds), B rows. */
interface Region {
  readonly name: string;
  readonly blocks: readonly Fill[];
}

/**
 * One flat memory holding `regions` in order, NaN in the gaps between them (a kernel reading
 * outside its inputs poisons its results), and a sink at the end for the CPU's copy of an output
 * the instruction under test omits (the CPU program needs every output; only WebGPU may omit one).
 */
function memoryOf(B: number, H: number, regions: readonly Region[], seed: number): { mem: number[]; off: Record<string, number>; size: Record<string, number>; sink: number } {
  const r = rng(seed);
  const mem: number[] = [NaN, NaN];
  const off: Record<string, number> = {};
  const size: Record<string, number> = {};
  for (const reg of regions) {
    off[reg.name] = mem.length;
    size[reg.name] = B * H * reg.blocks.length;
    for (let b = 0; b < B; b++) for (const kind of reg.blocks) for (let j = 0; j < H; j++) mem.push(Math.fround(value(kind, r)));
    mem.push(NaN, NaN, NaN);
  }
  const sink = mem.length;
  // Room for the largest omitted output ([B, 4H]).
  for (let k = 0; k < 4 * B * H + 1; k++) mem.push(0);
  return { mem, off, size, sink };
}

/**
 * Runs `instr` on `backend` (with `cpuInstr`, every output present, on the CPU) and the CPU
 * reference; each region in `outputs` must match within 1e-4 norm-wise relative, and every other
 * element below the sink must be exactly as it was.
 */
async function check(backend: InstrBackend, label: string, mem: readonly number[], sink: number, instr: Instr, cpuInstr: Instr, outputs: readonly [string, number, number][]): Promise<void> {
  const [got, want] = await Promise.all([backend.run(mem, [backend.name === 'cpu' ? cpuInstr : instr]), cpuBackend.run(mem, [cpuInstr])]);
  const written = new Uint8Array(sink);
  for (const [name, from, n] of outputs) {
    expect(describeMismatch(`${label} ${name}`, mismatch(got.memory, want.memory, 1e-4, from, from + n))).toBe('');
    written.fill(1, from, from + n);
  }
  let stray = -1;
  for (let k = 0; k < sink && stray < 0; k++) if (written[k] === 0 && !Object.is(got.memory[k], mem[k]) && !(Number.isNaN(got.memory[k]) && Number.isNaN(mem[k]))) stray = k;
  expect(stray, `${label}: element ${stray} changed (not an output)`).toBe(-1);
}

/** How an optional output is used: omitted, overwritten, or added to. */
type Mode = 'absent' | 'write' | 'acc';
const MODES: readonly Mode[] = ['absent', 'write', 'acc'];

/** The output's ref and flag for the instruction under test and for the CPU (where absent goes to the sink). */
function output(mode: Mode, off: number, sink: number): { gpu: Ref | undefined; cpu: Ref; acc: boolean } {
  return { gpu: mode === 'absent' ? undefined : at(off), cpu: at(mode === 'absent' ? sink : off), acc: mode === 'acc' };
}

describe.each(BK.list)('fused cells on $name', (backend) => {
  it('lstmFwd over every size', async () => {
    for (const [B, H] of SIZES) {
      const m = memoryOf(B, H, [
        { name: 'pre', blocks: ['pre', 'pre', 'pre', 'pre'] },
        { name: 'cPrev', blocks: ['pre'] },
        { name: 'hc', blocks: ['out', 'out'] },
        { name: 'gates', blocks: ['out', 'out', 'out', 'out'] },
        { name: 'tanhC', blocks: ['out'] },
      ], 100 * B + H);
      const o = m.off;
      const instr: Instr = { k: 'lstmFwd', B, H, pre: at(o.pre!), cPrev: at(o.cPrev!), hc: at(o.hc!), gates: at(o.gates!), tanhC: at(o.tanhC!) };
      await check(backend, `lstmFwd B=${B} H=${H}`, m.mem, m.sink, instr, instr, ['hc', 'gates', 'tanhC'].map((n) => [n, o[n]!, m.size[n]!]));
    }
  });

  for (const pre of MODES) {
    for (const dc of MODES) {
      it(`lstmBwd dPre ${pre}, dCPrev ${dc}`, async () => {
        for (const [B, H] of SIZES) {
          const m = memoryOf(B, H, [
            { name: 'dhc', blocks: ['grad', 'grad'] },
            { name: 'gates', blocks: ['sig', 'sig', 'tanh', 'sig'] },
            { name: 'tanhC', blocks: ['tanh'] },
            { name: 'cPrev', blocks: ['pre'] },
            { name: 'dPre', blocks: ['out', 'out', 'out', 'out'] },
            { name: 'dCPrev', blocks: ['out'] },
          ], 7 + 100 * B + H);
          const o = m.off;
          const [dp, dcp] = [output(pre, o.dPre!, m.sink), output(dc, o.dCPrev!, m.sink)];
          const base = { k: 'lstmBwd', B, H, dhc: at(o.dhc!), gates: at(o.gates!), tanhC: at(o.tanhC!), cPrev: at(o.cPrev!), accPre: dp.acc, accC: dcp.acc } as const;
          const instr: Instr = { ...base, ...(dp.gpu && { dPre: dp.gpu }), ...(dcp.gpu && { dCPrev: dcp.gpu }) };
          const outs = ([['dPre', pre], ['dCPrev', dc]] as const).filter(([, mode]) => mode !== 'absent').map(([n]): [string, number, number] => [n, o[n]!, m.size[n]!]);
          await check(backend, `lstmBwd B=${B} H=${H}`, m.mem, m.sink, instr, { ...base, dPre: dp.cpu, dCPrev: dcp.cpu }, outs);
        }
      });
    }
  }

  it('gruFwd over every size', async () => {
    for (const [B, H] of SIZES) {
      const m = memoryOf(B, H, [
        { name: 'gi', blocks: ['pre', 'pre', 'pre'] },
        { name: 'gh', blocks: ['pre', 'pre', 'pre'] },
        { name: 'hPrev', blocks: ['tanh'] },
        { name: 'h', blocks: ['out'] },
        { name: 'saved', blocks: ['out', 'out', 'out'] },
      ], 3 + 100 * B + H);
      const o = m.off;
      const instr: Instr = { k: 'gruFwd', B, H, gi: at(o.gi!), gh: at(o.gh!), hPrev: at(o.hPrev!), h: at(o.h!), saved: at(o.saved!) };
      await check(backend, `gruFwd B=${B} H=${H}`, m.mem, m.sink, instr, instr, ['h', 'saved'].map((n) => [n, o[n]!, m.size[n]!]));
    }
  });

  for (const gi of MODES) {
    for (const gh of MODES) {
      for (const dh of MODES) {
        it(`gruBwd dGi ${gi}, dGh ${gh}, dHPrev ${dh}`, async () => {
          for (const [B, H] of SIZES) {
            const m = memoryOf(B, H, [
              { name: 'dh', blocks: ['grad'] },
              { name: 'saved', blocks: ['sig', 'sig', 'tanh'] },
              { name: 'gh', blocks: ['pre', 'pre', 'pre'] },
              { name: 'hPrev', blocks: ['tanh'] },
              { name: 'dGi', blocks: ['out', 'out', 'out'] },
              { name: 'dGh', blocks: ['out', 'out', 'out'] },
              { name: 'dHPrev', blocks: ['out'] },
            ], 5 + 100 * B + H);
            const o = m.off;
            const [a, k, p] = [output(gi, o.dGi!, m.sink), output(gh, o.dGh!, m.sink), output(dh, o.dHPrev!, m.sink)];
            const base = { k: 'gruBwd', B, H, dh: at(o.dh!), saved: at(o.saved!), gh: at(o.gh!), hPrev: at(o.hPrev!), accGi: a.acc, accGh: k.acc, accH: p.acc } as const;
            const instr: Instr = { ...base, ...(a.gpu && { dGi: a.gpu }), ...(k.gpu && { dGh: k.gpu }), ...(p.gpu && { dHPrev: p.gpu }) };
            const outs = ([['dGi', gi], ['dGh', gh], ['dHPrev', dh]] as const).filter(([, mode]) => mode !== 'absent').map(([n]): [string, number, number] => [n, o[n]!, m.size[n]!]);
            await check(backend, `gruBwd B=${B} H=${H}`, m.mem, m.sink, instr, { ...base, dGi: a.cpu, dGh: k.cpu, dHPrev: p.cpu }, outs);
          }
        });
      }
    }
  }
});

const T = 5;

/** Regions of `n` values each per step and name, in one memory (NaN gaps); returns offsets. */
function chainMemory(names: readonly [string, number, Fill][], seed: number): { mem: number[]; off: (name: string, t?: number) => number } {
  const r = rng(seed);
  const mem: number[] = [NaN];
  const offs = new Map<string, number>();
  for (const [name, n, kind] of names) {
    offs.set(name, mem.length);
    for (let k = 0; k < n; k++) mem.push(Math.fround(value(kind, r)));
    mem.push(NaN);
  }
  return { mem, off: (name, t) => offs.get(t === undefined ? name : `${name}${t}`)! };
}

/** Every region of the chain must match the CPU's within 1e-4 norm-wise relative. */
async function checkChain(backend: InstrBackend, label: string, mem: readonly number[], instrs: readonly Instr[], regions: readonly [string, number, number][]): Promise<void> {
  const [got, want] = await Promise.all([backend.run(mem, instrs), cpuBackend.run(mem, instrs)]);
  for (const [name, from, n] of regions) expect(describeMismatch(`${label} ${name}`, mismatch(got.memory, want.memory, 1e-4, from, from + n))).toBe('');
}

const perStep = (specs: readonly [string, number, Fill][]): [string, number, Fill][] => Array.from({ length: T }, (_, t) => specs.map(([n, size, kind]): [string, number, Fill] => [`${n}${t}`, size, kind])).flat();

describe.each(BK.list)('fused cells chained over 5 steps on $name', (backend) => {
  // B = 1: the next step reads c straight from the c half of hc (the CPU program's cells take dense
  // [B, H] states; with B > 1 a strided copy would sit between). h feeds the next step's input
  // gate through an accumulating copy, so the backward carries gradient through h as well as c.
  for (const H of [1, 17, 257]) {
    it(`LSTM H=${H}: forward then backward through the chain`, async () => {
      const step: [string, number, Fill][] = [['pre', 4 * H, 'pre'], ['hc', 2 * H, 'out'], ['gates', 4 * H, 'out'], ['tanhC', H, 'out'], ['dhc', 2 * H, 'grad'], ['dPre', 4 * H, 'out']];
      const m = chainMemory([['c0', H, 'pre'], ['dC0', H, 'out'], ...perStep(step)], 31 + H);
      const o = m.off;
      const cPrev = (t: number): Ref => at(t === 0 ? o('c0') : o('hc', t - 1) + H);
      const copyAcc = (from: number, to: number): Instr => ({ k: 'unary', op: 'copy', n: H, x: at(from), out: at(to), acc: true, alpha: 1 });
      const instrs: Instr[] = [];
      for (let t = 0; t < T; t++) {
        if (t > 0) instrs.push(copyAcc(o('hc', t - 1), o('pre', t)));
        instrs.push({ k: 'lstmFwd', B: 1, H, pre: at(o('pre', t)), cPrev: cPrev(t), hc: at(o('hc', t)), gates: at(o('gates', t)), tanhC: at(o('tanhC', t)) });
      }
      for (let t = T - 1; t >= 0; t--) {
        const dC = t === 0 ? o('dC0') : o('dhc', t - 1) + H;
        instrs.push({ k: 'lstmBwd', B: 1, H, dhc: at(o('dhc', t)), gates: at(o('gates', t)), tanhC: at(o('tanhC', t)), cPrev: cPrev(t), dPre: at(o('dPre', t)), accPre: false, dCPrev: at(dC), accC: t > 0 });
        if (t > 0) instrs.push(copyAcc(o('dPre', t), o('dhc', t - 1)));
      }
      const regions = Array.from({ length: T }, (_, t) => step.map(([n, size]): [string, number, number] => [`${n}${t}`, o(n, t), size])).flat();
      await checkChain(backend, `LSTM H=${H}`, m.mem, instrs, [...regions, ['dC0', o('dC0'), H]]);
    });
  }

  // h feeds the next step's hPrev; dHPrev accumulates into the previous step's dh. With B = 1, h
  // also feeds the next step's z input through an accumulating copy (and its gradient flows back).
  for (const [B, H] of [[1, 17], [3, 100], [5, 257]] as const) {
    it(`GRU B=${B} H=${H}: forward then backward through the chain`, async () => {
      const n = B * H;
      const step: [string, number, Fill][] = [['gi', 3 * n, 'pre'], ['gh', 3 * n, 'pre'], ['h', n, 'out'], ['saved', 3 * n, 'out'], ['dh', n, 'grad'], ['dGi', 3 * n, 'out'], ['dGh', 3 * n, 'out']];
      const m = chainMemory([['h0', n, 'tanh'], ['dH0', n, 'out'], ...perStep(step)], 47 + B * H);
      const o = m.off;
      const hPrev = (t: number): Ref => at(t === 0 ? o('h0') : o('h', t - 1));
      const copyAcc = (from: number, to: number): Instr => ({ k: 'unary', op: 'copy', n: H, x: at(from), out: at(to), acc: true, alpha: 1 });
      const instrs: Instr[] = [];
      for (let t = 0; t < T; t++) {
        if (t > 0 && B === 1) instrs.push(copyAcc(o('h', t - 1), o('gi', t) + H));
        instrs.push({ k: 'gruFwd', B, H, gi: at(o('gi', t)), gh: at(o('gh', t)), hPrev: hPrev(t), h: at(o('h', t)), saved: at(o('saved', t)) });
      }
      for (let t = T - 1; t >= 0; t--) {
        const dH = at(t === 0 ? o('dH0') : o('dh', t - 1));
        instrs.push({ k: 'gruBwd', B, H, dh: at(o('dh', t)), saved: at(o('saved', t)), gh: at(o('gh', t)), hPrev: hPrev(t), dGi: at(o('dGi', t)), accGi: false, dGh: at(o('dGh', t)), accGh: false, dHPrev: dH, accH: t > 0 });
        if (t > 0 && B === 1) instrs.push(copyAcc(o('dGi', t) + H, o('dh', t - 1)));
      }
      const regions = Array.from({ length: T }, (_, t) => step.map(([name, size]): [string, number, number] => [`${name}${t}`, o(name, t), size])).flat();
      await checkChain(backend, `GRU B=${B} H=${H}`, m.mem, instrs, [...regions, ['dH0', o('dH0'), n]]);
    });
  }
});
