/**
 * The heatmaps' colour scale: viridis (perceptually even, readable in grey and by most colour-blind
 * readers), dark purple for 0 to yellow for the top of the scale, interpolated between nine stops.
 */

/** Viridis at 0, 1/8, …, 1 (matplotlib's table). */
const STOPS: readonly (readonly [number, number, number])[] = [
  [68, 1, 84],
  [71, 44, 122],
  [59, 81, 139],
  [44, 113, 142],
  [33, 144, 141],
  [39, 173, 129],
  [92, 200, 99],
  [170, 220, 50],
  [253, 231, 37],
];

/** RGB of `value` on a scale from 0 to `max` (values outside are clamped; NaN is 0). */
export function heatRgb(value: number, max = 1): [number, number, number] {
  const x = max > 0 && Number.isFinite(value) ? Math.min(1, Math.max(0, value / max)) : 0;
  const at = x * (STOPS.length - 1);
  const i = Math.min(STOPS.length - 2, Math.floor(at));
  const f = at - i;
  const [a, b] = [STOPS[i]!, STOPS[i + 1]!];
  return [0, 1, 2].map((k) => Math.round(a[k]! + (b[k]! - a[k]!) * f)) as [number, number, number];
}

/** CSS colour of `value` on a scale from 0 to `max`. */
export function heatColour(value: number, max = 1): string {
  const [r, g, b] = heatRgb(value, max);
  return `rgb(${r} ${g} ${b})`;
}

/** A text colour readable on `heatColour(value, max)`: white on the dark end, near-black on the light. */
export function heatTextColour(value: number, max = 1): string {
  const [r, g, b] = heatRgb(value, max);
  return 0.299 * r + 0.587 * g + 0.114 * b > 140 ? '#111827' : '#ffffff';
}

/** The top of the scale for a set of weights: 1 for a softmax's, else the largest magnitude (raw scores). */
export function scaleMax(weights: readonly (readonly number[])[], normalized: boolean): number {
  if (normalized) return 1;
  let m = 0;
  for (const row of weights) for (const w of row) if (Number.isFinite(w)) m = Math.max(m, Math.abs(w));
  return m > 0 ? m : 1;
}

/** A weight as a cell shows it: two decimals (three below 0.01, so a small weight is not read as 0). */
export const formatWeight = (w: number): string => (Math.abs(w) > 0 && Math.abs(w) < 0.01 ? w.toFixed(3) : w.toFixed(2));
