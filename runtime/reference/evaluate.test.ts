import { describe, expect, it } from 'vitest';
import { OP_NAMES, OpBuilder } from '../../blocks/ops.ts';
import type { Sym } from '../../blocks/ops.ts';
import { evaluateOps } from './evaluate.ts';
import type { Feeds } from './evaluate.ts';

const f64 = (xs: readonly number[]): Float64Array => Float64Array.from(xs);
const noFeeds: Feeds = { inputs: {}, weights: {} };

/** Builds a graph with `build`, evaluates it, returns the value of the symbol `build` returns as a plain array. */
function run(build: (g: OpBuilder) => Sym, feeds: Feeds = noFeeds): number[] {
  const g = new OpBuilder();
  const out = build(g);
  return [...evaluateOps(g.nodes, feeds)[out.id]!];
}

const close = (got: readonly number[], want: readonly number[], tol = 1e-12): void => {
  expect(got.length).toBe(want.length);
  got.forEach((v, i) => expect(Math.abs(v - want[i]!), `element ${i}: ${v} vs ${want[i]}`).toBeLessThanOrEqual(tol));
};

describe('evaluateOps', () => {
  it('reads inputs and weights by name and checks their sizes', () => {
    const feeds = { inputs: { x: f64([1, 2]) }, weights: { w: f64([10, 20]) } };
    expect(run((g) => g.add(g.input('x', [2]), g.weight('w', [2])), feeds)).toEqual([11, 22]);
    expect(() => run((g) => g.input('y', [2]), feeds)).toThrow(/no value fed for input y/);
    expect(() => run((g) => g.weight('w', [3]), feeds)).toThrow(/has 2 values/);
  });

  it('makes fill and constant tensors', () => {
    expect(run((g) => g.fill(1.5, [2, 2]))).toEqual([1.5, 1.5, 1.5, 1.5]);
    expect(run((g) => g.constant([1, 2, 3, 4, 5, 6], [2, 3]))).toEqual([1, 2, 3, 4, 5, 6]);
  });

  describe('matmul', () => {
    const A = [1, 2, 3, 4, 5, 6]; // [2, 3]
    const At = [1, 4, 2, 5, 3, 6]; // A transposed, [3, 2]
    const B = [7, 8, 9, 10, 11, 12]; // [3, 2]
    const Bt = [7, 9, 11, 8, 10, 12]; // B transposed, [2, 3]
    const AB = [58, 64, 139, 154];

    it('multiplies matrices and honours transposes like explicit transposed operands', () => {
      expect(run((g) => g.matmul(g.constant(A, [2, 3]), g.constant(B, [3, 2])))).toEqual(AB);
      expect(run((g) => g.matmul(g.constant(At, [3, 2]), g.constant(B, [3, 2]), { transA: true }))).toEqual(AB);
      expect(run((g) => g.matmul(g.constant(A, [2, 3]), g.constant(Bt, [2, 3]), { transB: true }))).toEqual(AB);
      expect(run((g) => g.matmul(g.constant(At, [3, 2]), g.constant(Bt, [2, 3]), { transA: true, transB: true }))).toEqual(AB);
    });

    it('follows numpy for vectors', () => {
      expect(run((g) => g.matmul(g.constant(A, [2, 3]), g.constant([1, 0, -1], [3])))).toEqual([-2, -2]);
      expect(run((g) => g.matmul(g.constant([1, -1], [2]), g.constant(A, [2, 3])))).toEqual([-3, -3, -3]);
      expect(run((g) => g.matmul(g.constant([1, 2, 3], [3]), g.constant([4, 5, 6], [3])))).toEqual([32]);
      // x Wᵀ, the layout of every linear layer
      expect(run((g) => g.matmul(g.constant([1, 0, -1], [3]), g.constant(A, [2, 3]), { transB: true }))).toEqual([-2, -2]);
    });
  });

  it('broadcasts binary ops like numpy', () => {
    const m = (g: OpBuilder): Sym => g.constant([1, 2, 3, 4, 5, 6], [2, 3]);
    expect(run((g) => g.add(m(g), g.constant([10, 20, 30], [3])))).toEqual([11, 22, 33, 14, 25, 36]);
    expect(run((g) => g.sub(m(g), g.constant([1, 4], [2, 1])))).toEqual([0, 1, 2, 0, 1, 2]);
    expect(run((g) => g.mul(g.constant([2], [1]), m(g)))).toEqual([2, 4, 6, 8, 10, 12]);
    expect(run((g) => g.div(g.constant([1, 2], [2, 1]), g.constant([1, 2, 4], [3])))).toEqual([1, 0.5, 0.25, 2, 1, 0.5]);
    expect(run((g) => g.add(g.constant([3], []), g.constant([1, 2], [2])))).toEqual([4, 5]);
  });

  it('applies unary ops elementwise', () => {
    const x = (g: OpBuilder): Sym => g.constant([-2, 0, 0.5], [3]);
    expect(run((g) => g.neg(x(g)))).toEqual([2, -0, -0.5]);
    expect(run((g) => g.scale(x(g), 3))).toEqual([-6, 0, 1.5]);
    close(run((g) => g.tanh(x(g))), [Math.tanh(-2), 0, Math.tanh(0.5)]);
    close(run((g) => g.sigmoid(x(g))), [1 / (1 + Math.exp(2)), 0.5, 1 / (1 + Math.exp(-0.5))]);
    expect(run((g) => g.relu(x(g)))).toEqual([0, 0, 0.5]);
    close(run((g) => g.exp(x(g))), [Math.exp(-2), 1, Math.exp(0.5)]);
    close(run((g) => g.log(g.constant([1, Math.E, 0.5], [3]))), [0, 1, Math.log(0.5)]);
  });

  it('keeps sigmoid finite and exact at large magnitudes', () => {
    const s = run((g) => g.sigmoid(g.constant([-800, 800, -40], [3])));
    expect(s[0]).toBe(0);
    expect(s[1]).toBe(1);
    expect(s[2]! / Math.exp(-40)).toBeCloseTo(1, 12);
  });

  it('softmaxes over the last axis: rows sum to 1, stable for large logits', () => {
    const s = run((g) => g.softmax(g.constant([1, 2, 3, 1000, 1000, 999], [2, 3])));
    close(s.slice(0, 3), [1, Math.E, Math.E ** 2].map((v) => v / (1 + Math.E + Math.E ** 2)));
    close(s.slice(3), [1, 1, Math.exp(-1)].map((v) => v / (2 + Math.exp(-1))));
    close([s[0]! + s[1]! + s[2]!, s[3]! + s[4]! + s[5]!], [1, 1]);
  });

  it('concatenates, slices, reshapes and indexes along any axis', () => {
    const a = (g: OpBuilder): Sym => g.constant([1, 2, 3, 4], [2, 2]);
    const b = (g: OpBuilder): Sym => g.constant([5, 6], [2, 1]);
    expect(run((g) => g.concat([a(g), b(g)], 1))).toEqual([1, 2, 5, 3, 4, 6]);
    expect(run((g) => g.concat([a(g), g.constant([7, 8], [1, 2])], 0))).toEqual([1, 2, 3, 4, 7, 8]);
    const m = (g: OpBuilder): Sym => g.constant([1, 2, 3, 4, 5, 6], [2, 3]);
    expect(run((g) => g.slice(m(g), 1, 3, 1))).toEqual([2, 3, 5, 6]);
    expect(run((g) => g.slice(m(g), 1, 2, 0))).toEqual([4, 5, 6]);
    expect(run((g) => g.reshape(m(g), [3, 2]))).toEqual([1, 2, 3, 4, 5, 6]);
    expect(run((g) => g.index(m(g), 1, 0))).toEqual([4, 5, 6]);
    expect(run((g) => g.index(m(g), 2, 1))).toEqual([3, 6]);
  });

  it('sums over one axis or all', () => {
    const m = (g: OpBuilder): Sym => g.constant([1, 2, 3, 4, 5, 6], [2, 3]);
    expect(run((g) => g.sum(m(g), 0))).toEqual([5, 7, 9]);
    expect(run((g) => g.sum(m(g), 1))).toEqual([6, 15]);
    expect(run((g) => g.sum(m(g)))).toEqual([21]);
    expect(run((g) => g.sum(g.constant([1, 2, 3, 4, 5, 6, 7, 8], [2, 2, 2]), 1))).toEqual([4, 6, 12, 14]);
  });

  it('gathers rows by int ids and refuses ids out of range', () => {
    const table = [0, 1, 10, 11, 20, 21, 30, 31]; // [4, 2]
    const feeds = (ids: number[]): Feeds => ({ inputs: { ids: f64(ids) }, weights: { t: f64(table) } });
    expect(run((g) => g.gather(g.weight('t', [4, 2]), g.input('ids', [3], 'int')), feeds([3, 0, 3]))).toEqual([30, 31, 0, 1, 30, 31]);
    expect(run((g) => g.gather(g.weight('t', [4, 2]), g.input('ids', [], 'int')), feeds([2]))).toEqual([20, 21]);
    expect(() => run((g) => g.gather(g.weight('t', [4, 2]), g.input('ids', [], 'int')), feeds([4]))).toThrow(/not an integer in \[0, 4\)/);
    expect(() => run((g) => g.gather(g.weight('t', [4, 2]), g.input('ids', [], 'int')), feeds([1.5]))).toThrow(/not an integer/);
  });

  it('stacks values along a new leading axis', () => {
    expect(run((g) => g.stack([g.constant([1, 2], [2]), g.constant([3, 4], [2]), g.constant([5, 6], [2])]))).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('computes cross-entropy as log-sum-exp minus the target logit, stable for large logits', () => {
    const logits = [0.5, -1, 2, 1000, 1001, 999];
    const feeds = { inputs: { y: f64([2, 0]) }, weights: {} };
    const ce = run((g) => g.crossEntropy(g.constant(logits, [2, 3]), g.input('y', [2], 'int')), feeds);
    const lse = (xs: number[]): number => Math.log(xs.reduce((s, x) => s + Math.exp(x), 0));
    close(ce, [lse([0.5, -1, 2]) - 2, 1001 + lse([-1, 0, -2]) - 1000]);
    expect(ce.every(Number.isFinite)).toBe(true);
  });

  it('computes binary cross-entropy on logits, stable at ±100', () => {
    const bce = run((g) => g.bceLogits(g.constant([100, 100, -100, -100, 0.3], [5]), g.constant([1, 0, 0, 1, 0.2], [5])));
    const p = 1 / (1 + Math.exp(-0.3));
    close(bce, [0, 100, 0, 100, -(0.2 * Math.log(p) + 0.8 * Math.log(1 - p))], 1e-12);
    expect(bce[0]).toBeGreaterThan(0); // log1p(e^-100), not rounded away by 1 + e^-100
  });

  it('computes the fused cells as the LSTM and GRU formulas', () => {
    const sig = (v: number): number => 1 / (1 + Math.exp(-v));
    const pre = [0.1, -0.2, 0.3, 0.4, -0.5, 0.6, 0.7, -0.8]; // H = 2, gates i, f, g, o
    const cPrev = [0.25, -0.75];
    const hc = run((g) => g.lstmCell(g.constant(pre, [8]), g.constant(cPrev, [2])));
    const c = [0, 1].map((j) => sig(pre[2 + j]!) * cPrev[j]! + sig(pre[j]!) * Math.tanh(pre[4 + j]!));
    close(hc, [sig(pre[6]!) * Math.tanh(c[0]!), sig(pre[7]!) * Math.tanh(c[1]!), c[0]!, c[1]!], 1e-15);
    const gi = [0.1, 0.2, -0.3, 0.4, 0.5, -0.6];
    const gh = [-0.2, 0.1, 0.3, -0.4, 0.2, 0.9];
    const hPrev = [0.5, -0.5];
    const h = run((g) => g.gruCell(g.constant(gi, [6]), g.constant(gh, [6]), g.constant(hPrev, [2])));
    const want = [0, 1].map((j) => {
      const r = sig(gi[j]! + gh[j]!);
      const z = sig(gi[2 + j]! + gh[2 + j]!);
      const n = Math.tanh(gi[4 + j]! + r * gh[4 + j]!);
      return (1 - z) * n + z * hPrev[j]!;
    });
    close(h, want, 1e-15);
    expect(() => run((g) => g.lstmCell(g.constant(pre, [8]), g.constant([1, 2, 3], [3])))).toThrow(/lstm_cell/);
    expect(() => run((g) => g.gruCell(g.constant(gi, [6]), g.constant(pre, [8]), g.constant(hPrev, [2])))).toThrow(/gru_cell/);
  });

  it('covers every primitive op', () => {
    const g = new OpBuilder();
    const x = g.input('x', [2]);
    const ids = g.input('ids', [2], 'int');
    const w = g.weight('w', [3, 2]);
    const m = g.matmul(w, x);
    const v = g.concat([g.add(m, g.fill(1, [3])), g.sub(m, g.constant([1, 2, 3], [3]))]);
    const u = g.scale(g.div(g.mul(v, v), g.exp(g.neg(g.tanh(g.relu(g.sigmoid(v)))))), 0.5);
    const rows = g.gather(w, ids);
    const s = g.stack([g.softmax(g.log(u)), g.softmax(u)]);
    const parts = g.sum(g.reshape(g.slice(s, 0, 2, 1), [4]));
    const ce = g.crossEntropy(rows, ids);
    const b = g.bceLogits(g.index(rows, 0), x);
    const hc = g.lstmCell(g.concat([v, g.slice(v, 0, 2)]), x);
    const h = g.gruCell(g.slice(v, 0, 6), g.slice(v, 0, 6), x);
    const picked = g.gather(w, g.argmax(m));
    g.add(g.add(g.add(parts, g.sum(ce)), g.sum(b)), g.add(g.add(g.sum(hc), g.sum(h)), g.sum(picked)));
    expect(new Set(g.nodes.map((n) => n.op))).toEqual(new Set(OP_NAMES));
    const values = evaluateOps(g.nodes, { inputs: { x: f64([0.5, -1]), ids: f64([1, 0]) }, weights: { w: f64([1, 2, 3, 4, 5, 6]) } });
    expect(values).toHaveLength(g.nodes.length);
    for (const [i, v] of values.entries()) {
      expect(v.length, g.nodes[i]!.op).toBe(g.nodes[i]!.shape.reduce((a, d) => a * d, 1));
      expect([...v].every(Number.isFinite), g.nodes[i]!.op).toBe(true);
    }
  });

  it('refuses nodes out of creation order', () => {
    const g = new OpBuilder();
    g.fill(1, [1]);
    g.fill(2, [1]);
    expect(() => evaluateOps(g.nodes.slice(1), noFeeds)).toThrow(/position 0/);
  });
});
