/**
 * Log-scale axes for gradient norms, which span from about 1 down to 1e-30 and beyond (an Elman
 * RNN's gradient after 100 steps back). uPlot's own log ticks put nine per decade and stop being
 * exact below about 1e-24, so the log charts take their range and ticks from here: whole decades,
 * one tick every k decades so that they fit the axis.
 */

/** The powers of ten around [min, max] (both > 0); a single value gets the decade around it. */
export function logRange(min: number | null, max: number | null): [number, number] {
  if (min === null || max === null || !(min > 0) || !(max > 0) || !Number.isFinite(min) || !Number.isFinite(max)) return [0.1, 1];
  const lo = Math.floor(Math.log10(min) + 1e-9);
  const hi = Math.max(lo + 1, Math.ceil(Math.log10(max) - 1e-9));
  return [pow10(lo), pow10(hi)];
}

/** 10^e exactly as the decimal literal `1e<e>` reads (Math.pow(10, −24) is not 1e-24). */
export const pow10 = (e: number): number => Number(`1e${e}`);

/**
 * Ticks at powers of ten within [min, max], every k-th decade (k = 1, 2, 3, 5, 10, …) so that
 * there are at most `maxTicks`, aligned to multiples of k.
 */
export function logTicks(min: number, max: number, maxTicks: number): number[] {
  if (!(min > 0) || !(max >= min) || !Number.isFinite(max)) return [];
  const e0 = Math.ceil(Math.log10(min) - 1e-9);
  const e1 = Math.floor(Math.log10(max) + 1e-9);
  const decades = e1 - e0 + 1;
  const steps = [1, 2, 3, 5, 10, 20, 50, 100];
  const k = steps.find((s) => Math.ceil(decades / s) <= Math.max(1, maxTicks)) ?? 100;
  const out: number[] = [];
  for (let e = Math.ceil(e0 / k) * k; e <= e1; e += k) out.push(pow10(e));
  return out;
}
