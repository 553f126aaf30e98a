import { describe, expect, it } from 'vitest';
import type { Instr } from '../../compile/instr.ts';
import { rng, uniform } from '../../cpu/kernels/test-support.ts';
import { instrSuite, cpuBackend } from '../testing/instr-backends.ts';
import { describeMismatch, mismatch } from '../testing/compare.ts';

const B = await instrSuite();

const at = (off: number) => ({ buf: 0, off });
const SIZES = [0, 1, 17, 257, 1000];

/** `[x n | t n | dy n | pad 2 | out n | pad]`: logits in ±4 with every 7th ±30…±80, targets in [0, 1] (some exactly 0 or 1), dy in ±2. */
function memory(n: number, seed: number): number[] {
  const r = rng(seed);
  const x = Array.from({ length: n }, (_, i) => (i % 7 === 3 ? uniform(r, 30, 80) * (r() < 0.5 ? -1 : 1) : uniform(r, -4, 4)));
  const t = Array.from({ length: n }, (_, i) => (i % 5 === 0 ? i % 2 : r()));
  const dy = Array.from({ length: 2 * n + 3 }, () => uniform(r, -2, 2));
  return [...x, ...t, ...dy].map(Math.fround);
}

/** Runs `instr` on both backends and checks `[from, from + n)` and the element after it. */
async function check(backend: (typeof B.list)[number], what: string, mem: number[], instr: Instr, from: number, n: number): Promise<void> {
  const [got, want] = await Promise.all([backend.run(mem, [instr]), cpuBackend.run(mem, [instr])]);
  expect(describeMismatch(what, mismatch(got.memory, want.memory, 1e-4, from, from + n))).toBe('');
  expect(got.memory[from + n]).toBe(mem[from + n]);
}

describe.each(B.list)('binary cross-entropy kernels on $name', (backend) => {
  it('bce into another buffer and in place of the logits', async () => {
    for (const n of SIZES) {
      const mem = memory(n, n + 1);
      await check(backend, `bce n=${n}`, mem, { k: 'bce', n, x: at(0), t: at(n), out: at(3 * n + 2) }, 3 * n + 2, n);
      await check(backend, `bce in place n=${n}`, mem, { k: 'bce', n, x: at(0), t: at(n), out: at(0) }, 0, n);
    }
  });

  it('bce of a confident, correct logit keeps its tiny loss', async () => {
    // x = 20, t = 1: loss = log1p(e^−20) ≈ 2.06e−9 (1 + e^−20 rounds to 1 in float32); x = −30, t = 0: ≈ 9.4e−14.
    const got = await backend.run([20, -30, 1, 0, 0, 0], [{ k: 'bce', n: 2, x: at(0), t: at(2), out: at(4) }]);
    expect(Math.abs(got.memory[4]! / Math.log1p(Math.exp(-20)) - 1)).toBeLessThan(1e-5);
    expect(Math.abs(got.memory[5]! / Math.log1p(Math.exp(-30)) - 1)).toBeLessThan(1e-5);
  });

  it('a NaN logit or target gives NaN, as on the CPU (a diverged model must not show a finite loss)', async () => {
    // x = [NaN, 1, 50, −50], t = [0.5, NaN, 1, 0], dy = 1: every kernel's first two results are NaN.
    const mem = [NaN, 1, 50, -50, 0.5, NaN, 1, 0, 1, 1, 1, 1, 0, 0, 0, 0, 9];
    for (const instr of [
      { k: 'bce', n: 4, x: at(0), t: at(4), out: at(12) },
      { k: 'bceGrad', n: 4, dy: at(8), x: at(0), t: at(4), dx: at(12), acc: false },
    ] as Instr[]) {
      const [got, want] = await Promise.all([backend.run(mem, [instr]), cpuBackend.run(mem, [instr])]);
      expect(describeMismatch(instr.k, mismatch(got.memory, want.memory, 1e-4, 12, 16))).toBe('');
      expect(got.memory[12]).toBeNaN();
      expect(got.memory[13]).toBeNaN();
      expect(got.memory[16]).toBe(9);
    }
  });

  for (const acc of [false, true]) {
    it(`bceGrad${acc ? ' accumulating' : ''}`, async () => {
      for (const n of SIZES) {
        const mem = memory(n, 3 * n + 2);
        await check(backend, `bceGrad n=${n}`, mem, { k: 'bceGrad', n, dy: at(2 * n), x: at(0), t: at(n), dx: at(3 * n + 2), acc }, 3 * n + 2, n);
        await check(backend, `bceGrad into t n=${n}`, mem, { k: 'bceGrad', n, dy: at(2 * n), x: at(0), t: at(n), dx: at(n), acc }, n, n);
      }
    });

    it(`bceTargetGrad${acc ? ' accumulating' : ''}`, async () => {
      for (const n of SIZES) {
        const mem = memory(n, 5 * n + 3);
        await check(backend, `bceTargetGrad n=${n}`, mem, { k: 'bceTargetGrad', n, dy: at(2 * n), x: at(0), dt: at(3 * n + 2), acc }, 3 * n + 2, n);
        await check(backend, `bceTargetGrad into t n=${n}`, mem, { k: 'bceTargetGrad', n, dy: at(2 * n), x: at(0), dt: at(n), acc }, n, n);
      }
    });
  }
});
