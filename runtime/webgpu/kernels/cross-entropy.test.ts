import { describe, expect, it } from 'vitest';
import type { Instr } from '../../compile/instr.ts';
import { rng, uniform } from '../../cpu/kernels/test-support.ts';
import { instrSuite, cpuBackend } from '../testing/instr-backends.ts';
import { describeMismatch, mismatch } from '../testing/compare.ts';

const B = await instrSuite();

const at = (off: number) => ({ buf: 0, off });
const ROWS = [0, 1, 3, 257];
const WIDTHS = [1, 2, 17, 300];

/**
 * Memory `[pad | logits rows×V | pad | targets rows | pad | loss rows | pad | probs rows×V | pad]`:
 * logits in ±3 with every 11th ±30…±100 (exp overflows float32 past 88) and the first row all large; targets are class ids, some
 * fractional (they truncate), every third one the row's largest logit (a small loss next to large ones).
 */
function layout(rows: number, V: number, seed: number) {
  const r = rng(seed);
  const lg = 1;
  const tg = lg + rows * V + 1;
  const ls = tg + rows + 1;
  const pr = ls + rows + 1;
  const mem = Array.from({ length: pr + rows * V + 1 }, () => Math.fround(uniform(r, -3, 3)));
  for (let i = 0; i < rows * V; i++) if (i % 11 === 4 || i < V) mem[lg + i] = Math.fround(uniform(r, 30, 100) * (r() < 0.5 ? -1 : 1));
  for (let row = 0; row < rows; row++) {
    const x = mem.slice(lg + row * V, lg + (row + 1) * V);
    const id = row % 3 === 0 ? x.indexOf(Math.max(...x)) : Math.floor(r() * V);
    mem[tg + row] = row % 5 === 1 ? Math.fround(id + 0.75) : id;
  }
  return { mem, lg, tg, ls, pr };
}

describe.each(B.list)('cross-entropy kernels on $name', (backend) => {
  it('crossEntropy: loss and probabilities, probs apart and in place of the logits', async () => {
    for (const rows of ROWS) {
      for (const V of WIDTHS) {
        const { mem, lg, tg, ls, pr } = layout(rows, V, rows * 17 + V);
        for (const probs of [pr, lg]) {
          const instr: Instr = { k: 'crossEntropy', rows, V, logits: at(lg), targets: at(tg), loss: at(ls), probs: at(probs) };
          const [got, want] = await Promise.all([backend.run(mem, [instr]), cpuBackend.run(mem, [instr])]);
          const what = `crossEntropy ${rows}x${V}${probs === lg ? ' in place' : ''}`;
          expect(describeMismatch(`${what} loss`, mismatch(got.memory, want.memory, 1e-4, ls, ls + rows))).toBe('');
          expect(describeMismatch(`${what} probs`, mismatch(got.memory, want.memory, 1e-4, probs, probs + rows * V))).toBe('');
          // Targets and the pads around the outputs are untouched.
          for (const i of [tg - 1, ...Array.from({ length: rows }, (_, k) => tg + k), ls - 1, ls + rows, pr - 1, pr + rows * V]) expect(got.memory[i]).toBe(mem[i]);
        }
      }
    }
  });

  it('crossEntropy: a confident row keeps its small loss (no cancellation against large logits)', async () => {
    // Row 0: logits 80, 60, 60 and target 0: loss = log(1 + 2e−20) ≈ 4e−9; row 1 misses by 20.
    const mem = [0, 80, 60, 60, 60, 80, 60, 0, 0, 0, 0, 0];
    const instr: Instr = { k: 'crossEntropy', rows: 2, V: 3, logits: at(1), targets: at(7), loss: at(9), probs: at(1) };
    const got = await backend.run(mem, [instr]);
    expect(got.memory[9]).toBeCloseTo(2 * Math.exp(-20), 12);
    expect(got.memory[10]).toBeCloseTo(20, 4);
  });

  it('crossEntropy: a target outside [0, V) is a RangeError on the CPU and a NaN loss on the GPU', async () => {
    for (const bad of [3, -1, NaN]) {
      const mem = [0, 1, 2, 3, 4, 5, 6, 1, bad, 0, 0, 0];
      const instr: Instr = { k: 'crossEntropy', rows: 2, V: 3, logits: at(1), targets: at(7), loss: at(9), probs: at(1) };
      if (backend.name === 'cpu') {
        await expect(backend.run(mem, [instr])).rejects.toThrow(RangeError);
        continue;
      }
      const got = await backend.run(mem, [instr]);
      expect(got.memory[9]).toBeCloseTo(Math.log(1 + Math.exp(-1) + Math.exp(1)), 5);
      expect(got.memory[10]).toBeNaN();
    }
  });

  it('crossEntropy rows with −Inf, +Inf or NaN logits: the CPU\'s NaN or Inf loss and probs', async () => {
    const I = Infinity;
    // Rows: all −Inf; a NaN; +Inf not the target; +Inf the target; one −Inf not the target; one −Inf the target.
    const mem = [0, -I, -I, -I, 1, NaN, 2, I, 1, 2, 3, 4, I, 0, -I, 5, 0, -I, 5, 0, 0, 1, 2, 2, 1, ...new Array<number>(28).fill(0)];
    const instr: Instr = { k: 'crossEntropy', rows: 6, V: 3, logits: at(1), targets: at(19), loss: at(26), probs: at(33) };
    const [got, want] = await Promise.all([backend.run(mem, [instr]), cpuBackend.run(mem, [instr])]);
    expect(describeMismatch('loss', mismatch(got.memory, want.memory, 1e-4, 26, 32))).toBe('');
    expect(describeMismatch('probs', mismatch(got.memory, want.memory, 1e-4, 33, 51))).toBe('');
    expect(Array.from(got.memory.subarray(26, 30)).every(Number.isNaN)).toBe(true);
    expect(got.memory[30]).toBeCloseTo(Math.log1p(Math.exp(-5)), 6);
    expect(got.memory[31]).toBe(Infinity);
    const [a, b] = [Math.exp(-5) / (1 + Math.exp(-5)), 1 / (1 + Math.exp(-5))];
    [a, 0, b, a, 0, b].forEach((p, k) => expect(got.memory[45 + k]).toBeCloseTo(p, 6));
    expect(got.memory[51]).toBe(0);
  });

  for (const acc of [false, true]) {
    it(`crossEntropyGrad${acc ? ' accumulating' : ''}`, async () => {
      for (const rows of ROWS) {
        for (const V of WIDTHS) {
          // Reuse the layout: dLoss in the loss slot, probs random in (0, 1), dLogits where the logits were.
          const { mem, lg, tg, ls, pr } = layout(rows, V, rows * 5 + V);
          const r = rng(V);
          for (let i = 0; i < rows * V; i++) mem[pr + i] = Math.fround(r());
          const instr: Instr = { k: 'crossEntropyGrad', rows, V, dLoss: at(ls), probs: at(pr), targets: at(tg), dLogits: at(lg), acc };
          const [got, want] = await Promise.all([backend.run(mem, [instr]), cpuBackend.run(mem, [instr])]);
          expect(describeMismatch(`crossEntropyGrad ${rows}x${V}`, mismatch(got.memory, want.memory, 1e-4, lg, lg + rows * V))).toBe('');
          expect(got.memory[lg - 1]).toBe(mem[lg - 1]);
          expect(got.memory[lg + rows * V]).toBe(mem[lg + rows * V]);
        }
      }
    });
  }

  it('crossEntropyGrad: a bad target gives its row NaN gradients on the GPU', async () => {
    const mem = [0, 0.5, 0.25, 0.25, 0.2, 0.3, 0.5, 2, 7, 1, 1, 0, 0, 0, 0, 0, 0, 0];
    const instr: Instr = { k: 'crossEntropyGrad', rows: 2, V: 3, dLoss: at(9), probs: at(1), targets: at(7), dLogits: at(11), acc: false };
    if (backend.name === 'cpu') {
      await expect(backend.run(mem, [instr])).rejects.toThrow(RangeError);
      return;
    }
    const got = await backend.run(mem, [instr]);
    expect(Array.from(got.memory.subarray(11, 14))).toEqual([0.5, 0.25, 0.25 - 1]);
    expect(Array.from(got.memory.subarray(14, 17)).every(Number.isNaN)).toBe(true);
  });
});
