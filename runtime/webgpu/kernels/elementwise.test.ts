import { describe, expect, it } from 'vitest';
import type { Instr } from '../../compile/instr.ts';
import { rng, uniform } from '../../cpu/kernels/test-support.ts';
import { instrSuite, cpuBackend } from '../testing/instr-backends.ts';
import { describeMismatch, mismatch } from '../testing/compare.ts';

const B = await instrSuite();

/** Random float32-representable memory; `positive` keeps values in (0.1, 2] (for log). */
function memory(n: number, seed: number, positive = false, big = 300): number[] {
  const r = rng(seed);
  // Every 16th value is large (±30…±big; exp's stays within float32): activations must not overflow into NaN there; every
  // 37th is NaN, which must stay NaN (WGSL may assume there is none; SwiftShader's exp(NaN) is ∞).
  return Array.from({ length: n }, (_, i) =>
    i % 37 === 11 ? NaN : Math.fround(positive ? uniform(r, 0.1, 2) : i % 16 === 5 ? uniform(r, 30, big) * (r() < 0.5 ? -1 : 1) : uniform(r, -3, 3)),
  );
}

const at = (off: number) => ({ buf: 0, off });
const SIZES = [0, 1, 255, 256, 257, 1000];

describe.each(B.list)('elementwise kernels on $name', (backend) => {
  it('fill writes n values and nothing else', async () => {
    for (const n of SIZES) {
      const mem = memory(n + 20, n);
      const instr: Instr = { k: 'fill', out: at(10), n, value: 0.25 };
      const [got, want] = await Promise.all([backend.run(mem, [instr]), cpuBackend.run(mem, [instr])]);
      expect(describeMismatch(`fill n=${n}`, mismatch(got.memory, want.memory))).toBe('');
      if (n > 0) expect(got.memory[10]).toBe(0.25);
      expect(got.memory[9]).toBe(mem[9]);
    }
  });

  for (const op of ['copy', 'neg', 'scale', 'tanh', 'sigmoid', 'relu', 'exp', 'log'] as const) {
    for (const acc of [false, true]) {
      it(`unary ${op}${acc ? ' accumulating' : ''}`, async () => {
        for (const n of SIZES) {
          const mem = memory(2 * n + 8, 7 + n, op === 'log', op === 'exp' ? 80 : 300);
          const instr: Instr = { k: 'unary', op, n, x: at(3), out: at(n + 5), acc, alpha: -1.75 };
          const [got, want] = await Promise.all([backend.run(mem, [instr]), cpuBackend.run(mem, [instr])]);
          expect(describeMismatch(`${op} n=${n}`, mismatch(got.memory, want.memory, 1e-4, n + 5, 2 * n + 5))).toBe('');
          expect(got.memory[n + 4]).toBe(mem[n + 4]);
          expect(got.memory[2 * n + 5]).toBe(mem[2 * n + 5]);
        }
      });
    }
  }

  for (const op of ['tanh', 'sigmoid', 'relu', 'exp', 'log'] as const) {
    for (const acc of [false, true]) {
      it(`unaryGrad ${op}${acc ? ' accumulating' : ''}`, async () => {
        for (const n of SIZES) {
          const mem = memory(3 * n + 4, 11 + n, true);
          const instr: Instr = { k: 'unaryGrad', op, n, dy: at(0), saved: at(n), dx: at(2 * n + 2), acc };
          const [got, want] = await Promise.all([backend.run(mem, [instr]), cpuBackend.run(mem, [instr])]);
          expect(describeMismatch(`${op}' n=${n}`, mismatch(got.memory, want.memory, 1e-4, 2 * n + 2, 3 * n + 2))).toBe('');
          expect(got.memory[3 * n + 2]).toBe(mem[3 * n + 2]);
        }
      });
    }
  }
});
