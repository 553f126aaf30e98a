/**
 * Backend parity: a WebGPU result (float32) against the CPU reference (float64). An output is
 * equal within `rel` when its largest difference is at most `rel` times its largest magnitude
 * (norm-wise relative error, the measure that survives cancellation in sums), and non-finite
 * values match exactly. Test support only.
 */
export interface Mismatch {
  readonly index: number;
  readonly got: number;
  readonly want: number;
  readonly error: number;
  readonly scale: number;
}

/** The worst element of `got` against `want` over `[from, to)`, or undefined when within `rel`. */
export function mismatch(got: ArrayLike<number>, want: ArrayLike<number>, rel = 1e-4, from = 0, to = want.length): Mismatch | undefined {
  let scale = 0;
  for (let i = from; i < to; i++) if (Number.isFinite(want[i]!)) scale = Math.max(scale, Math.abs(want[i]!));
  let worst: Mismatch | undefined;
  for (let i = from; i < to; i++) {
    const g = got[i]!;
    const w = want[i]!;
    if (!Number.isFinite(w) || !Number.isFinite(g)) {
      if (!Object.is(g, w) && !(Number.isNaN(g) && Number.isNaN(w))) return { index: i, got: g, want: w, error: Infinity, scale };
      continue;
    }
    const error = Math.abs(g - w);
    if (error > rel * scale && (worst === undefined || error > worst.error)) worst = { index: i, got: g, want: w, error, scale };
  }
  return worst;
}

/** A readable failure message, or '' when equal. */
export function describeMismatch(what: string, m: Mismatch | undefined): string {
  return m === undefined ? '' : `${what}: element ${m.index} is ${m.got}, the CPU gives ${m.want} (difference ${m.error.toExponential(2)}, scale ${m.scale.toExponential(2)})`;
}
