import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { gruCellBackward, gruCellForward } from './gru-cell.ts';
import { centralDiff, CTORS, Expected, gradError, input, output, rng, SENTINEL, tolFor, uniform, type FloatCtor } from './test-support.ts';

const sig = (x: number): number => 1 / (1 + Math.exp(-x));

/** Forward then backward on `C` buffers (offsets, NaN padding, sentinels) against the naive PyTorch GRU formulas. */
function runCell(C: FloatCtor, B: number, H: number, accGi: boolean, accGh: boolean, accH: boolean, seed: number): void {
  const r = rng(seed);
  const gi = input(C, B * 3 * H, 2, () => uniform(r, -3, 3));
  const gh = input(C, B * 3 * H, 5, () => uniform(r, -3, 3));
  const hPrev = input(C, B * H, 1, () => uniform(r, -1, 1));
  const h = output(C, B * H + 4);
  const saved = output(C, B * 3 * H + 6);
  const wantH = new Expected(h), wantSaved = new Expected(saved);
  for (let b = 0; b < B; b++)
    for (let j = 0; j < H; j++) {
      const at = (v: number[], k: number): number => v[b * 3 * H + k * H + j]!;
      const rg = sig(at(gi.vals, 0) + at(gh.vals, 0));
      const z = sig(at(gi.vals, 1) + at(gh.vals, 1));
      const n = Math.tanh(at(gi.vals, 2) + rg * at(gh.vals, 2));
      wantH.set(3 + b * H + j, (1 - z) * n + z * hPrev.vals[b * H + j]!);
      [rg, z, n].forEach((v, k) => wantSaved.set(2 + b * 3 * H + k * H + j, v));
    }
  gruCellForward(B, H, gi.buf, 2, gh.buf, 5, hPrev.buf, 1, h, 3, saved, 2);
  const tol = tolFor(C);
  wantH.check(h, tol, 'h');
  wantSaved.check(saved, tol, 'saved');

  const dh = input(C, B * H, 3, () => uniform(r));
  const dGi = output(C, B * 3 * H + 5, accGi ? () => uniform(r) : undefined);
  const dGh = output(C, B * 3 * H + 5, accGh ? () => uniform(r) : undefined);
  const dHPrev = output(C, B * H + 5, accH ? () => uniform(r) : undefined);
  const wGi = new Expected(dGi), wGh = new Expected(dGh), wH = new Expected(dHPrev);
  const put = (w: Expected, acc: boolean, i: number, v: number): void => (acc ? w.add(i, v) : w.set(i, v));
  for (let b = 0; b < B; b++)
    for (let j = 0; j < H; j++) {
      const s = (k: number): number => saved[2 + b * 3 * H + k * H + j]!;
      const [rg, z, n] = [s(0), s(1), s(2)];
      const g = dh.vals[b * H + j]!;
      const an = g * (1 - z) * (1 - n * n);
      const ar = an * gh.vals[b * 3 * H + 2 * H + j]! * rg * (1 - rg);
      const az = g * (hPrev.vals[b * H + j]! - n) * z * (1 - z);
      [ar, az, an].forEach((v, k) => put(wGi, accGi, 1 + b * 3 * H + k * H + j, v));
      [ar, az, an * rg].forEach((v, k) => put(wGh, accGh, 4 + b * 3 * H + k * H + j, v));
      put(wH, accH, 2 + b * H + j, g * z);
    }
  gruCellBackward(B, H, dh.buf, 3, saved, 2, gh.buf, 5, hPrev.buf, 1, dGi, 1, accGi, dGh, 4, accGh, dHPrev, 2, accH);
  wGi.check(dGi, tol, 'dGi');
  wGh.check(dGh, tol, 'dGh');
  wH.check(dHPrev, tol, 'dHPrev');
}

describe('gruCellForward / gruCellBackward', () => {
  for (const C of CTORS)
    it(`${C.name}: match the naive formulas for B, H in {1, 3, 7, 17} and every accumulate combination`, () => {
      let seed = 1;
      for (const B of [1, 3, 7])
        for (const H of [1, 3, 7, 17])
          for (let flags = 0; flags < 8; flags++) runCell(C, B, H, (flags & 1) > 0, (flags & 2) > 0, (flags & 4) > 0, seed++);
    });

  it('agree with central differences of the forward in float64 for every input (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 6 }), fc.nat(), (B, H, seed) => {
        const r = rng(seed);
        const gi = Float64Array.from({ length: B * 3 * H }, () => uniform(r, -3, 3));
        const gh = Float64Array.from({ length: B * 3 * H }, () => uniform(r, -3, 3));
        const hPrev = Float64Array.from({ length: B * H }, () => uniform(r, -1, 1));
        const w = Float64Array.from({ length: B * H }, () => uniform(r));
        // L = Σ w ⊙ h with gi, gh and h_prev independent inputs (gh's own dependence on h_prev
        // is the caller's gemm), so dHPrev is the direct path only.
        const loss = (a: Float64Array, b: Float64Array, c: Float64Array): number => {
          const h = new Float64Array(B * H);
          gruCellForward(B, H, a, 0, b, 0, c, 0, h, 0, new Float64Array(B * 3 * H), 0);
          return h.reduce((s, v, i) => s + v * w[i]!, 0);
        };
        const saved = new Float64Array(B * 3 * H);
        gruCellForward(B, H, gi, 0, gh, 0, hPrev, 0, new Float64Array(B * H), 0, saved, 0);
        const dGi = new Float64Array(B * 3 * H);
        const dGh = new Float64Array(B * 3 * H);
        const dH = new Float64Array(B * H);
        gruCellBackward(B, H, w, 0, saved, 0, gh, 0, hPrev, 0, dGi, 0, false, dGh, 0, false, dH, 0, false);
        const with_ = (a: Float64Array, i: number, v: number): Float64Array => Float64Array.from(a, (u, k) => (k === i ? v : u));
        for (let i = 0; i < gi.length; i++) {
          expect(gradError(dGi[i]!, centralDiff((v) => loss(with_(gi, i, v), gh, hPrev), gi[i]!))).toBeLessThan(1e-6);
          expect(gradError(dGh[i]!, centralDiff((v) => loss(gi, with_(gh, i, v), hPrev), gh[i]!))).toBeLessThan(1e-6);
        }
        for (let i = 0; i < hPrev.length; i++)
          expect(gradError(dH[i]!, centralDiff((v) => loss(gi, gh, with_(hPrev, i, v)), hPrev[i]!))).toBeLessThan(1e-6);
      }),
      { numRuns: 60 },
    );
  });

  it('B or H = 0 does nothing', () => {
    const out = Float64Array.of(SENTINEL);
    const none = new Float64Array(0);
    for (const [B, H] of [
      [0, 3],
      [3, 0],
    ] as const) {
      gruCellForward(B, H, none, 0, none, 0, none, 0, out, 0, out, 0);
      gruCellBackward(B, H, none, 0, none, 0, none, 0, none, 0, out, 0, false, out, 0, true, out, 0, false);
    }
    expect(out[0]).toBe(SENTINEL);
  });
});
