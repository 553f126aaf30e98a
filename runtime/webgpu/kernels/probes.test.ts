import { describe, expect, it } from 'vitest';
import type { Instr } from '../../compile/instr.ts';
import { rng, uniform } from '../../cpu/kernels/test-support.ts';
import { instrSuite, cpuBackend } from '../testing/instr-backends.ts';

const B = await instrSuite();

const at = (off: number) => ({ buf: 0, off });

/** Random float32 values in ±`scale`. */
function values(n: number, seed: number, scale = 1): number[] {
  const r = rng(seed);
  return Array.from({ length: n }, () => Math.fround(uniform(r, -1, 1) * scale));
}

/** Each probe within 1e-4 relative of the CPU's (float64) value; non-finite ones equal. */
function expectProbes(what: string, got: Float64Array, want: Float64Array): void {
  expect(got.length, what).toBe(want.length);
  want.forEach((w, s) => {
    const g = got[s]!;
    if (!Number.isFinite(w)) expect(Object.is(g, w) || (Number.isNaN(g) && Number.isNaN(w)), `${what} slot ${s}: ${g} vs ${w}`).toBe(true);
    else expect(Math.abs(g - w), `${what} slot ${s}: ${g} vs ${w}`).toBeLessThanOrEqual(1e-4 * Math.abs(w));
  });
}

describe.each(B.list)('probe kernels on $name', (backend) => {
  it('probeSumSq: sizes, magnitudes down to 1e-25 (sums ~1e-50) and up to 1e30', async () => {
    for (const n of [0, 1, 17, 300, 1000]) {
      for (const scale of [1, 1e-25, 1e-30, 1e30]) {
        const mem = values(n + 3, n + 1, scale);
        // Slot 1 of 3: slots 0 and 2 stay 0.
        const probes = { instrs: [{ k: 'probeSumSq', n, x: at(2), slot: 1 } as Instr], count: 3, sumSqSlots: [1] };
        const [got, want] = await Promise.all([backend.run(mem, [], probes), cpuBackend.run(mem, [], probes)]);
        expectProbes(`sumSq n=${n} scale=${scale}`, got.probes, want.probes);
        if (n > 0) expect(got.probes[1]).toBeGreaterThan(0);
        expect(got.memory[1]).toBe(mem[1]);
      }
    }
  });

  it('probeSumSq: zeros give 0, an Inf gives Inf, a NaN gives NaN', async () => {
    for (const [special, expected] of [
      [0, 0],
      [Infinity, Infinity],
      [NaN, NaN],
    ] as const) {
      const mem = [0, 0, 0, special, 0, 0];
      const probes = { instrs: [{ k: 'probeSumSq', n: 5, x: at(1), slot: 0 } as Instr], count: 1, sumSqSlots: [0] };
      const got = await backend.run(mem, [], probes);
      expect(got.probes[0]).toBe(expected);
    }
  });

  it('probeLstmC: the total cell-state gradient norm, also for gradients ~1e-26', async () => {
    for (const rows of [0, 1, 3, 17]) {
      for (const H of [1, 5, 33, 100]) {
        for (const scale of [1, 1e-26]) {
          const r = rng(rows * 101 + H);
          const dhc = values(rows * 2 * H, rows + H, scale);
          const gates = Array.from({ length: rows * 4 * H }, () => Math.fround(r()));
          const tanhC = Array.from({ length: rows * H }, () => Math.fround(uniform(r, -1, 1)));
          const mem = [0, ...dhc, 0, ...gates, 0, ...tanhC, 0];
          const instr: Instr = { k: 'probeLstmC', rows, H, dhc: at(1), gates: at(2 + dhc.length), tanhC: at(3 + dhc.length + gates.length), slot: 2 };
          const probes = { instrs: [instr], count: 4, sumSqSlots: [0, 2] };
          const [got, want] = await Promise.all([backend.run(mem, [], probes), cpuBackend.run(mem, [], probes)]);
          expectProbes(`lstmC ${rows}x${H} scale=${scale}`, got.probes, want.probes);
          if (rows > 0) expect(got.probes[2]).toBeGreaterThan(0);
        }
      }
    }
  });

  it('probeGates: saturated fractions per gate, in the CPU slots', async () => {
    for (const rows of [0, 1, 3, 70]) {
      for (const H of [1, 7, 40]) {
        // An LSTM-like row of 4H (sigmoid gates i, f, o; the candidate skipped) and a GRU-like one of 3H, with an empty range.
        for (const [width, ranges] of [
          [4 * H, [[0, H], [H, 2 * H], [3 * H, 4 * H]]],
          [3 * H, [[0, H], [H, 2 * H], [2, 2]]],
        ] as [number, [number, number][]][]) {
          const r = rng(rows * 7 + H + width);
          // Mostly saturated values, and the thresholds themselves (neither low nor high).
          const x = Array.from({ length: rows * width }, (_, i) => Math.fround(i % 9 === 4 ? 0.1 : i % 9 === 7 ? 0.9 : r() < 0.5 ? uniform(r, 0, 0.2) : uniform(r, 0.8, 1)));
          const mem = [0.5, ...x, 0.5];
          const slot = 1;
          const count = slot + 2 * ranges.length + 1;
          const probes = { instrs: [{ k: 'probeGates', rows, width, ranges, x: at(1), slot } as Instr], count, sumSqSlots: [0] };
          const [got, want] = await Promise.all([backend.run(mem, [], probes), cpuBackend.run(mem, [], probes)]);
          expectProbes(`gates ${rows}x${width}`, got.probes, want.probes);
        }
      }
    }
  });

  it('known answers: 1² + 2² + 3² = 14; gate fractions (0.1, 0.9 and NaN are neither low nor high)', async () => {
    const sumSq: Instr = { k: 'probeSumSq', n: 3, x: at(0), slot: 0 };
    expect((await backend.run([1, 2, 3], [], { instrs: [sumSq], count: 1, sumSqSlots: [0] })).probes[0]).toBeCloseTo(14, 5);
    const x = [0.05, NaN, 0.95, 0.9, 0.1, 0.01, 0.91, 0.2].map(Math.fround);
    const gates: Instr = { k: 'probeGates', rows: 2, width: 4, ranges: [[0, 2], [2, 4]], x: at(0), slot: 0 };
    const got = await backend.run(x, [], { instrs: [gates], count: 4 });
    expect(Array.from(got.probes)).toEqual([0.5, 0, 0, 0.5]);
  });
});
