import { describe, expect, it } from 'vitest';
import { gather, scatterAdd } from './gather.ts';
import { CTORS, Expected, input, inputOf, output, rng, SENTINEL, tolFor, uniform } from './test-support.ts';

describe('gather', () => {
  for (const C of CTORS)
    it(`${C.name}: copies table rows by id, repeated ids included; untouched padding`, () => {
      const r = rng(C.BYTES_PER_ELEMENT);
      for (const rows of [0, 1, 3, 17])
        for (const d of [0, 1, 3, 33])
          for (const V of [1, 5]) {
            const table = input(C, V * d, 3, () => uniform(r));
            const ids = inputOf(C, Array.from({ length: rows }, () => Math.floor(r() * V)), 2);
            const out = output(C, rows * d + 5);
            const want = new Expected(out);
            for (let i = 0; i < rows; i++) for (let j = 0; j < d; j++) want.set(1 + i * d + j, table.vals[ids.vals[i]! * d + j]!);
            gather(rows, d, table.buf, 3, ids.buf, 2, out, 1, V);
            want.check(out, tolFor(C), `gather ${rows}×${d}`);
          }
    });

  it('throws a RangeError naming row, id and table size; the default size is what fits in the buffer', () => {
    const table = new Float64Array(2 + 4 * 3); // offset 2, 4 rows of 3
    const out = new Float64Array(6);
    const ids = (v: number): Float64Array => Float64Array.of(1, v);
    expect(() => gather(2, 3, table, 2, ids(4), 0, out, 0)).toThrow('gather: row 1 has id 4, outside the table of 4 rows');
    expect(() => gather(2, 3, table, 2, ids(3), 0, out, 0, 3)).toThrow('row 1 has id 3, outside the table of 3 rows');
    for (const bad of [-1, NaN]) expect(() => gather(2, 3, table, 2, ids(bad), 0, out, 0)).toThrow(RangeError);
    expect(() => gather(2, 3, table, 2, ids(3), 0, out, 0)).not.toThrow();
  });

  it('rows = 0 does nothing', () => {
    const out = Float32Array.of(SENTINEL);
    gather(0, 4, new Float32Array(0), 0, new Float32Array(0), 0, out, 0);
    expect(out[0]).toBe(SENTINEL);
  });
});

describe('scatterAdd', () => {
  for (const C of CTORS)
    it(`${C.name}: adds each row's gradient into its table row, summing repeats; untouched padding`, () => {
      const r = rng(9 + C.BYTES_PER_ELEMENT);
      for (const rows of [0, 1, 3, 17])
        for (const d of [0, 1, 3, 33])
          for (const V of [1, 5]) {
            const dOut = input(C, rows * d, 4, () => uniform(r));
            const ids = inputOf(C, Array.from({ length: rows }, () => Math.floor(r() * V)), 1);
            const dTable = output(C, 3 + V * d + 4, () => uniform(r));
            const want = new Expected(dTable);
            for (let i = 0; i < rows; i++) for (let j = 0; j < d; j++) want.add(3 + ids.vals[i]! * d + j, dOut.vals[i * d + j]!);
            scatterAdd(rows, d, dOut.buf, 4, ids.buf, 1, dTable, 3, V);
            // float32 tables round after every row added; allow that per repeat.
            want.check(dTable, { ...tolFor(C), rtol: C === Float32Array ? 2e-6 * rows : 1e-12 }, `scatterAdd ${rows}×${d}`);
          }
    });

  it('throws a RangeError for a bad id', () => {
    expect(() => scatterAdd(1, 2, new Float64Array(2), 0, Float64Array.of(5), 0, new Float64Array(10), 0)).toThrow(
      'scatterAdd: row 0 has id 5, outside the table of 5 rows',
    );
  });
});
