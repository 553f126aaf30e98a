/** Fused GRU cell pointwise part (PyTorch nn.GRU: gate order r, z, n; reset applied after W_hh). */
import { sigmoid } from './scalar.ts';
import type { FloatArray } from './types.ts';

/**
 * The pointwise half of a GRU step for `B` rows of hidden size `H`. Inputs, all row-major:
 * `gi` = x·W_ihᵀ + b_ih `[B, 3H]`, `gh` = h_prev·W_hhᵀ + b_hh `[B, 3H]` (blocks r, z, n) and
 * `hPrev` `[B, H]`. Computes r = σ(gi_r + gh_r), z = σ(gi_z + gh_z), n = tanh(gi_n + r⊙gh_n),
 * h = (1 − z)⊙n + z⊙h_prev into `h` `[B, H]`, and saves r, z, n into `saved` `[B, 3H]`.
 * `B` or `H` ≤ 0 does nothing. Outputs must not overlap inputs. Does not allocate.
 */
export function gruCellForward(
  B: number,
  H: number,
  gi: FloatArray,
  giOff: number,
  gh: FloatArray,
  ghOff: number,
  hPrev: FloatArray,
  hpOff: number,
  h: FloatArray,
  hOff: number,
  saved: FloatArray,
  sOff: number,
): void {
  if (H <= 0) return;
  const H2 = 2 * H;
  const H3 = 3 * H;
  for (let b = 0; b < B; b++) {
    const i = giOff + b * H3;
    const k = ghOff + b * H3;
    const s = sOff + b * H3;
    const hp = hpOff + b * H;
    const ho = hOff + b * H;
    for (let j = 0; j < H; j++) {
      const r = sigmoid(gi[i + j]! + gh[k + j]!);
      const z = sigmoid(gi[i + H + j]! + gh[k + H + j]!);
      const n = Math.tanh(gi[i + H2 + j]! + r * gh[k + H2 + j]!);
      saved[s + j] = r;
      saved[s + H + j] = z;
      saved[s + H2 + j] = n;
      h[ho + j] = (1 - z) * n + z * hPrev[hp + j]!;
    }
  }
}

/**
 * Backward of {@link gruCellForward} from `dh` `[B, H]`, the `saved` r, z, n `[B, 3H]`, the
 * forward's `gh` `[B, 3H]` (only its n block is read) and `hPrev` `[B, H]`:
 *
 * - da_n = dh⊙(1 − z)⊙(1 − n²), da_r = da_n⊙gh_n⊙r(1 − r), da_z = dh⊙(h_prev − n)⊙z(1 − z)
 * - `dGi` `[B, 3H]` (+)= [da_r, da_z, da_n] per `accGi`
 * - `dGh` `[B, 3H]` (+)= [da_r, da_z, da_n⊙r] per `accGh`
 * - `dHPrev` `[B, H]` (+)= dh⊙z per `accH`: only the direct path; the path through gh is the
 *   caller's gemm of dGh with W_hh.
 *
 * `B` or `H` ≤ 0 does nothing. Outputs must not overlap inputs. Does not allocate.
 */
export function gruCellBackward(
  B: number,
  H: number,
  dh: FloatArray,
  dhOff: number,
  saved: FloatArray,
  sOff: number,
  gh: FloatArray,
  ghOff: number,
  hPrev: FloatArray,
  hpOff: number,
  dGi: FloatArray,
  dGiOff: number,
  accGi: boolean,
  dGh: FloatArray,
  dGhOff: number,
  accGh: boolean,
  dHPrev: FloatArray,
  dhpOff: number,
  accH: boolean,
): void {
  if (H <= 0) return;
  const H2 = 2 * H;
  const H3 = 3 * H;
  for (let b = 0; b < B; b++) {
    const s = sOff + b * H3;
    const k = ghOff + b * H3;
    const gi = dGiOff + b * H3;
    const gk = dGhOff + b * H3;
    const hp = hpOff + b * H;
    const dho = dhOff + b * H;
    const dhp = dhpOff + b * H;
    for (let j = 0; j < H; j++) {
      const g = dh[dho + j]!;
      const r = saved[s + j]!;
      const z = saved[s + H + j]!;
      const n = saved[s + H2 + j]!;
      const an = g * (1 - z) * (1 - n * n);
      const ar = an * gh[k + H2 + j]! * r * (1 - r);
      const az = g * (hPrev[hp + j]! - n) * z * (1 - z);
      const anh = an * r;
      const dhDirect = g * z;
      if (accGi) {
        dGi[gi + j] = dGi[gi + j]! + ar;
        dGi[gi + H + j] = dGi[gi + H + j]! + az;
        dGi[gi + H2 + j] = dGi[gi + H2 + j]! + an;
      } else {
        dGi[gi + j] = ar;
        dGi[gi + H + j] = az;
        dGi[gi + H2 + j] = an;
      }
      if (accGh) {
        dGh[gk + j] = dGh[gk + j]! + ar;
        dGh[gk + H + j] = dGh[gk + H + j]! + az;
        dGh[gk + H2 + j] = dGh[gk + H2 + j]! + anh;
      } else {
        dGh[gk + j] = ar;
        dGh[gk + H + j] = az;
        dGh[gk + H2 + j] = anh;
      }
      dHPrev[dhp + j] = accH ? dHPrev[dhp + j]! + dhDirect : dhDirect;
    }
  }
}
