import { describe, expect, it } from 'vitest';
import type { Instr } from '../../compile/instr.ts';
import { rng } from '../../cpu/kernels/test-support.ts';
import { instrSuite, cpuBackend } from '../testing/instr-backends.ts';

const B = await instrSuite();

const at = (off: number) => ({ buf: 0, off });

/** Integers in [−3, 3] (so most rows have tied maxima, often in different invocations' shares), then a few rows made special. */
function memory(rows: number, n: number, seed: number): number[] {
  const r = rng(seed);
  const mem = Array.from({ length: rows * n + rows + 2 }, () => Math.floor(r() * 7) - 3);
  const row = (k: number): number => 1 + k * n;
  if (rows > 1 && n > 2) {
    mem[row(1) + n - 1] = NaN; // a NaN at the end wins over every number before it
    mem[row(1) + 1] = NaN; // …but the first NaN wins
  }
  if (rows > 2) for (let j = 0; j < n; j++) mem[row(2) + j] = -Infinity; // all −Inf: index 0
  if (rows > 3 && n > 1) mem[row(3) + n - 1] = 4; // the largest, last
  if (rows > 4 && n > 1) mem[row(4) + n - 1] = Infinity;
  return mem;
}

/** Runs argmax on both backends; the ids must be equal exactly, and the rest of memory untouched. */
async function check(backend: (typeof B.list)[number], rows: number, n: number, seed: number): Promise<void> {
  const mem = memory(rows, n, seed);
  const out = 1 + rows * n;
  const instr: Instr = { k: 'argmax', rows, n, x: at(1), out: at(out) };
  const [got, want] = await Promise.all([backend.run(mem, [instr]), cpuBackend.run(mem, [instr])]);
  expect(Array.from(got.memory.subarray(out, out + rows)), `argmax ${rows}x${n}`).toEqual(Array.from(want.memory.subarray(out, out + rows)));
  expect(Array.from(got.memory.subarray(0, out))).toEqual(Array.from(want.memory.subarray(0, out)));
  expect(got.memory[out + rows]).toBe(mem[out + rows]);
}

describe.each(B.list)('argmax on $name', (backend) => {
  it('first of tied maxima, first NaN, −Inf rows, every width', async () => {
    for (const rows of [0, 1, 3, 7, 257]) for (const n of [1, 2, 17, 300, 1000]) await check(backend, rows, n, rows * 13 + n);
  });

  it('known answers', async () => {
    // Rows of 4: ties at 1 and 3; NaN at 2; all −Inf; the max at 3.
    const x = [0, 5, 1, 5, 1, 2, NaN, 9, -Infinity, -Infinity, -Infinity, -Infinity, -1, -2, -3, -0.5];
    const got = await backend.run([...x, 0, 0, 0, 0], [{ k: 'argmax', rows: 4, n: 4, x: at(0), out: at(16) }]);
    expect(Array.from(got.memory.subarray(16))).toEqual([1, 2, 0, 3]);
  });

  it('rows of width 0 get id 0', async () => {
    const got = await backend.run([5, 5, 5, 5], [{ k: 'argmax', rows: 3, n: 0, x: at(0), out: at(1) }]);
    expect(Array.from(got.memory)).toEqual([5, 0, 0, 0]);
  });

  it('more rows than one grid dimension holds', async () => {
    await check(backend, 65537, 1, 5);
  });
});
