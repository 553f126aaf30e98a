import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Init } from '../../blocks/types.ts';
import { initTensor } from './init.ts';
import { Rng } from './prng.ts';

function meanVar(xs: Float64Array): { mean: number; variance: number } {
  let s = 0;
  for (const x of xs) s += x;
  const mean = s / xs.length;
  let v = 0;
  for (const x of xs) v += (x - mean) ** 2;
  return { mean, variance: v / xs.length };
}

/** Row i of a row-major [rows, cols] matrix stored at `offset`. */
function row(t: Float64Array, offset: number, cols: number, i: number): number[] {
  return Array.from(t.subarray(offset + i * cols, offset + (i + 1) * cols));
}

function dot(a: readonly number[], b: readonly number[]): number {
  return a.reduce((s, x, i) => s + x * b[i]!, 0);
}

/** Columns of a row-major [r, c] matrix. */
function columns(m: readonly number[][], c: number): number[][] {
  return Array.from({ length: c }, (_, j) => m.map((r) => r[j]!));
}

/**
 * Reference: the unique "thin" QR with a positive R diagonal of a full-rank tall matrix given by its
 * columns, by modified Gram–Schmidt (each column minus its projections, then normalised — R's
 * diagonal is the positive norm by construction). This is what torch's `Q · sign(diag(R))` yields.
 */
function gramSchmidt(cols: readonly number[][]): number[][] {
  const qs: number[][] = [];
  for (const col of cols) {
    let v = col.slice();
    for (const q of qs) {
      const p = dot(q, v);
      v = v.map((x, i) => x - p * q[i]!);
    }
    const norm = Math.sqrt(dot(v, v));
    qs.push(v.map((x) => x / norm));
  }
  return qs;
}

describe('initTensor', () => {
  it('zeros and constant fill without drawing', () => {
    const rng = new Rng(1);
    const before = rng.getState();
    expect(Array.from(initTensor({ kind: 'zeros' }, [2, 3], rng))).toEqual([0, 0, 0, 0, 0, 0]);
    expect(Array.from(initTensor({ kind: 'constant', value: 1.5 }, [4], rng))).toEqual([1.5, 1.5, 1.5, 1.5]);
    expect(Array.from(initTensor({ kind: 'constant', value: 2 }, [], rng))).toEqual([2]);
    expect(rng.getState()).toEqual(before);
  });

  it('uniform consumes one rng.uniform per element in row-major order', () => {
    const t = initTensor({ kind: 'uniform', bound: 0.3 }, [3, 4], new Rng(7));
    const ref = new Rng(7);
    expect(Array.from(t)).toEqual(Array.from({ length: 12 }, () => ref.uniform(-0.3, 0.3)));
  });

  it('uniform respects its bound and has variance ≈ bound²/3', () => {
    const bound = 0.25;
    const t = initTensor({ kind: 'uniform', bound }, [300, 200], new Rng(3));
    expect(t.every((x) => x >= -bound && x < bound)).toBe(true);
    const { mean, variance } = meanVar(t);
    // n = 6e4: mean s.e. ≈ 0.0006, variance s.e. ≈ 0.00003 (variance of U² is 4b⁴/45).
    expect(Math.abs(mean)).toBeLessThan(0.005);
    expect(Math.abs(variance - bound ** 2 / 3)).toBeLessThan(0.0003);
  });

  it('glorot uses bound √(6/(fanIn + fanOut)) with fanOut = shape[0]', () => {
    const cases: [number[], number][] = [
      [[30, 40], Math.sqrt(6 / 70)],
      [[50], Math.sqrt(6 / 51)],
      [[4, 5, 6], Math.sqrt(6 / 34)],
    ];
    for (const [shape, bound] of cases) {
      const t = initTensor({ kind: 'glorot' }, shape, new Rng(5));
      const ref = new Rng(5);
      expect(Array.from(t)).toEqual(Array.from(t, () => ref.uniform(-bound, bound)));
    }
    const big = initTensor({ kind: 'glorot' }, [200, 300], new Rng(9));
    const b = Math.sqrt(6 / 500);
    expect(big.every((x) => Math.abs(x) <= b)).toBe(true);
    expect(Math.abs(meanVar(big).variance - b ** 2 / 3) / (b ** 2 / 3)).toBeLessThan(0.03);
    expect(() => initTensor({ kind: 'glorot' }, [], new Rng(1))).toThrow(RangeError);
  });

  it('normal has mean 0 and variance std²', () => {
    const t = initTensor({ kind: 'normal', std: 0.1 }, [100, 1000], new Rng(12));
    const { mean, variance } = meanVar(t);
    expect(Math.abs(mean)).toBeLessThan(0.002);
    expect(Math.abs(variance / 0.01 - 1)).toBeLessThan(0.03);
    const ref = new Rng(12);
    expect(t[0]).toBe(0.1 * ref.normal());
  });

  it('orthogonal has closed forms for vectors: sign(a), a/‖a‖', () => {
    // [1, 1]: A = Q·R with R > 0 forces Q = sign(a).
    const one = initTensor({ kind: 'orthogonal', gain: 2, blocks: 1 }, [1, 1], new Rng(4));
    expect(one[0]).toBe(2 * Math.sign(new Rng(4).normal()));
    // [3, 1] (tall) and [1, 3] (wide, transposed by torch first): the normalised draw.
    for (const shape of [[3, 1], [1, 3]]) {
      const t = initTensor({ kind: 'orthogonal', gain: 1, blocks: 1 }, shape, new Rng(6));
      const ref = new Rng(6);
      const a = [ref.normal(), ref.normal(), ref.normal()];
      const norm = Math.hypot(...a);
      a.forEach((x, i) => expect(t[i]).toBeCloseTo(x / norm, 14));
    }
  });

  it('orthogonal blocks are gain·(orthonormal rows or columns), equal to the positive-R QR of their draw', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 1, max: 3 }),
        fc.double({ min: 0.25, max: 4, noNaN: true }),
        fc.nat(),
        (r, c, blocks, gain, seed) => {
          const t = initTensor({ kind: 'orthogonal', gain, blocks }, [r * blocks, c], new Rng(seed));
          const ref = new Rng(seed);
          for (let b = 0; b < blocks; b++) {
            const off = b * r * c;
            const m = Array.from({ length: r }, (_, i) => row(t, off, c, i));
            const drawn = Array.from({ length: r }, () => Array.from({ length: c }, () => ref.normal()));
            // The smaller side's vectors: rows when r < c, else columns (torch transposes only when r < c).
            const vecs = r < c ? m : columns(m, c);
            // Gram matrix ≈ gain²·I. By Gershgorin every eigenvalue of the Gram matrix, i.e. every
            // squared singular value, lies within maxDev·k of gain², so all singular values = gain.
            let maxDev = 0;
            for (let i = 0; i < vecs.length; i++) {
              for (let j = 0; j < vecs.length; j++) {
                const g = dot(vecs[i]!, vecs[j]!) / gain ** 2;
                maxDev = Math.max(maxDev, Math.abs(g - (i === j ? 1 : 0)));
              }
            }
            expect(maxDev * vecs.length).toBeLessThan(1e-10);
            // torch: Q of A (or of Aᵀ when r < c) with sign(diag R) folded in.
            const expected = gramSchmidt(r < c ? drawn : columns(drawn, c));
            vecs.forEach((v, i) => v.forEach((x, k) => expect(Math.abs(x / gain - expected[i]![k]!)).toBeLessThan(1e-9)));
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('orthogonal flattens trailing dims and refuses ranks < 2 and uneven blocks', () => {
    const t = initTensor({ kind: 'orthogonal', gain: 1, blocks: 2 }, [4, 2, 3], new Rng(2));
    // Two [2, 6] blocks with orthonormal rows.
    for (const off of [0, 12]) {
      const a = row(t, off, 6, 0);
      const b = row(t, off, 6, 1);
      expect(dot(a, a)).toBeCloseTo(1, 12);
      expect(dot(b, b)).toBeCloseTo(1, 12);
      expect(dot(a, b)).toBeCloseTo(0, 12);
    }
    expect(() => initTensor({ kind: 'orthogonal', gain: 1, blocks: 1 }, [4], new Rng(1))).toThrow(RangeError);
    expect(() => initTensor({ kind: 'orthogonal', gain: 1, blocks: 3 }, [4, 4], new Rng(1))).toThrow(RangeError);
    expect(() => initTensor({ kind: 'identity', scale: 1, blocks: 0 }, [4, 4], new Rng(1))).toThrow(RangeError);
  });

  it('identity writes scale·eye into each block', () => {
    const rng = new Rng(1);
    const before = rng.getState();
    expect(Array.from(initTensor({ kind: 'identity', scale: 0.5, blocks: 3 }, [6, 2], rng))).toEqual([
      0.5, 0, 0, 0.5, 0.5, 0, 0, 0.5, 0.5, 0, 0, 0.5,
    ]);
    expect(Array.from(initTensor({ kind: 'identity', scale: 1, blocks: 2 }, [4, 3], rng))).toEqual([
      1, 0, 0, 0, 1, 0, 1, 0, 0, 0, 1, 0,
    ]);
    expect(Array.from(initTensor({ kind: 'identity', scale: 2, blocks: 1 }, [3, 2], rng))).toEqual([2, 0, 0, 2, 0, 0]);
    expect(rng.getState()).toEqual(before);
  });

  it('rows puts each part in its row range, drawing part by part', () => {
    // LSTM-style bias: forget-gate rows set to 1.
    const bias: Init = {
      kind: 'rows',
      parts: [
        { rows: 2, init: { kind: 'zeros' } },
        { rows: 2, init: { kind: 'constant', value: 1 } },
        { rows: 4, init: { kind: 'zeros' } },
      ],
    };
    expect(Array.from(initTensor(bias, [8], new Rng(1)))).toEqual([0, 0, 1, 1, 0, 0, 0, 0]);

    const mixed: Init = {
      kind: 'rows',
      parts: [
        { rows: 2, init: { kind: 'uniform', bound: 1 } },
        { rows: 1, init: { kind: 'constant', value: 5 } },
        { rows: 1, init: { kind: 'identity', scale: 3, blocks: 1 } },
        { rows: 2, init: { kind: 'rows', parts: [{ rows: 2, init: { kind: 'normal', std: 2 } }] } },
      ],
    };
    const t = initTensor(mixed, [6, 2], new Rng(8));
    const ref = new Rng(8);
    const u = [0, 1, 2, 3].map(() => ref.uniform(-1, 1));
    const n = [0, 1, 2, 3].map(() => 2 * ref.normal());
    expect(Array.from(t)).toEqual([...u, 5, 5, 3, 0, ...n]);

    const bad: Init = { kind: 'rows', parts: [{ rows: 2, init: { kind: 'zeros' } }] };
    expect(() => initTensor(bad, [3], new Rng(1))).toThrow(RangeError);
    expect(() => initTensor(bad, [], new Rng(1))).toThrow(RangeError);
  });

  it('is reproducible: same seed, same tensor; another seed, another tensor', () => {
    const inits: Init[] = [
      { kind: 'uniform', bound: 0.1 },
      { kind: 'normal', std: 1 },
      { kind: 'glorot' },
      { kind: 'orthogonal', gain: 1, blocks: 4 },
    ];
    for (const init of inits) {
      const a = initTensor(init, [8, 5], new Rng(31));
      expect(Array.from(initTensor(init, [8, 5], new Rng(31)))).toEqual(Array.from(a));
      expect(Array.from(initTensor(init, [8, 5], new Rng(32)))).not.toEqual(Array.from(a));
    }
  });

  it('refuses bad shapes', () => {
    expect(() => initTensor({ kind: 'zeros' }, [2, -1], new Rng(1))).toThrow(RangeError);
    expect(() => initTensor({ kind: 'zeros' }, [2.5], new Rng(1))).toThrow(RangeError);
  });
});
