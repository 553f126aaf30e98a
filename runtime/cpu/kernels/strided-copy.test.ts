import { describe, it } from 'vitest';
import fc from 'fast-check';
import { prepareStrided, type StridedSpec } from './strided.ts';
import { stridedCopy } from './strided-copy.ts';
import { forEachIndex, layoutArb, makeLayout, shapeArb, type Layout } from './strided-cases.ts';
import { CTORS, Expected, output, rng, SIZES, tolFor, uniform, type FloatCtor } from './test-support.ts';

/**
 * Runs stridedCopy over `shape` with the given out and src views, both through prepareStrided
 * and on the raw (unsimplified) spec, and checks the whole out buffer against the naive odometer.
 */
function runCopy(C: FloatCtor, shape: readonly number[], out: Layout, src: Layout, accumulate: boolean, alpha: number, seed: number): void {
  const r = rng(seed);
  const s = new C(src.size + 3).fill(NaN);
  forEachIndex(shape, [src], ([i]) => (s[i!] = uniform(r)));
  const specs: StridedSpec[] = [prepareStrided(shape, out.strides, src.strides), { shape, strides: [out.strides, src.strides] }];
  for (const spec of specs) {
    const o = output(C, out.size + 3, accumulate ? () => uniform(r) : undefined);
    const want = new Expected(o);
    forEachIndex(shape, [out, src], ([oi, si]) => {
      const v = alpha * s[si!]!;
      if (accumulate) want.add(oi!, v);
      else want.set(oi!, v);
    });
    stridedCopy(spec, s, src.offset, o, out.offset, accumulate, alpha);
    want.check(o, tolFor(C), `stridedCopy ${JSON.stringify({ shape, spec, out, src, accumulate, alpha })}`);
  }
}

const dense = (shape: readonly number[], offset: number): Layout =>
  makeLayout(shape, shape.map((_, d) => d), shape.map(() => 0), shape.map(() => false), offset);
const withStrides = (shape: readonly number[], strides: number[], offset: number): Layout => ({
  strides,
  offset,
  size: offset + shape.reduce((s, n, d) => s + Math.max(n - 1, 0) * strides[d]!, 0) + 1,
});

describe('stridedCopy', () => {
  for (const C of CTORS)
    it(`${C.name}: the fast paths at every size (contiguous, slice rows, row sums, column sums, broadcast)`, () => {
      let seed = 1;
      for (const n of SIZES)
        for (const m of [1, 3, 7])
          for (const accumulate of [false, true])
            for (const alpha of [1, -0.5]) {
              // rank 1 contiguous copy / axpy
              runCopy(C, [n], dense([n], 2), dense([n], 5), accumulate, alpha, seed++);
              // rank 2, contiguous rows out of a wider matrix (slice / concat piece)
              runCopy(C, [m, n], dense([m, n], 1), withStrides([m, n], [n + 4, 1], 3), accumulate, alpha, seed++);
              // broadcast a row over m rows (forward of a broadcast)
              runCopy(C, [m, n], dense([m, n], 1), withStrides([m, n], [0, 1], 3), accumulate, alpha, seed++);
              // a strided (transposed) source
              runCopy(C, [m, n], dense([m, n], 0), withStrides([m, n], [1, m], 2), accumulate, alpha, seed++);
              if (accumulate) {
                // row sums: out [m] with an inner zero stride
                runCopy(C, [m, n], withStrides([m, n], [1, 0], 4), dense([m, n], 1), true, alpha, seed++);
                // column sums: d(bias) += dy summed over rows
                runCopy(C, [m, n], withStrides([m, n], [0, 1], 4), dense([m, n], 1), true, alpha, seed++);
                // everything into one scalar
                runCopy(C, [m, n], withStrides([m, n], [0, 0], 4), dense([m, n], 1), true, alpha, seed++);
              }
            }
    });

  it('rank 0 copies one element', () => {
    for (const C of CTORS)
      for (const accumulate of [false, true]) runCopy(C, [], withStrides([], [], 3), withStrides([], [], 1), accumulate, 2, 9);
  });

  it('matches the naive odometer for random ranks 0–6, layouts, offsets and alpha (property)', () => {
    fc.assert(
      fc.property(
        shapeArb.chain((shape) =>
          fc.boolean().chain((accumulate) =>
            fc.tuple(fc.constant(shape), fc.constant(accumulate), layoutArb(shape, accumulate), layoutArb(shape, true)),
          ),
        ),
        fc.constantFrom(...CTORS),
        fc.constantFrom(1, -1, 0.25),
        fc.nat(),
        ([shape, accumulate, out, src], C, alpha, seed) => runCopy(C, shape, out, src, accumulate, alpha, seed),
      ),
      { numRuns: 400 },
    );
  });
});
