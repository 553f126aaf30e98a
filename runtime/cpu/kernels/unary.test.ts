import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fill, unary, unaryGrad, type UnaryGradOp, type UnaryOp } from './unary.ts';
import { centralDiff, CTORS, Expected, gradError, input, output, rng, SENTINEL, SIZES, tolFor, uniform } from './test-support.ts';

/** Textbook definitions, float64; sigmoid deliberately the naive 1/(1+e^−x) (fine for |x| ≤ 5). */
const naive: Record<UnaryOp, (x: number, alpha: number) => number> = {
  copy: (x) => x,
  neg: (x) => -x,
  scale: (x, alpha) => alpha * x,
  tanh: (x) => (Math.exp(x) - Math.exp(-x)) / (Math.exp(x) + Math.exp(-x)),
  sigmoid: (x) => 1 / (1 + Math.exp(-x)),
  relu: (x) => Math.max(x, 0),
  exp: (x) => Math.exp(x),
  log: (x) => Math.log(x),
};
const OPS = Object.keys(naive) as UnaryOp[];
/** log needs positive inputs; everything else sees [−5, 5). */
const domain = (op: UnaryOp | UnaryGradOp): [number, number] => (op === 'log' ? [0.05, 5] : [-5, 5]);

describe('unary', () => {
  for (const C of CTORS)
    for (const op of OPS)
      it(`${C.name} ${op}: every size, offset, accumulate mode; nothing outside the range changes`, () => {
        const r = rng(op.length * 31 + C.BYTES_PER_ELEMENT);
        const [lo, hi] = domain(op);
        for (const n of SIZES)
          for (const accumulate of [false, true]) {
            const x = input(C, n, 4, () => uniform(r, lo, hi));
            const out = output(C, n + 9, accumulate ? () => uniform(r) : undefined);
            const want = new Expected(out);
            const alpha = op === 'scale' ? -0.75 : 3; // 3 must be ignored by every other op
            for (let i = 0; i < n; i++) {
              const v = naive[op](x.vals[i]!, -0.75);
              if (accumulate) want.add(6 + i, v);
              else want.set(6 + i, v);
            }
            unary(op, n, x.buf, 4, out, 6, accumulate, alpha);
            want.check(out, { rtol: C === Float32Array ? 2e-6 : 1e-14, atol: 1e-14 }, `${op} n=${n}`);
          }
      });

  it('works in place (out = x, same offset) without accumulate', () => {
    for (const C of CTORS)
      for (const op of OPS) {
        const r = rng(5);
        const [lo, hi] = domain(op);
        const x = input(C, 33, 2, () => uniform(r, lo, hi));
        const want = new Expected(x.buf);
        x.vals.forEach((v, i) => want.set(2 + i, naive[op](v, 2.5)));
        unary(op, 33, x.buf, 2, x.buf, 2, false, 2.5);
        want.check(x.buf, tolFor(C), op);
      }
  });

  it('sigmoid is finite and correctly saturated for huge |x|; tanh and relu too', () => {
    const xs = [-1e308, -1000, -750, -40, 0, 40, 750, 1000, 1e308, -Infinity, Infinity];
    for (const C of CTORS) {
      const x = C.from(xs);
      const y = new C(xs.length);
      unary('sigmoid', xs.length, x, 0, y, 0, false, 0);
      for (const v of y) expect(Number.isNaN(v)).toBe(false);
      expect(y[0]).toBe(0);
      expect(y[4]).toBe(0.5);
      expect(y[8]).toBe(1);
      expect(y[10]).toBe(1);
      expect(y[9]).toBe(0);
      unary('tanh', xs.length, x, 0, y, 0, false, 0);
      expect([y[0], y[8]]).toEqual([-1, 1]);
    }
  });

  it('relu propagates NaN instead of hiding it', () => {
    const y = new Float64Array(1);
    unary('relu', 1, Float64Array.of(NaN), 0, y, 0, false, 0);
    expect(y[0]).toBeNaN();
  });

  it('n = 0 (and negative n) does nothing with empty buffers', () => {
    for (const C of CTORS)
      for (const op of OPS) {
        const out = new C(2).fill(SENTINEL);
        unary(op, 0, new C(0), 0, out, 1, true, 1);
        unary(op, -3, new C(0), 0, out, 1, false, 1);
        expect(Array.from(out)).toEqual([SENTINEL, SENTINEL]);
      }
  });
});

/** f′ written out by hand, from the op's input x. */
const naiveGrad: Record<UnaryGradOp, (x: number) => number> = {
  tanh: (x) => 1 / Math.cosh(x) ** 2,
  sigmoid: (x) => Math.exp(-x) / (1 + Math.exp(-x)) ** 2,
  relu: (x) => (x > 0 ? 1 : 0),
  exp: (x) => Math.exp(x),
  log: (x) => 1 / x,
};
const GRAD_OPS = Object.keys(naiveGrad) as UnaryGradOp[];
/** The grad kernel reads the op's output for these and its input for the rest. */
const savesOutput = (op: UnaryGradOp): boolean => op === 'tanh' || op === 'sigmoid' || op === 'exp';

describe('unaryGrad', () => {
  for (const C of CTORS)
    for (const op of GRAD_OPS)
      it(`${C.name} ${op}: dy·f′ from the documented saved tensor, every size and mode`, () => {
        const r = rng(op.length * 7 + C.BYTES_PER_ELEMENT);
        const [lo, hi] = domain(op);
        for (const n of SIZES)
          for (const accumulate of [false, true]) {
            const xs = Array.from({ length: n }, () => uniform(r, lo, hi));
            // The saved tensor as the forward would have left it, in this precision.
            const saved = input(C, n, 3, () => 0);
            unary(savesOutput(op) ? op : 'copy', n, C.from(xs), 0, saved.buf, 3, false, 1);
            const savedVals = Array.from(saved.buf.subarray(3, 3 + n));
            const dy = input(C, n, 1, () => uniform(r));
            const dx = output(C, n + 8, accumulate ? () => uniform(r) : undefined);
            const want = new Expected(dx);
            for (let i = 0; i < n; i++) {
              const s = savedVals[i]!;
              // The formula in terms of the saved value, which for float32 is a rounded y.
              const fp = op === 'tanh' ? 1 - s * s : op === 'sigmoid' ? s * (1 - s) : op === 'exp' ? s : naiveGrad[op](s);
              const v = dy.vals[i]! * fp;
              if (accumulate) want.add(5 + i, v);
              else want.set(5 + i, v);
            }
            unaryGrad(op, n, dy.buf, 1, saved.buf, 3, dx, 5, accumulate);
            want.check(dx, tolFor(C), `${op}' n=${n}`);
          }
      });

  it('float64 gradients agree with central differences of unary and with hand-written derivatives', () => {
    fc.assert(
      fc.property(fc.constantFrom(...GRAD_OPS), fc.double({ min: -4, max: 4, noNaN: true }), fc.double({ min: -2, max: 2, noNaN: true }), (op, x0, dy) => {
        const x = op === 'log' ? 0.1 + Math.abs(x0) : op === 'relu' && Math.abs(x0) < 1e-3 ? x0 + 0.01 : x0;
        const f = (v: number): number => {
          const out = new Float64Array(1);
          unary(op, 1, Float64Array.of(v), 0, out, 0, false, 1);
          return out[0]!;
        };
        const saved = Float64Array.of(savesOutput(op) ? f(x) : x);
        const dx = new Float64Array(1);
        unaryGrad(op, 1, Float64Array.of(dy), 0, saved, 0, dx, 0, false);
        expect(gradError(dx[0]!, dy * centralDiff(f, x, 1e-6))).toBeLessThan(1e-6);
        expect(gradError(dx[0]!, dy * naiveGrad[op](x))).toBeLessThan(1e-9);
      }),
      { numRuns: 500 },
    );
  });

  it('dx may be dy in place', () => {
    for (const C of CTORS) {
      const dy = C.of(NaN, 1, -2, 3);
      const saved = C.of(NaN, 0.5, 0.25, -0.5);
      unaryGrad('tanh', 3, dy, 1, saved, 1, dy, 1, false);
      expect(Array.from(dy)).toEqual([NaN, 0.75, -2 * 0.9375, 3 * 0.75]);
    }
  });
});

describe('fill', () => {
  it('writes exactly n values at the offset; n = 0 does nothing', () => {
    for (const C of CTORS)
      for (const n of SIZES) {
        const out = output(C, n + 6);
        const want = new Expected(out);
        for (let i = 0; i < n; i++) want.set(2 + i, 1.5);
        fill(out, 2, n, 1.5);
        want.check(out, tolFor(C));
      }
  });
});
