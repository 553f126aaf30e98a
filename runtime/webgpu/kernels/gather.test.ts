import { describe, expect, it } from 'vitest';
import type { Instr } from '../../compile/instr.ts';
import { rng, uniform } from '../../cpu/kernels/test-support.ts';
import { instrSuite, cpuBackend } from '../testing/instr-backends.ts';
import { describeMismatch, mismatch } from '../testing/compare.ts';

const B = await instrSuite();

const at = (off: number) => ({ buf: 0, off });
const ROWS = [0, 1, 3, 257];
const WIDTHS = [1, 2, 17, 300];
/** Table rows: few, so ids repeat (a repeated id is where scatterAdd's sums must add up). */
const TABLE = 5;

/**
 * `[pad | ids rows | pad | table TABLE×d | pad | rows×d block | pad]`: ids in [0, TABLE), some
 * fractional (they truncate), the last table row always used; values in ±2.
 */
function layout(rows: number, d: number, seed: number) {
  const r = rng(seed);
  const ids = 1;
  const table = ids + rows + 1;
  const block = table + TABLE * d + 1;
  const mem = Array.from({ length: block + rows * d + 1 }, () => Math.fround(uniform(r, -2, 2)));
  for (let k = 0; k < rows; k++) {
    const id = k === 1 ? TABLE - 1 : Math.floor(r() * TABLE);
    mem[ids + k] = k % 4 === 2 ? Math.fround(id + 0.5) : id;
  }
  return { mem, ids, table, block };
}

describe.each(B.list)('lookup kernels on $name', (backend) => {
  it('gather copies the rows the ids name', async () => {
    for (const rows of ROWS) {
      for (const d of WIDTHS) {
        const { mem, ids, table, block } = layout(rows, d, rows * 3 + d);
        const instr: Instr = { k: 'gather', rows, d, table: at(table), ids: at(ids), out: at(block) };
        const [got, want] = await Promise.all([backend.run(mem, [instr]), cpuBackend.run(mem, [instr])]);
        // A copy: exact.
        expect(Array.from(got.memory)).toEqual(Array.from(want.memory));
        if (rows > 1) expect(got.memory[block + d]).toBe(mem[table + (TABLE - 1) * d]);
      }
    }
  });

  it('gather of a negative or NaN id: a RangeError on the CPU, a NaN row on the GPU', async () => {
    for (const bad of [-1, NaN]) {
      // ids [1, bad]; table 3×2 at 3; out 2×2 at 9.
      const mem = [0, 1, bad, 10, 11, 12, 13, 14, 15, 0, 0, 0, 0, 0];
      const instr: Instr = { k: 'gather', rows: 2, d: 2, table: at(3), ids: at(1), out: at(9) };
      if (backend.name === 'cpu') {
        await expect(backend.run(mem, [instr])).rejects.toThrow(RangeError);
        continue;
      }
      const got = await backend.run(mem, [instr]);
      expect(Array.from(got.memory.subarray(9, 11))).toEqual([12, 13]);
      expect(Array.from(got.memory.subarray(11, 13)).every(Number.isNaN)).toBe(true);
      expect(got.memory[13]).toBe(0);
    }
  });

  it('scatterAdd sums the rows of repeated ids into the table', async () => {
    for (const rows of ROWS) {
      for (const d of WIDTHS) {
        const { mem, ids, table, block } = layout(rows, d, rows * 7 + d);
        const instr: Instr = { k: 'scatterAdd', rows, d, dOut: at(block), ids: at(ids), dTable: at(table) };
        const [got, want] = await Promise.all([backend.run(mem, [instr]), cpuBackend.run(mem, [instr])]);
        expect(describeMismatch(`scatterAdd ${rows}x${d}`, mismatch(got.memory, want.memory, 1e-4, table, table + TABLE * d))).toBe('');
        // Everything but the table is untouched.
        expect(Array.from(got.memory.subarray(0, table))).toEqual(mem.slice(0, table));
        expect(Array.from(got.memory.subarray(table + TABLE * d))).toEqual(mem.slice(table + TABLE * d));
      }
    }
  });

  it('scatterAdd of one id many times adds every row (no lost update)', async () => {
    const rows = 300;
    const d = 3;
    // ids all 0; dOut rows all 1: the table's first row gains exactly `rows`.
    const mem = [...new Array<number>(rows).fill(0), 0.5, 0.5, 0.5, 7, 7, 7, ...new Array<number>(rows * d).fill(1)];
    const got = await backend.run(mem, [{ k: 'scatterAdd', rows, d, dOut: at(rows + 2 * d), ids: at(0), dTable: at(rows) }]);
    expect(Array.from(got.memory.subarray(rows, rows + 2 * d))).toEqual([300.5, 300.5, 300.5, 7, 7, 7]);
  });
});
