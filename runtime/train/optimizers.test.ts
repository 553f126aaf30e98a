import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  adamStep,
  clipByGlobalNorm,
  defaultOptimizerSpec,
  globalNorm,
  momentumStep,
  Optimizer,
  sgdStep,
  type FloatArray,
  type OptimizerSpec,
} from './optimizers.ts';

const f64 = (...xs: number[]): Float64Array => Float64Array.from(xs);

function expectClose(actual: FloatArray, expected: readonly number[], digits = 12): void {
  expect(actual.length).toBe(expected.length);
  expected.forEach((x, i) => expect(actual[i]).toBeCloseTo(x, digits));
}

describe('sgdStep', () => {
  it('matches two hand-computed steps with weight decay', () => {
    // lr 0.1, wd 0.1, w0 = [1, −2], g = [0.5, 0.25] both steps.
    // step 1: d = g + 0.1·w = [0.6, 0.05];          w = w − 0.1·d = [0.94, −2.005]
    // step 2: d = [0.5 + 0.094, 0.25 − 0.2005] = [0.594, 0.0495]; w = [0.8806, −2.00995]
    const w = f64(1, -2);
    const g = f64(0.5, 0.25);
    sgdStep(w, g, 0.1, 0.1);
    expectClose(w, [0.94, -2.005]);
    sgdStep(w, g, 0.1, 0.1);
    expectClose(w, [0.8806, -2.00995]);
    expect(Array.from(g)).toEqual([0.5, 0.25]); // the gradient is not modified
  });

  it('skips the decay term when wd = 0, like torch (an infinite weight stays finite-stepped)', () => {
    const w = f64(Infinity, 1);
    sgdStep(w, f64(1, 1), 0.5, 0);
    expect(Array.from(w)).toEqual([Infinity, 0.5]);
  });

  it('refuses mismatched lengths', () => {
    expect(() => sgdStep(f64(1, 2), f64(1), 0.1, 0)).toThrow(RangeError);
  });
});

describe('momentumStep', () => {
  it('matches two hand-computed steps (buffer = g first, then μ·buf + g)', () => {
    // lr 0.1, μ 0.9, w0 = [1, −2], g1 = [0.5, 0.25], g2 = [−1, 0.5].
    // step 1: buf = [0.5, 0.25];                         w = [0.95, −2.025]
    // step 2: buf = 0.9·[0.5, 0.25] + g2 = [−0.55, 0.725]; w = [1.005, −2.0975]
    const w = f64(1, -2);
    const buf = f64(123, 456); // stale contents must be ignored on the first step
    momentumStep(w, f64(0.5, 0.25), buf, 0.1, 0.9, 0, true);
    expectClose(buf, [0.5, 0.25]);
    expectClose(w, [0.95, -2.025]);
    momentumStep(w, f64(-1, 0.5), buf, 0.1, 0.9, 0, false);
    expectClose(buf, [-0.55, 0.725]);
    expectClose(w, [1.005, -2.0975]);
  });

  it('adds weight decay before the buffer update', () => {
    // wd 0.1. step 1: d = [0.6, 0.05] = buf; w = [0.94, −2.005]
    // step 2: d = [−1 + 0.094, 0.5 − 0.2005] = [−0.906, 0.2995]; buf = [0.54 − 0.906, 0.045 + 0.2995]
    //         = [−0.366, 0.3445]; w = [0.94 + 0.0366, −2.005 − 0.03445] = [0.9766, −2.03945]
    const w = f64(1, -2);
    const buf = f64(0, 0);
    momentumStep(w, f64(0.5, 0.25), buf, 0.1, 0.9, 0.1, true);
    expectClose(w, [0.94, -2.005]);
    momentumStep(w, f64(-1, 0.5), buf, 0.1, 0.9, 0.1, false);
    expectClose(buf, [-0.366, 0.3445]);
    expectClose(w, [0.9766, -2.03945]);
  });
});

describe('adamStep', () => {
  it('matches two hand-computed steps', () => {
    // lr 0.1, β (0.9, 0.999), eps 1e-8; w0 = [1, −2], g1 = [0.5, 0.25], g2 = [−0.25, 0.5].
    // step 1, first weight: m = 0.05, v = 0.00025, bc1 = 0.1, bc2 = 0.001,
    //   denom = √0.00025/√0.001 + 1e-8 = 0.5 + 1e-8, w = 1 − (0.1/0.1)·0.05/denom = 0.900000002.
    // step 2: m = 0.045 − 0.025 = 0.02, v = 0.00024975 + 0.0000625 = 0.00031225, bc1 = 0.19,
    //   bc2 = 0.001999, w = w1 − (0.1/0.19)·0.02/(√v/√bc2 + 1e-8).
    // Values evaluated with Python's decimal module at 40 digits.
    const w = f64(1, -2);
    const m = f64(0, 0);
    const v = f64(0, 0);
    adamStep(w, f64(0.5, 0.25), m, v, 0.1, 0.9, 0.999, 1e-8, 0, 1);
    expectClose(m, [0.05, 0.025], 15);
    expectClose(v, [0.00025, 0.0000625], 15);
    expectClose(w, [0.900000002, -2.099999996]);
    adamStep(w, f64(-0.25, 0.5), m, v, 0.1, 0.9, 0.999, 1e-8, 0, 2);
    expectClose(m, [0.02, 0.0725], 15);
    expectClose(v, [0.00031225, 0.0003124375], 15);
    expectClose(w, [0.873366298707846, -2.19651819614081]);
  });

  it('adds L2 weight decay to the gradient (not AdamW)', () => {
    // lr 0.01, β (0.8, 0.99), eps 1e-3, wd 0.1, w0 = 1, g1 = 0.5, g2 = −0.25.
    // step 1: d = 0.6, m = 0.12, v = 0.0036, denom = 0.06/0.1 + 0.001 = 0.601,
    //   w = 1 − (0.01/0.2)·0.12/0.601 = 0.99001663893510815.
    // step 2: d = −0.25 + 0.099001663893510815, m = 0.8·0.12 + 0.2·d, v = 0.99·0.0036 + 0.01·d², …
    const w = f64(1);
    const m = f64(0);
    const v = f64(0);
    adamStep(w, f64(0.5), m, v, 0.01, 0.8, 0.99, 1e-3, 0.1, 1);
    expectClose(w, [0.990016638935108]);
    adamStep(w, f64(-0.25), m, v, 0.01, 0.8, 0.99, 1e-3, 0.1, 2);
    expectClose(m, [0.0658003327787022]);
    expectClose(v, [0.00379200497506928]);
    expectClose(w, [0.985839067133735]);
  });

  it('follows torch 1.13 _single_tensor_adam operation by operation, to the bit, in float64', () => {
    // torch/optim/adam.py (1.13), tensor ops written out elementwise:
    //   grad = grad.add(param, alpha=weight_decay)            (if weight_decay != 0)
    //   exp_avg.mul_(beta1).add_(grad, alpha=1 - beta1)
    //   exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)   (kernel: self + value * t1 * t2)
    //   bias_correction1 = 1 - beta1 ** step; bias_correction2 = 1 - beta2 ** step
    //   step_size = lr / bias_correction1; bias_correction2_sqrt = math.sqrt(bias_correction2)
    //   denom = (exp_avg_sq.sqrt() / bias_correction2_sqrt).add_(eps)
    //   param.addcdiv_(exp_avg, denom, value=-step_size)      (kernel: self + value * t1 / t2)
    function torchAdam(p: number[], grads: number[][], lr: number, b1: number, b2: number, eps: number, wd: number): number[] {
      const ea = p.map(() => 0);
      const eas = p.map(() => 0);
      grads.forEach((gs, t) => {
        const step = t + 1;
        const grad = wd !== 0 ? gs.map((g, i) => g + wd * p[i]!) : gs;
        for (let i = 0; i < p.length; i++) ea[i] = ea[i]! * b1 + (1 - b1) * grad[i]!;
        for (let i = 0; i < p.length; i++) eas[i] = eas[i]! * b2 + (1 - b2) * grad[i]! * grad[i]!;
        const stepSize = lr / (1 - b1 ** step);
        const bc2Sqrt = Math.sqrt(1 - b2 ** step);
        const denom = eas.map((x) => Math.sqrt(x) / bc2Sqrt + eps);
        for (let i = 0; i < p.length; i++) p[i] = p[i]! + (-stepSize * ea[i]!) / denom[i]!;
      });
      return p;
    }
    const num = fc.double({ min: -5, max: 5, noNaN: true });
    fc.assert(
      fc.property(
        fc.array(num, { minLength: 1, maxLength: 6 }).chain((w) =>
          fc.tuple(fc.constant(w), fc.array(fc.array(num, { minLength: w.length, maxLength: w.length }), { minLength: 1, maxLength: 5 })),
        ),
        fc.constantFrom(0, 0.01),
        ([w0, grads], wd) => {
          const w = Float64Array.from(w0);
          const m = new Float64Array(w.length);
          const v = new Float64Array(w.length);
          grads.forEach((g, t) => adamStep(w, Float64Array.from(g), m, v, 0.003, 0.9, 0.999, 1e-8, wd, t + 1));
          expect(Array.from(w)).toEqual(torchAdam(w0.slice(), grads, 0.003, 0.9, 0.999, 1e-8, wd));
        },
      ),
    );
  });

  it('moves each weight by ≈ lr·sign(g) on the first step when eps is tiny', () => {
    // Step 1: m̂ = g and v̂ = g², so Δw = −lr·g/(|g| + eps).
    const grad = fc.oneof(fc.double({ min: 1e-3, max: 1e3, noNaN: true }), fc.double({ min: -1e3, max: -1e-3, noNaN: true }));
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.double({ min: -10, max: 10, noNaN: true }), grad), { minLength: 1, maxLength: 8 }), fc.double({ min: 1e-4, max: 1, noNaN: true }), (pairs, lr) => {
        const w = Float64Array.from(pairs, ([x]) => x);
        const g = Float64Array.from(pairs, ([, y]) => y);
        adamStep(w, g, new Float64Array(w.length), new Float64Array(w.length), lr, 0.9, 0.999, 1e-12, 0, 1);
        pairs.forEach(([w0, g0], i) => {
          const moved = w[i]! - w0;
          expect(Math.abs(moved + lr * Math.sign(g0))).toBeLessThan(1e-8 * lr + 1e-14 * Math.max(1, Math.abs(w0)));
        });
      }),
    );
  });

  it('refuses a step below 1', () => {
    expect(() => adamStep(f64(1), f64(1), f64(0), f64(0), 0.1, 0.9, 0.999, 1e-8, 0, 0)).toThrow(RangeError);
  });
});

describe('gradient norm and clipping', () => {
  it('globalNorm is the L2 norm over all arrays', () => {
    expect(globalNorm([f64(3, 4), Float32Array.from([12])])).toBe(13);
    expect(globalNorm([])).toBe(0);
  });

  it('clips to maxNorm with torch`s maxNorm/(norm + 1e-6) and reports the norm before clipping', () => {
    const a = f64(3, 4);
    const b = Float32Array.from([12]);
    const { norm, scale } = clipByGlobalNorm([a, b], 6.5);
    expect(norm).toBe(13);
    expect(scale).toBe(6.5 / (13 + 1e-6));
    expect(a[0]).toBe(3 * scale);
    expect(b[0]).toBe(Math.fround(12 * scale));
    expect(Math.abs(globalNorm([a, b]) - 6.5)).toBeLessThan(1e-6);
  });

  it('leaves gradients alone at or below the threshold, with maxNorm ≤ 0, or when the norm is not finite', () => {
    for (const [grads, maxNorm] of [
      [[f64(3, 4)], 5],
      [[f64(3, 4)], 10],
      [[f64(3, 4)], 0],
      [[f64(3, Infinity)], 1],
      [[f64(Number.NaN, 1)], 1],
    ] as [Float64Array[], number][]) {
      const before = grads.map((g) => Array.from(g));
      const { norm, scale } = clipByGlobalNorm(grads, maxNorm);
      expect(scale).toBe(1);
      expect(Object.is(norm, globalNorm(grads))).toBe(true);
      expect(grads.map((g) => Array.from(g))).toEqual(before);
    }
  });

  it('after clipping the norm is maxNorm within 1e-6 (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -100, max: 100, noNaN: true }), { minLength: 1, maxLength: 20 }), fc.double({ min: 1e-3, max: 10, noNaN: true }), (xs, maxNorm) => {
        const g = Float64Array.from(xs);
        const { norm } = clipByGlobalNorm([g], maxNorm);
        const after = globalNorm([g]);
        if (norm > maxNorm) expect(Math.abs(after - maxNorm)).toBeLessThanOrEqual(1e-6 * (1 + maxNorm));
        else expect(after).toBe(norm);
      }),
    );
  });
});

describe('Optimizer', () => {
  const spec = (kind: OptimizerSpec['kind'], extra: Partial<OptimizerSpec> = {}): OptimizerSpec => ({ ...defaultOptimizerSpec(kind), ...extra });

  it('has PyTorch defaults', () => {
    expect(defaultOptimizerSpec('adam')).toEqual({ kind: 'adam', lr: 1e-3, momentum: 0, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 });
    expect(defaultOptimizerSpec('momentum')).toMatchObject({ kind: 'momentum', lr: 0.01, momentum: 0.9, weightDecay: 0 });
    expect(defaultOptimizerSpec('sgd')).toMatchObject({ kind: 'sgd', lr: 0.01, weightDecay: 0 });
  });

  it('steps each parameter with the matching kernel and buffers of its own array type', () => {
    for (const kind of ['sgd', 'momentum', 'adam'] as const) {
      const s = spec(kind, { lr: 0.05, weightDecay: 0.01 });
      const params: FloatArray[] = [Float32Array.from([1, -1, 0.5]), f64(2, -3)];
      const opt = new Optimizer(s, params);
      const refW = params.map((p) => p.slice());
      const refBufs = params.map((p) => [p.map(() => 0), p.map(() => 0)]);
      for (let t = 1; t <= 3; t++) {
        const grads = [Float32Array.from([0.1 * t, -0.2, 0.3]), f64(-0.5, 0.25 * t)];
        opt.step(params, grads);
        refW.forEach((w, i) => {
          const [b1, b2] = refBufs[i]!;
          if (kind === 'sgd') sgdStep(w, grads[i]!, 0.05, 0.01);
          else if (kind === 'momentum') momentumStep(w, grads[i]!, b1!, 0.05, 0.9, 0.01, t === 1);
          else adamStep(w, grads[i]!, b1!, b2!, 0.05, 0.9, 0.999, 1e-8, 0.01, t);
        });
        params.forEach((p, i) => expect(Array.from(p)).toEqual(Array.from(refW[i]!)));
      }
      expect(opt.stepCount).toBe(3);
      const state = opt.getState();
      for (const arrays of Object.values(state.slots)) {
        expect(arrays[0]).toBeInstanceOf(Float32Array);
        expect(arrays[1]).toBeInstanceOf(Float64Array);
      }
    }
  });

  it('uses torch state_dict slot names', () => {
    const p = [f64(1)];
    expect(Object.keys(new Optimizer(spec('sgd'), p).getState().slots)).toEqual([]);
    expect(Object.keys(new Optimizer(spec('momentum'), p).getState().slots)).toEqual(['momentum_buffer']);
    expect(Object.keys(new Optimizer(spec('adam'), p).getState().slots).sort()).toEqual(['exp_avg', 'exp_avg_sq']);
  });

  it('a restored state continues bit-identically', () => {
    for (const kind of ['momentum', 'adam'] as const) {
      const grads = (t: number): FloatArray[] => [Float32Array.from([Math.sin(t), Math.cos(t)]), f64(t / 7)];
      const a = [Float32Array.from([0.3, -0.7]), f64(1.25)];
      const optA = new Optimizer(spec(kind), a);
      for (let t = 1; t <= 4; t++) optA.step(a, grads(t));

      const b = [Float32Array.from([0.3, -0.7]), f64(1.25)];
      const optB = new Optimizer(spec(kind), b);
      for (let t = 1; t <= 2; t++) optB.step(b, grads(t));
      const saved = optB.getState();
      const bCopy = b.map((x) => x.slice());
      optB.step(b, grads(99)); // later steps must not leak into the saved copy

      const optC = new Optimizer(spec(kind), bCopy);
      optC.setState(saved);
      expect(optC.stepCount).toBe(2);
      for (let t = 3; t <= 4; t++) optC.step(bCopy, grads(t));
      bCopy.forEach((x, i) => expect(Array.from(x)).toEqual(Array.from(a[i]!)));
      expect(optC.getState()).toEqual(optA.getState());
    }
  });

  it('refuses bad specs, mismatched steps and foreign states', () => {
    expect(() => new Optimizer(spec('sgd', { lr: -1 }), [])).toThrow(RangeError);
    expect(() => new Optimizer(spec('adam', { beta2: 1 }), [])).toThrow(RangeError);
    expect(() => new Optimizer(spec('adam', { eps: Number.NaN }), [])).toThrow(RangeError);
    expect(() => new Optimizer(spec('momentum', { momentum: -0.5 }), [])).toThrow(RangeError);
    const w = f64(1, 2);
    const opt = new Optimizer(spec('adam'), [w]);
    expect(() => opt.step([w], [f64(1)])).toThrow(RangeError);
    expect(Array.from(w)).toEqual([1, 2]);
    expect(() => opt.step([w, w], [w, w])).toThrow(RangeError);
    expect(() => opt.setState({ step: 1, slots: { momentum_buffer: [f64(0, 0)] } })).toThrow(RangeError);
    expect(() => opt.setState({ step: 1, slots: { exp_avg: [f64(0)], exp_avg_sq: [f64(0)] } })).toThrow(RangeError);
    expect(() => opt.setState({ step: -1, slots: { exp_avg: [f64(0, 0)], exp_avg_sq: [f64(0, 0)] } })).toThrow(RangeError);
    expect(opt.stepCount).toBe(0);
  });

  it('takes a per-step learning rate override', () => {
    const w = f64(1);
    new Optimizer(spec('sgd', { lr: 0.5 }), [w]).step([w], [f64(1)], 0.25);
    expect(w[0]).toBe(0.75);
  });
});
