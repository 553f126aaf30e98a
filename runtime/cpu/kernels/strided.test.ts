import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { MAX_STRIDED_RANK, prepareStrided, type StridedSpec } from './strided.ts';
import { forEachIndex, layoutArb, shapeArb, type Layout } from './strided-cases.ts';

/** The offsets a spec visits, per index in row-major order, for operands at offset 0. */
function visits(spec: StridedSpec): number[][] {
  const layouts: Layout[] = spec.strides.map((s) => ({ strides: [...s], offset: 0, size: 0 }));
  const out: number[][] = [];
  forEachIndex(spec.shape, layouts, (o) => out.push(o));
  return out;
}

describe('prepareStrided', () => {
  it('merges a fully contiguous tensor into rank 1', () => {
    expect(prepareStrided([2, 3, 4], [12, 4, 1], [12, 4, 1])).toEqual({ shape: [24], strides: [[1], [1]] });
  });

  it('keeps a bias broadcast as rank 2 and merges the leading contiguous axes', () => {
    // out, a = x [T, B, N], b = bias [N]
    expect(prepareStrided([5, 3, 8], [24, 8, 1], [24, 8, 1], [0, 0, 1])).toEqual({
      shape: [15, 8],
      strides: [
        [8, 1],
        [8, 1],
        [0, 1],
      ],
    });
  });

  it('merges axes broadcast together (zero strides) and drops size-1 axes', () => {
    expect(prepareStrided([1, 4, 1, 6, 1], [0, 6, 0, 1, 0], [0, 0, 0, 0, 0])).toEqual({ shape: [24], strides: [[1], [0]] });
  });

  it('leaves a transposed or sliced operand unmerged', () => {
    expect(prepareStrided([3, 4], [4, 1], [1, 3])).toEqual({
      shape: [3, 4],
      strides: [
        [4, 1],
        [1, 3],
      ],
    });
    // Columns [2, 6) of a [3, 10] matrix: rows are not contiguous with each other.
    expect(prepareStrided([3, 4], [4, 1], [10, 1]).shape).toEqual([3, 4]);
  });

  it('gives rank 0 for a scalar or all-ones shape and [0] for an empty one', () => {
    expect(prepareStrided([], [], [])).toEqual({ shape: [], strides: [[], []] });
    expect(prepareStrided([1, 1], [5, 9], [0, 0])).toEqual({ shape: [], strides: [[], []] });
    expect(prepareStrided([3, 0, 2], [0, 2, 1], [6, 2, 1])).toEqual({ shape: [0], strides: [[0], [0]] });
  });

  it('refuses ranks above 6, bad sizes and mismatched stride lists', () => {
    expect(MAX_STRIDED_RANK).toBe(6);
    expect(() => prepareStrided([1, 1, 1, 1, 1, 1, 1], [0, 0, 0, 0, 0, 0, 0])).toThrow(RangeError);
    expect(() => prepareStrided([2, -1], [1, 1])).toThrow(/size -1 of axis 1/);
    expect(() => prepareStrided([2.5], [1])).toThrow(RangeError);
    expect(() => prepareStrided([2, 3], [3, 1], [1])).toThrow(/operand 1 has 1 strides for rank 2/);
    expect(() => prepareStrided([2], [0.5])).toThrow(RangeError);
  });

  it('visits exactly the same offsets in the same order as the original space (property)', () => {
    fc.assert(
      fc.property(
        shapeArb.chain((shape) => fc.tuple(fc.constant(shape), fc.array(layoutArb(shape, true), { minLength: 1, maxLength: 3 }))),
        ([shape, layouts]) => {
          const original: StridedSpec = { shape, strides: layouts.map((l) => l.strides) };
          const prepared = prepareStrided(shape, ...layouts.map((l) => l.strides));
          expect(visits(prepared)).toEqual(visits(original));
          expect(prepared.shape.length).toBeLessThanOrEqual(shape.length);
          expect(prepared.shape.every((n) => n !== 1)).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
  });
});
