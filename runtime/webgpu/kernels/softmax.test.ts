import { describe, expect, it } from 'vitest';
import type { Instr } from '../../compile/instr.ts';
import { rng, uniform } from '../../cpu/kernels/test-support.ts';
import { instrSuite, cpuBackend } from '../testing/instr-backends.ts';
import { describeMismatch, mismatch } from '../testing/compare.ts';

const B = await instrSuite();

/** Logits in ±3, every 13th ±30…±100 (exp overflows float32 past 88), and a row (the second) of only such: the max must be subtracted. */
function logits(n: number, width: number, seed: number): number[] {
  const r = rng(seed);
  return Array.from({ length: n }, (_, i) => {
    const big = i % 13 === 5 || (i >= width && i < 2 * width);
    return Math.fround(big ? uniform(r, 30, 100) * (r() < 0.5 ? -1 : 1) : uniform(r, -3, 3));
  });
}

const at = (off: number) => ({ buf: 0, off });
const ROWS = [0, 1, 3, 257];
const WIDTHS = [1, 2, 17, 300];

/** Runs `instr` on both backends and checks `[from, to)` within 1e-4 and the elements either side untouched. */
async function check(backend: (typeof B.list)[number], what: string, mem: number[], instr: Instr, from: number, to: number): Promise<void> {
  const [got, want] = await Promise.all([backend.run(mem, [instr]), cpuBackend.run(mem, [instr])]);
  expect(describeMismatch(what, mismatch(got.memory, want.memory, 1e-4, from, to))).toBe('');
  expect(got.memory[from - 1]).toBe(mem[from - 1]);
  expect(got.memory[to]).toBe(mem[to]);
}

describe.each(B.list)('softmax kernels on $name', (backend) => {
  it('softmax into another buffer and in place', async () => {
    for (const rows of ROWS) {
      for (const n of WIDTHS) {
        const size = rows * n;
        const mem = logits(2 * size + 6, n, rows * 31 + n);
        await check(backend, `softmax ${rows}x${n}`, mem, { k: 'softmax', rows, n, x: at(2), y: at(size + 4) }, size + 4, 2 * size + 4);
        await check(backend, `softmax in place ${rows}x${n}`, mem, { k: 'softmax', rows, n, x: at(2), y: at(2) }, 2, size + 2);
      }
    }
  });

  it('softmax rows sum to one and the largest logit gets the largest share', async () => {
    const rows = 5;
    const n = 300;
    const mem = logits(rows * n + 2, n, 3);
    const got = await backend.run(mem, [{ k: 'softmax', rows, n, x: at(1), y: at(1) }]);
    for (let r = 0; r < rows; r++) {
      const row = Array.from(got.memory.subarray(1 + r * n, 1 + (r + 1) * n));
      const x = mem.slice(1 + r * n, 1 + (r + 1) * n);
      expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      expect(row.indexOf(Math.max(...row))).toBe(x.indexOf(Math.max(...x)));
    }
  });

  it('softmax rows with −Inf, +Inf or NaN: NaN rows, as on the CPU; other rows unharmed', async () => {
    const I = Infinity;
    const mem = [0, -I, -I, -I, 1, NaN, 2, I, 1, 2, -I, 0, 0, 0, ...new Array<number>(13).fill(0)];
    await check(backend, 'softmax non-finite', mem, { k: 'softmax', rows: 4, n: 3, x: at(1), y: at(13) }, 13, 25);
    const got = await backend.run(mem, [{ k: 'softmax', rows: 4, n: 3, x: at(1), y: at(13) }]);
    expect(Array.from(got.memory.subarray(13, 22)).every(Number.isNaN)).toBe(true);
    expect(got.memory[22]).toBe(0);
    expect(got.memory[23]).toBeCloseTo(0.5, 6);
  });

  for (const acc of [false, true]) {
    it(`softmaxGrad${acc ? ' accumulating' : ''}`, async () => {
      for (const rows of ROWS) {
        for (const n of WIDTHS) {
          const size = rows * n;
          const r = rng(rows + 7 * n);
          // y: a real softmax output; dy and dx: random.
          const mem = Array.from({ length: 3 * size + 8 }, () => Math.fround(uniform(r, -2, 2)));
          for (let i = 0; i < rows; i++) {
            const e = Array.from({ length: n }, () => Math.exp(uniform(r, -5, 5)));
            const s = e.reduce((a, b) => a + b, 0);
            e.forEach((v, j) => (mem[size + 3 + i * n + j] = Math.fround(v / s)));
          }
          const instr: Instr = { k: 'softmaxGrad', rows, n, dy: at(1), y: at(size + 3), dx: at(2 * size + 5), acc };
          await check(backend, `softmaxGrad ${rows}x${n}`, mem, instr, 2 * size + 5, 3 * size + 5);
          if (!acc) await check(backend, `softmaxGrad in place ${rows}x${n}`, mem, { ...instr, dx: at(1) }, 1, size + 1);
        }
      }
    });
  }
});
