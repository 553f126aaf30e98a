/** Fused LSTM cell pointwise part (PyTorch nn.LSTM gate order i, f, g, o), forward and backward. */
import { sigmoid } from './scalar.ts';
import type { FloatArray } from './types.ts';

/**
 * The pointwise half of an LSTM step for `B` rows of hidden size `H` (the matmuls are gemm calls
 * made before it).
 *
 * - `pre` `[B, 4H]`: pre-activations x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh, gate blocks i, f, g, o.
 * - `cPrev` `[B, H]`: previous cell state; row `r` starts at `cOff + r·cPrevStride`
 *   (default `H`, dense; pass `2H` to read the c half of the previous step's `hc`).
 * - writes `hc` `[B, 2H]`: row r is h then c, with i = σ, f = σ, g = tanh, o = σ,
 *   c = f⊙c_prev + i⊙g, h = o⊙tanh(c);
 * - saves `gates` `[B, 4H]` (activated i, f, g, o) and `tanhC` `[B, H]` for the backward.
 *
 * `B` or `H` ≤ 0 does nothing. Outputs must not overlap inputs. Does not allocate.
 */
export function lstmCellForward(
  B: number,
  H: number,
  pre: FloatArray,
  preOff: number,
  cPrev: FloatArray,
  cOff: number,
  hc: FloatArray,
  hcOff: number,
  gates: FloatArray,
  gOff: number,
  tanhC: FloatArray,
  tcOff: number,
  cPrevStride: number = H,
): void {
  if (H <= 0) return;
  const H2 = 2 * H;
  const H3 = 3 * H;
  const H4 = 4 * H;
  for (let r = 0; r < B; r++) {
    const p = preOff + r * H4;
    const g = gOff + r * H4;
    const cp = cOff + r * cPrevStride;
    const o = hcOff + r * H2;
    const t = tcOff + r * H;
    for (let j = 0; j < H; j++) {
      const ig = sigmoid(pre[p + j]!);
      const fg = sigmoid(pre[p + H + j]!);
      const gg = Math.tanh(pre[p + H2 + j]!);
      const og = sigmoid(pre[p + H3 + j]!);
      const c = fg * cPrev[cp + j]! + ig * gg;
      const tc = Math.tanh(c);
      gates[g + j] = ig;
      gates[g + H + j] = fg;
      gates[g + H2 + j] = gg;
      gates[g + H3 + j] = og;
      tanhC[t + j] = tc;
      hc[o + j] = og * tc;
      hc[o + H + j] = c;
    }
  }
}

/**
 * Backward of {@link lstmCellForward}. From `dhc` `[B, 2H]` (row r: dh then dc) and the saved
 * `gates`, `tanhC` and `cPrev` (same layouts and `cPrevStride` as the forward):
 *
 * - dc_total = dc + dh⊙o⊙(1 − tanh(c)²)
 * - `dPre` `[B, 4H]` (+)= [dc_total⊙g⊙i(1−i), dc_total⊙c_prev⊙f(1−f), dc_total⊙i⊙(1−g²),
 *   dh⊙tanh(c)⊙o(1−o)] (written when `accPre` is false, added when true)
 * - `dCPrev` `[B, H]` (+)= dc_total⊙f per `accC`; row r at `dcOff + r·dCPrevStride` (default
 *   `H`; pass `2H` to add straight into the c half of the previous step's `dhc`).
 *
 * `B` or `H` ≤ 0 does nothing. Outputs must not overlap inputs. Does not allocate.
 */
export function lstmCellBackward(
  B: number,
  H: number,
  dhc: FloatArray,
  dhcOff: number,
  gates: FloatArray,
  gOff: number,
  tanhC: FloatArray,
  tcOff: number,
  cPrev: FloatArray,
  cOff: number,
  dPre: FloatArray,
  dPreOff: number,
  accPre: boolean,
  dCPrev: FloatArray,
  dcOff: number,
  accC: boolean,
  cPrevStride: number = H,
  dCPrevStride: number = H,
): void {
  if (H <= 0) return;
  const H2 = 2 * H;
  const H3 = 3 * H;
  const H4 = 4 * H;
  for (let r = 0; r < B; r++) {
    const d = dhcOff + r * H2;
    const g = gOff + r * H4;
    const t = tcOff + r * H;
    const cp = cOff + r * cPrevStride;
    const dp = dPreOff + r * H4;
    const dcp = dcOff + r * dCPrevStride;
    for (let j = 0; j < H; j++) {
      const dh = dhc[d + j]!;
      const dc = dhc[d + H + j]!;
      const ig = gates[g + j]!;
      const fg = gates[g + H + j]!;
      const gg = gates[g + H2 + j]!;
      const og = gates[g + H3 + j]!;
      const tc = tanhC[t + j]!;
      const dct = dc + dh * og * (1 - tc * tc);
      const di = dct * gg * ig * (1 - ig);
      const df = dct * cPrev[cp + j]! * fg * (1 - fg);
      const dg = dct * ig * (1 - gg * gg);
      const dout = dh * tc * og * (1 - og);
      const dcPrev = dct * fg;
      if (accPre) {
        dPre[dp + j] = dPre[dp + j]! + di;
        dPre[dp + H + j] = dPre[dp + H + j]! + df;
        dPre[dp + H2 + j] = dPre[dp + H2 + j]! + dg;
        dPre[dp + H3 + j] = dPre[dp + H3 + j]! + dout;
      } else {
        dPre[dp + j] = di;
        dPre[dp + H + j] = df;
        dPre[dp + H2 + j] = dg;
        dPre[dp + H3 + j] = dout;
      }
      dCPrev[dcp + j] = accC ? dCPrev[dcp + j]! + dcPrev : dcPrev;
    }
  }
}
