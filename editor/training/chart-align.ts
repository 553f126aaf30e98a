/**
 * uPlot draws series that share one x array. Runs, their evaluations and their decimated curves
 * each have their own x values, so they are put on one shared grid of at most `MAX_ALIGNED`
 * x values, with null where a series has no point (drawn across by `spanGaps`).
 *
 * Two regimes, both linear in the number of input points (no sort of the union, whose size would
 * grow with the number of runs overlaid):
 * - exact: all x are integers (steps, time steps) spanning at most `maxPoints` values. The grid
 *   is the sorted union of the x values, each point at its own x.
 * - bucketed: otherwise. The x range is cut into `maxPoints / 2` equal buckets of two slots (at
 *   the bucket's start and middle); each series keeps its minimum and maximum in each bucket, in
 *   the order they came, so a spike is never lost. A bucket is 1/1000 of the axis: under a pixel
 *   on any chart the panel shows.
 * Slots no series uses are dropped, so the output is never longer than the input.
 */

/** One series as points: `xs[i], ys[i]` for `i < length`, xs ascending. */
export interface XY {
  readonly length: number;
  readonly xs: ArrayLike<number>;
  readonly ys: ArrayLike<number>;
}

/** uPlot's data: the x values, then one y array per series (null: no point there). */
export type Aligned = [Float64Array, ...(number | null)[][]];

/** Most x values an aligned chart has, however many runs it overlays. */
export const MAX_ALIGNED = 2000;

/**
 * Align `series` on one grid of at most `maxPoints` x values (see the file's comment). Within a
 * series, in the exact regime, a later point at the same x wins; a non-finite y, or one that
 * `keep` refuses (e.g. ≤ 0 on a log scale), is a gap (its x stays on the grid in the exact regime).
 */
export function alignSeries(series: readonly XY[], keep: (y: number) => boolean = () => true, maxPoints = MAX_ALIGNED): Aligned {
  if (maxPoints < 2) throw new RangeError('maxPoints must be at least 2');
  let lo = Infinity;
  let hi = -Infinity;
  let ints = true;
  for (const s of series) {
    for (let i = 0; i < s.length; i++) {
      const x = s.xs[i]!;
      if (!Number.isFinite(x)) continue;
      if (x < lo) lo = x;
      if (x > hi) hi = x;
      if (ints && !Number.isInteger(x)) ints = false;
    }
  }
  if (lo > hi) return [new Float64Array(0), ...series.map(() => [])];
  const ok = (y: number): boolean => Number.isFinite(y) && keep(y);
  return ints && hi - lo + 1 <= maxPoints ? exact(series, lo, hi, ok) : bucketed(series, lo, hi, ints, Math.floor(maxPoints / 2), ok);
}

/** The grid without the slots no series used. */
function compact(slotX: (k: number) => number, used: Uint8Array, cols: (number | null)[][]): Aligned {
  let n = 0;
  for (let k = 0; k < used.length; k++) n += used[k]!;
  const xs = new Float64Array(n);
  const map = new Int32Array(n);
  for (let k = 0, j = 0; k < used.length; k++) {
    if (used[k] === 0) continue;
    xs[j] = slotX(k);
    map[j++] = k;
  }
  const out: Aligned = [xs];
  for (const c of cols) {
    if (n === used.length) {
      out.push(c);
      continue;
    }
    const d = new Array<number | null>(n);
    for (let j = 0; j < n; j++) d[j] = c[map[j]!]!;
    out.push(d);
  }
  return out;
}

function exact(series: readonly XY[], lo: number, hi: number, ok: (y: number) => boolean): Aligned {
  const slots = hi - lo + 1;
  const used = new Uint8Array(slots);
  const cols = series.map((s) => {
    const col = new Array<number | null>(slots).fill(null);
    for (let i = 0; i < s.length; i++) {
      const x = s.xs[i]!;
      if (!Number.isFinite(x)) continue;
      const y = s.ys[i]!;
      col[x - lo] = ok(y) ? y : null;
      used[x - lo] = 1;
    }
    return col;
  });
  return compact((k) => lo + k, used, cols);
}

function bucketed(series: readonly XY[], lo: number, hi: number, ints: boolean, buckets: number, ok: (y: number) => boolean): Aligned {
  // Integer x keep integer slots (a step readout stays a step); the buckets then cover the range
  // with whole steps each.
  const width = ints ? Math.ceil((hi - lo + 1) / buckets) : (hi - lo) / buckets || 1;
  const nb = ints ? Math.ceil((hi - lo + 1) / width) : buckets;
  const half = ints ? Math.floor(width / 2) : width / 2;
  const bucketOf = (x: number): number => Math.min(nb - 1, Math.floor((x - lo) / width));
  const used = new Uint8Array(2 * nb);
  // Per bucket of the series at hand: index, x and y of its minimum and maximum (index −1: none yet).
  const minI = new Int32Array(nb);
  const maxI = new Int32Array(nb);
  const minY = new Float64Array(nb);
  const maxY = new Float64Array(nb);
  const cols = series.map((s) => {
    minI.fill(-1);
    maxI.fill(-1);
    for (let i = 0; i < s.length; i++) {
      const x = s.xs[i]!;
      const y = s.ys[i]!;
      if (!Number.isFinite(x) || !ok(y)) continue;
      const b = bucketOf(x);
      if (minI[b]! < 0 || y < minY[b]!) {
        minI[b] = i;
        minY[b] = y;
      }
      if (maxI[b]! < 0 || y > maxY[b]!) {
        maxI[b] = i;
        maxY[b] = y;
      }
    }
    const col = new Array<number | null>(2 * nb).fill(null);
    for (let b = 0; b < nb; b++) {
      const mi = minI[b]!;
      const ma = maxI[b]!;
      if (mi < 0) continue;
      if (mi === ma) {
        // One value: the slot nearer its x.
        const k = 2 * b + (s.xs[mi]! - (lo + b * width) < half ? 0 : 1);
        col[k] = minY[b]!;
        used[k] = 1;
        continue;
      }
      const [first, second] = mi < ma ? [minY[b]!, maxY[b]!] : [maxY[b]!, minY[b]!];
      col[2 * b] = first;
      col[2 * b + 1] = second;
      used[2 * b] = 1;
      used[2 * b + 1] = 1;
    }
    return col;
  });
  return compact((k) => lo + Math.floor(k / 2) * width + (k % 2 === 0 ? 0 : half), used, cols);
}
