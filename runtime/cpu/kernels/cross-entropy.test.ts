import { describe, expect, it } from 'vitest';
import { crossEntropy, crossEntropyGrad } from './cross-entropy.ts';
import { centralDiff, CTORS, Expected, gradError, input, inputOf, output, rng, SENTINEL, tolFor, uniform } from './test-support.ts';

/** −log(softmax(row)[t]) the long way, float64. */
function naiveLoss(row: readonly number[], t: number): number {
  const s = row.reduce((a, v) => a + Math.exp(v), 0);
  return -Math.log(Math.exp(row[t]!) / s);
}

describe('crossEntropy', () => {
  for (const C of CTORS)
    it(`${C.name}: loss and probs for every rows × V, offsets, untouched padding`, () => {
      const r = rng(C.BYTES_PER_ELEMENT);
      for (const rows of [0, 1, 3, 7])
        for (const V of [1, 3, 7, 17, 65]) {
          const logits = input(C, rows * V, 2, () => uniform(r, -4, 4));
          const targets = inputOf(C, Array.from({ length: rows }, () => Math.floor(r() * V)), 1);
          const loss = output(C, rows + 4);
          const probs = output(C, rows * V + 5);
          const wantLoss = new Expected(loss);
          const wantProbs = new Expected(probs);
          for (let i = 0; i < rows; i++) {
            const row = logits.vals.slice(i * V, (i + 1) * V);
            const t = targets.vals[i]!;
            wantLoss.set(3 + i, naiveLoss(row, t));
            const s = row.reduce((a, v) => a + Math.exp(v), 0);
            row.forEach((v, j) => wantProbs.set(1 + i * V + j, Math.exp(v) / s));
          }
          crossEntropy(rows, V, logits.buf, 2, targets.buf, 1, loss, 3, probs, 1);
          wantLoss.check(loss, tolFor(C), `loss ${rows}×${V}`);
          wantProbs.check(probs, tolFor(C), `probs ${rows}×${V}`);
        }
    });

  it('is stable for huge logits', () => {
    const loss = new Float64Array(1);
    const probs = new Float64Array(3);
    crossEntropy(1, 3, Float64Array.of(1000, 0, -1000), 0, Float64Array.of(1), 0, loss, 0, probs, 0);
    expect(loss[0]).toBeCloseTo(1000, 9);
    expect(Array.from(probs)).toEqual([1, Math.exp(-1000), 0]);
  });

  it('throws a RangeError naming the row and id for an out-of-range target', () => {
    for (const bad of [-1, 3, 7.5, NaN]) {
      const run = (): void =>
        crossEntropy(2, 3, new Float64Array(6), 0, Float64Array.of(0, bad), 0, new Float64Array(2), 0, new Float64Array(6), 0);
      expect(run).toThrow(RangeError);
      expect(run).toThrow(`row 1 has target id ${bad}`);
      const grad = (): void =>
        crossEntropyGrad(2, 3, new Float64Array(2), 0, new Float64Array(6), 0, Float64Array.of(bad, 0), 0, new Float64Array(6), 0, false);
      expect(grad).toThrow(`row 0 has target id ${bad}`);
    }
  });

  it('rows = 0 does nothing', () => {
    const loss = Float64Array.of(SENTINEL);
    crossEntropy(0, 4, new Float64Array(0), 0, new Float64Array(0), 0, loss, 0, loss, 0);
    crossEntropyGrad(0, 4, new Float64Array(0), 0, new Float64Array(0), 0, new Float64Array(0), 0, loss, 0, true);
    expect(loss[0]).toBe(SENTINEL);
  });
});

describe('crossEntropyGrad', () => {
  for (const C of CTORS)
    it(`${C.name}: dLoss·(probs − onehot) for both accumulate modes`, () => {
      const r = rng(3 + C.BYTES_PER_ELEMENT);
      for (const rows of [1, 3, 7])
        for (const V of [1, 3, 17])
          for (const accumulate of [false, true]) {
            const probs = input(C, rows * V, 4, () => r());
            const targets = inputOf(C, Array.from({ length: rows }, () => Math.floor(r() * V)), 2);
            const dLoss = input(C, rows, 1, () => uniform(r));
            const d = output(C, rows * V + 5, accumulate ? () => uniform(r) : undefined);
            const want = new Expected(d);
            for (let i = 0; i < rows; i++)
              for (let j = 0; j < V; j++) {
                const v = dLoss.vals[i]! * (probs.vals[i * V + j]! - (j === targets.vals[i] ? 1 : 0));
                if (accumulate) want.add(2 + i * V + j, v);
                else want.set(2 + i * V + j, v);
              }
            crossEntropyGrad(rows, V, dLoss.buf, 1, probs.buf, 4, targets.buf, 2, d, 2, accumulate);
            want.check(d, tolFor(C), `dLogits ${rows}×${V}`);
          }
    });

  it('agrees with central differences of Σ dLoss·loss (float64)', () => {
    const r = rng(8);
    const rows = 3;
    const V = 7;
    const x = Float64Array.from({ length: rows * V }, () => uniform(r, -3, 3));
    const t = Float64Array.of(0, 6, 3);
    const w = Float64Array.from({ length: rows }, () => uniform(r));
    const total = (xs: Float64Array): number => {
      const loss = new Float64Array(rows);
      crossEntropy(rows, V, xs, 0, t, 0, loss, 0, new Float64Array(rows * V), 0);
      return loss.reduce((s, v, i) => s + v * w[i]!, 0);
    };
    const probs = new Float64Array(rows * V);
    crossEntropy(rows, V, x, 0, t, 0, new Float64Array(rows), 0, probs, 0);
    const d = new Float64Array(rows * V);
    crossEntropyGrad(rows, V, w, 0, probs, 0, t, 0, d, 0, false);
    for (let i = 0; i < rows * V; i++) {
      const num = centralDiff((v) => total(Float64Array.from(x, (u, k) => (k === i ? v : u))), x[i]!);
      expect(gradError(d[i]!, num)).toBeLessThan(1e-6);
    }
  });
});
