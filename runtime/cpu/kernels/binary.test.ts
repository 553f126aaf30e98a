import { describe, it } from 'vitest';
import fc from 'fast-check';
import { binary, type BinaryOp } from './binary.ts';
import { prepareStrided, type StridedSpec } from './strided.ts';
import { forEachIndex, layoutArb, makeLayout, shapeArb, type Layout } from './strided-cases.ts';
import { CTORS, Expected, output, rng, SIZES, tolFor, uniform, type FloatCtor } from './test-support.ts';

const naive: Record<BinaryOp, (a: number, b: number) => number> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
};
const OPS = Object.keys(naive) as BinaryOp[];

/** Fills every element `view` reaches with random values; the rest stays NaN. */
function operand(C: FloatCtor, shape: readonly number[], view: Layout, r: () => number): Float32Array | Float64Array {
  const buf = new C(view.size + 3).fill(NaN);
  // b stays away from 0 so div is well-conditioned.
  forEachIndex(shape, [view], ([i]) => (buf[i!] = (r() < 0.5 ? -1 : 1) * uniform(r, 0.5, 2)));
  return buf;
}

/** binary over `shape` (prepared and raw specs) against the naive odometer, whole out buffer checked. */
function runBinary(C: FloatCtor, op: BinaryOp, shape: readonly number[], out: Layout, a: Layout, b: Layout, accumulate: boolean, alpha: number, seed: number): void {
  const r = rng(seed);
  const ab = operand(C, shape, a, r);
  const bb = operand(C, shape, b, r);
  const specs: StridedSpec[] = [prepareStrided(shape, out.strides, a.strides, b.strides), { shape, strides: [out.strides, a.strides, b.strides] }];
  for (const spec of specs) {
    const o = output(C, out.size + 3, accumulate ? () => uniform(r) : undefined);
    const want = new Expected(o);
    forEachIndex(shape, [out, a, b], ([oi, ai, bi]) => {
      const v = alpha * naive[op](ab[ai!]!, bb[bi!]!);
      if (accumulate) want.add(oi!, v);
      else want.set(oi!, v);
    });
    binary(op, spec, ab, a.offset, bb, b.offset, o, out.offset, accumulate, alpha);
    want.check(o, tolFor(C), `binary ${op} ${JSON.stringify({ shape, spec, accumulate, alpha })}`);
  }
}

const dense = (shape: readonly number[], offset: number): Layout =>
  makeLayout(shape, shape.map((_, d) => d), shape.map(() => 0), shape.map(() => false), offset);
const withStrides = (shape: readonly number[], strides: number[], offset: number): Layout => ({
  strides,
  offset,
  size: offset + shape.reduce((s, n, d) => s + Math.max(n - 1, 0) * strides[d]!, 0) + 1,
});

describe('binary', () => {
  for (const C of CTORS)
    for (const op of OPS)
      it(`${C.name} ${op}: same-shape, bias broadcast, scalar broadcast and reductions at every size`, () => {
        let seed = op.length;
        for (const n of SIZES)
          for (const m of [1, 3])
            for (const accumulate of [false, true])
              for (const alpha of [1, 0.5]) {
                const sh = [m, n];
                runBinary(C, op, [n], dense([n], 1), dense([n], 2), dense([n], 3), accumulate, alpha, seed++);
                runBinary(C, op, sh, dense(sh, 1), dense(sh, 2), withStrides(sh, [0, 1], 3), accumulate, alpha, seed++);
                runBinary(C, op, sh, dense(sh, 1), withStrides(sh, [0, 0], 4), dense(sh, 2), accumulate, alpha, seed++);
                if (accumulate) {
                  // d(scale) += dy·x reduced over rows, and over columns
                  runBinary(C, op, sh, withStrides(sh, [0, 1], 2), dense(sh, 2), dense(sh, 3), true, alpha, seed++);
                  runBinary(C, op, sh, withStrides(sh, [1, 0], 2), dense(sh, 2), dense(sh, 3), true, alpha, seed++);
                }
              }
      });

  it('rank 0 and in-place (out = a) work', () => {
    for (const C of CTORS)
      for (const op of OPS) {
        runBinary(C, op, [], withStrides([], [], 1), withStrides([], [], 2), withStrides([], [], 0), false, 1, 3);
        const r = rng(4);
        const shape = [3, 5];
        const x = operand(C, shape, dense(shape, 2), r);
        const y = operand(C, shape, withStrides(shape, [0, 1], 1), r);
        const want = new Expected(x);
        forEachIndex(shape, [dense(shape, 2), withStrides(shape, [0, 1], 1)], ([xi, yi]) => want.set(xi!, naive[op](x[xi!]!, y[yi!]!)));
        binary(op, prepareStrided(shape, [5, 1], [5, 1], [0, 1]), x, 2, y, 1, x, 2, false, 1);
        want.check(x, tolFor(C), `in-place ${op}`);
      }
  });

  it('matches the naive odometer for random ranks 0–6, layouts and ops (property)', () => {
    fc.assert(
      fc.property(
        shapeArb.chain((shape) =>
          fc.boolean().chain((accumulate) =>
            fc.tuple(fc.constant(shape), fc.constant(accumulate), layoutArb(shape, accumulate), layoutArb(shape, true), layoutArb(shape, true)),
          ),
        ),
        fc.constantFrom(...CTORS),
        fc.constantFrom(...OPS),
        fc.constantFrom(1, -2),
        fc.nat(),
        ([shape, accumulate, out, a, b], C, op, alpha, seed) => runBinary(C, op, shape, out, a, b, accumulate, alpha, seed),
      ),
      { numRuns: 400 },
    );
  });
});
