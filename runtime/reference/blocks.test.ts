/** Values (not just shapes) of the non-recurrent blocks' forwards, against their formulas written as plain loops. */
import { describe, expect, it } from 'vitest';
import type { PortTypes, ValueType } from '../../blocks/types.ts';
import { tokens, vector } from '../../blocks/shape.ts';
import { resolveParams } from '../../blocks/params.ts';
import { getBlock } from '../../blocks/registry.ts';
import { positionEncoding } from '../../blocks/encoder.ts';
import { evaluateBlock } from './block.ts';

const f64 = (xs: readonly number[]): Float64Array => Float64Array.from(xs);
const seq = (axis: string, t: ValueType): ValueType => ({ ...t, seq: axis });

function run(type: string, params: Record<string, unknown>, types: PortTypes, values: Record<string, number[]>, weights: Record<string, number[]> = {}): Record<string, number[]> {
  const block = getBlock(type)!;
  const outs = evaluateBlock(
    block,
    resolveParams(block.params, params),
    { types, values: Object.fromEntries(Object.entries(values).map(([k, v]) => [k, f64(v)])) },
    Object.fromEntries(Object.entries(weights).map(([k, v]) => [k, f64(v)])),
  );
  return Object.fromEntries(Object.entries(outs).map(([k, v]) => [k, [...v]]));
}

const close = (got: readonly number[] | undefined, want: readonly number[], tol = 1e-12): void => {
  expect(got).toBeDefined();
  expect(got!.length).toBe(want.length);
  got!.forEach((v, i) => expect(Math.abs(v - want[i]!), `element ${i}: ${v} vs ${want[i]}`).toBeLessThanOrEqual(tol));
};

const softmax = (xs: number[]): number[] => {
  const m = Math.max(...xs);
  const e = xs.map((x) => Math.exp(x - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / s);
};

describe('elementwise blocks', () => {
  const a = [0.5, -2, 3];
  const b = [4, 0.25, -1];
  const v3 = vector(3);
  it('compute their formulas', () => {
    close(run('multiply', {}, { a: v3, b: v3 }, { a, b }).out, [2, -0.5, -3]);
    close(run('add', {}, { a: v3, b: v3 }, { a, b }).out, [4.5, -1.75, 2]);
    close(run('add', {}, { a: v3, b: v3, c: v3 }, { a, b, c: [1, 1, 1] }).out, [5.5, -0.75, 3]);
    close(run('one_minus', {}, { in: v3 }, { in: a }).out, [0.5, 3, -2]);
    close(run('tanh', {}, { in: v3 }, { in: a }).out, a.map(Math.tanh));
    close(run('sigmoid', {}, { in: v3 }, { in: a }).out, a.map((x) => 1 / (1 + Math.exp(-x))));
    close(run('relu', {}, { in: v3 }, { in: a }).out, [0.5, 0, 3]);
    close(run('softmax', {}, { in: v3 }, { in: a }).out, softmax(a));
    close(run('concat', {}, { a: v3, b: vector(2), c: vector(1) }, { a, b: [7, 8], c: [9] }).out, [...a, 7, 8, 9]);
  });

  it('linear, gate and decoder share W·x + b (weight [out, in])', () => {
    const W = [1, 2, 3, -1, 0, 1]; // [2, 3]
    const bias = [0.5, -0.5];
    const y = [0.5 - 4 + 9 + 0.5, -0.5 + 3 - 0.5]; // [6, 2]
    close(run('linear', { size: 2 }, { in: v3 }, { in: a }, { weight: W, bias }).out, y);
    close(run('decoder', { size: 2 }, { in: v3 }, { in: a }, { weight: W, bias }).out, y);
    close(run('gate', { size: 2 }, { in: v3 }, { in: a }, { weight: W, bias }).out, y.map((x) => 1 / (1 + Math.exp(-x))));
    close(run('linear', { size: 2, bias: false }, { in: v3 }, { in: a }, { weight: W }).out, [5.5, 2.5]);
  });
});

describe('encoder', () => {
  const table = [0, 1, 10, 11, 20, 21, 30, 31]; // [vocab 4, size 2]
  it('embeds one id as its table row', () => {
    close(run('encoder', { size: 2 }, { in: tokens(4) }, { in: [2] }, { weight: table }).out, [20, 21]);
  });

  it('sums a bag of embeddings, optionally weighted by MemN2N position encoding', () => {
    const bag: ValueType = { dtype: 'int', shape: [3], vocab: 4 };
    close(run('encoder', { kind: 'bag', size: 2 }, { in: bag }, { in: [1, 3, 1] }, { weight: table }).out, [50, 53]);
    const l = (j: number, k: number, J: number, d: number): number => 1 - j / J - (k / d) * (1 - (2 * j) / J);
    const rows = [[10, 11], [30, 31], [10, 11]];
    const want = [1, 2].map((k) => rows.reduce((s, row, j) => s + row[k - 1]! * l(j + 1, k, 3, 2), 0));
    close(run('encoder', { kind: 'bag', size: 2, position_encoding: true }, { in: bag }, { in: [1, 3, 1] }, { weight: table }).out, want);
  });

  it('holds the padding id 0 of a bag at a zero embedding (pad_zero, the default), or reads its row', () => {
    const bag: ValueType = { dtype: 'int', shape: [3], vocab: 4 };
    close(run('encoder', { kind: 'bag', size: 2 }, { in: bag }, { in: [1, 0, 3] }, { weight: table }).out, [40, 42]);
    close(run('encoder', { kind: 'bag', size: 2, pad_zero: false }, { in: bag }, { in: [1, 0, 3] }, { weight: table }).out, [40, 43]);
  });

  it('writes the position encoding as l_kj = (1 − j/J) − (k/d)(1 − 2j/J), rows j, 1-based', () => {
    close(positionEncoding(2, 2), [0.5, 0.5, 0.5, 1]);
  });

  it('is a linear layer on float vectors', () => {
    close(run('encoder', { kind: 'linear', size: 1 }, { in: vector(2) }, { in: [2, 3] }, { weight: [1, -1], bias: [0.25] }).out, [-0.75]);
  });
});

describe('bilinear', () => {
  it('computes out_i = Σ_jk x_j W_ijk z_k + b_i (nn.Bilinear)', () => {
    const [m, n, d] = [2, 3, 4];
    const W = Array.from({ length: m * n * d }, (_, i) => Math.sin(i + 1));
    const x = [0.3, -1, 2];
    const z = [1, -0.5, 0.25, 2];
    const bias = [0.1, -0.2];
    const want = [0, 1].map((i) => {
      let s = bias[i]!;
      for (let j = 0; j < n; j++) for (let k = 0; k < d; k++) s += x[j]! * W[(i * n + j) * d + k]! * z[k]!;
      return s;
    });
    close(run('bilinear', { size: m }, { x: vector(n), z: vector(d) }, { x, z }, { weight: W, bias }).out, want);
  });
});

describe('attention and memory', () => {
  const K = [[1, 0], [0, 1], [1, 1]]; // 3 keys of size 2
  const V = [[1, 2, 3], [4, 5, 6], [7, 8, 9]];
  const q = [0.5, -1];
  const types = { query: vector(2), keys: seq('s', vector(2)), values: seq('s', vector(3)) };
  const values = { query: q, keys: K.flat(), values: V.flat() };
  const readOf = (a: number[]): number[] => [0, 1, 2].map((c) => a.reduce((s, at, t) => s + at * V[t]![c]!, 0));
  const dots = K.map((k) => k[0]! * q[0]! + k[1]! * q[1]!);

  it('dot and scaled_dot: softmax over q·k_t (÷√dk), context Σ a_t v_t', () => {
    const a = softmax(dots);
    const out = run('attention', { score: 'dot' }, types, values);
    close(out.weights, a);
    close(out.context, readOf(a));
    const scaled = softmax(dots.map((e) => e / Math.SQRT2));
    close(run('attention', { score: 'scaled_dot' }, types, values).weights, scaled);
  });

  it('additive: e_t = vᵀ tanh(W_q q + W_k k_t)', () => {
    const Wq = [1, 0.5, -1, 2]; // [2, 2]
    const Wk = [0.3, -0.2, 0.1, 0.4];
    const v = [1, -2];
    const proj = (W: number[], x: number[]): number[] => [0, 1].map((i) => W[i * 2]! * x[0]! + W[i * 2 + 1]! * x[1]!);
    const pq = proj(Wq, q);
    const e = K.map((k) => proj(Wk, k).reduce((s, pk, i) => s + v[i]! * Math.tanh(pq[i]! + pk), 0));
    const out = run('attention', { score: 'additive', size: 2 }, types, values, { W_q: Wq, W_k: Wk, v });
    close(out.weights, softmax(e));
    close(out.context, readOf(softmax(e)));
  });

  it('memory reads Σ softmax(keys · query)_t values_t', () => {
    const out = run('memory', {}, types, values);
    close(out.weights, softmax(dots));
    close(out.read, readOf(softmax(dots)));
  });

  it('linear memory (linear start) reads Σ (keys · query)_t values_t, no softmax', () => {
    const out = run('memory', { linear: true }, types, values);
    close(out.weights, dots);
    close(out.read, readOf(dots));
  });
});
