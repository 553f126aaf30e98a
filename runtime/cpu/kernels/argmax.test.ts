import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { argmax } from './argmax.ts';

describe('argmax', () => {
  it('picks the first of equal maxima, NaN where one is, row by row at offsets', () => {
    const x = Float32Array.of(9, 1, 3, 3, 2, -1, NaN, 5, 0, 7, 7, 1, NaN, 2, 3);
    const out = new Float32Array(6).fill(-1);
    argmax(3, 5, x, 0, out, 1);
    // rows: [9,1,3,3,2] → 0; [-1,NaN,5,0,7] → 1 (NaN); [7,1,NaN,2,3] → 2 (NaN)
    expect([...out]).toEqual([-1, 0, 1, 2, -1, -1]);
  });

  it('agrees with a plain scan on random rows', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 9 }), fc.infiniteStream(fc.integer({ min: -3, max: 3 })), (rows, n, s) => {
        const it = s[Symbol.iterator]();
        const x = Float64Array.from({ length: rows * n }, () => it.next().value as number);
        const out = new Float64Array(rows);
        argmax(rows, n, x, 0, out, 0);
        for (let r = 0; r < rows; r++) {
          const row = [...x.subarray(r * n, (r + 1) * n)];
          expect(out[r]).toBe(row.indexOf(Math.max(...row)));
        }
      }),
    );
  });
});
