import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { lstmCellBackward, lstmCellForward } from './lstm-cell.ts';
import { centralDiff, CTORS, Expected, gradError, input, output, rng, SENTINEL, tolFor, uniform, type FloatCtor } from './test-support.ts';

const sig = (x: number): number => 1 / (1 + Math.exp(-x));

/** The textbook LSTM step in float64: returns h, c, activated gates and tanh(c) per row. */
function naiveForward(B: number, H: number, pre: readonly number[], cPrev: (b: number, j: number) => number) {
  const h: number[] = [], c: number[] = [], gates: number[] = [], tc: number[] = [];
  for (let b = 0; b < B; b++) {
    const p = (k: number, j: number): number => pre[b * 4 * H + k * H + j]!;
    const row = { i: [] as number[], f: [] as number[], g: [] as number[], o: [] as number[] };
    for (let j = 0; j < H; j++) {
      const i = sig(p(0, j)), f = sig(p(1, j)), g = Math.tanh(p(2, j)), o = sig(p(3, j));
      const cj = f * cPrev(b, j) + i * g;
      row.i.push(i); row.f.push(f); row.g.push(g); row.o.push(o);
      c.push(cj);
      tc.push(Math.tanh(cj));
      h.push(o * Math.tanh(cj));
    }
    gates.push(...row.i, ...row.f, ...row.g, ...row.o);
  }
  return { h, c, gates, tc };
}

/** Runs forward then backward on `C` buffers (with offsets, NaN padding, sentinels) and checks both against the naive formulas. */
function runCell(C: FloatCtor, B: number, H: number, accPre: boolean, accC: boolean, cPrevStride: number, seed: number): void {
  const r = rng(seed);
  const pre = input(C, B * 4 * H, 3, () => uniform(r, -3, 3));
  // cPrev rows sit cPrevStride apart (2H: the c half of an hc buffer); the gaps stay NaN.
  const cBuf = new C(2 + B * cPrevStride + 3).fill(NaN);
  for (let b = 0; b < B; b++) for (let j = 0; j < H; j++) cBuf[2 + b * cPrevStride + j] = uniform(r, -2, 2);
  const cPrev = (b: number, j: number): number => cBuf[2 + b * cPrevStride + j]!;
  const hc = output(C, B * 2 * H + 6);
  const gates = output(C, B * 4 * H + 4);
  const tanhC = output(C, B * H + 5);
  const ref = naiveForward(B, H, pre.vals, cPrev);
  const wantHc = new Expected(hc), wantGates = new Expected(gates), wantTc = new Expected(tanhC);
  for (let b = 0; b < B; b++)
    for (let j = 0; j < H; j++) {
      wantHc.set(1 + b * 2 * H + j, ref.h[b * H + j]!);
      wantHc.set(1 + b * 2 * H + H + j, ref.c[b * H + j]!);
      wantTc.set(2 + b * H + j, ref.tc[b * H + j]!);
    }
  ref.gates.forEach((v, i) => wantGates.set(3 + i, v));
  lstmCellForward(B, H, pre.buf, 3, cBuf, 2, hc, 1, gates, 3, tanhC, 2, cPrevStride);
  const tol = tolFor(C);
  wantHc.check(hc, tol, 'hc');
  wantGates.check(gates, tol, 'gates');
  wantTc.check(tanhC, tol, 'tanhC');

  // Backward from the saved tensors as stored (rounded for float32).
  const dhc = input(C, B * 2 * H, 4, () => uniform(r));
  const dPre = output(C, B * 4 * H + 5, accPre ? () => uniform(r) : undefined);
  const dCPrev = output(C, 1 + B * cPrevStride + 3, accC ? () => uniform(r) : undefined);
  const wantPre = new Expected(dPre), wantC = new Expected(dCPrev);
  for (let b = 0; b < B; b++)
    for (let j = 0; j < H; j++) {
      const g = (k: number): number => gates[3 + b * 4 * H + k * H + j]!;
      const [i, f, gg, o] = [g(0), g(1), g(2), g(3)];
      const t = tanhC[2 + b * H + j]!;
      const dh = dhc.vals[b * 2 * H + j]!, dc = dhc.vals[b * 2 * H + H + j]!;
      const dct = dc + dh * o * (1 - t * t);
      const vals = [dct * gg * i * (1 - i), dct * cPrev(b, j) * f * (1 - f), dct * i * (1 - gg * gg), dh * t * o * (1 - o)];
      vals.forEach((v, k) => (accPre ? wantPre.add(2 + b * 4 * H + k * H + j, v) : wantPre.set(2 + b * 4 * H + k * H + j, v)));
      const idx = 1 + b * cPrevStride + j;
      if (accC) wantC.add(idx, dct * f);
      else wantC.set(idx, dct * f);
    }
  lstmCellBackward(B, H, dhc.buf, 4, gates, 3, tanhC, 2, cBuf, 2, dPre, 2, accPre, dCPrev, 1, accC, cPrevStride, cPrevStride);
  wantPre.check(dPre, tol, 'dPre');
  wantC.check(dCPrev, tol, 'dCPrev');
}

describe('lstmCellForward / lstmCellBackward', () => {
  for (const C of CTORS)
    it(`${C.name}: match the naive formulas for B, H in {1, 3, 7, 17}, every accumulate pairing, dense and hc-strided c`, () => {
      let seed = 1;
      for (const B of [1, 3, 7])
        for (const H of [1, 3, 7, 17])
          for (const accPre of [false, true])
            for (const accC of [false, true])
              for (const stride of [H, 2 * H]) runCell(C, B, H, accPre, accC, stride, seed++);
    });

  it('agree with central differences of the forward in float64 for every input (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 6 }), fc.nat(), (B, H, seed) => {
        const r = rng(seed);
        const pre = Float64Array.from({ length: B * 4 * H }, () => uniform(r, -3, 3));
        const cPrev = Float64Array.from({ length: B * H }, () => uniform(r, -2, 2));
        const w = Float64Array.from({ length: B * 2 * H }, () => uniform(r));
        // L = Σ w ⊙ hc, so dL/dhc = w is the upstream gradient.
        const loss = (p: Float64Array, c: Float64Array): number => {
          const hc = new Float64Array(B * 2 * H);
          lstmCellForward(B, H, p, 0, c, 0, hc, 0, new Float64Array(B * 4 * H), 0, new Float64Array(B * H), 0);
          return hc.reduce((s, v, i) => s + v * w[i]!, 0);
        };
        const gates = new Float64Array(B * 4 * H);
        const tanhC = new Float64Array(B * H);
        lstmCellForward(B, H, pre, 0, cPrev, 0, new Float64Array(B * 2 * H), 0, gates, 0, tanhC, 0);
        const dPre = new Float64Array(B * 4 * H);
        const dC = new Float64Array(B * H);
        lstmCellBackward(B, H, w, 0, gates, 0, tanhC, 0, cPrev, 0, dPre, 0, false, dC, 0, false);
        const with_ = (a: Float64Array, i: number, v: number): Float64Array => Float64Array.from(a, (u, k) => (k === i ? v : u));
        for (let i = 0; i < pre.length; i++)
          expect(gradError(dPre[i]!, centralDiff((v) => loss(with_(pre, i, v), cPrev), pre[i]!))).toBeLessThan(1e-6);
        for (let i = 0; i < cPrev.length; i++)
          expect(gradError(dC[i]!, centralDiff((v) => loss(pre, with_(cPrev, i, v)), cPrev[i]!))).toBeLessThan(1e-6);
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
      lstmCellForward(B, H, none, 0, none, 0, out, 0, out, 0, out, 0);
      lstmCellBackward(B, H, none, 0, none, 0, none, 0, none, 0, out, 0, true, out, 0, false);
    }
    expect(out[0]).toBe(SENTINEL);
  });
});
