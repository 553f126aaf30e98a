/**
 * Long series made short enough to draw, incrementally. A run appends a step at a time for as
 * long as it trains; the charts redraw ten times a second. Redoing the decimation of the whole
 * series at each redraw would cost its length every frame, so the decimator keeps min/max buckets
 * and takes each new point once: a bucket spans `width` consecutive points (a power of two), and
 * when the buckets would exceed their budget, neighbours merge pairwise and the width doubles.
 * Merging two buckets' minima and maxima gives exactly the buckets of twice the width, so the
 * result equals decimating the whole series at once with that width (the tests check this).
 */

/** Points to draw, in order of the input: `xs[i], ys[i]` for `i < length`. */
export interface Decimated {
  readonly length: number;
  readonly xs: Float64Array;
  readonly ys: Float64Array;
}

/**
 * Min/max decimation. Every bucket of `width` consecutive input points contributes its lowest and
 * highest finite point (in input order; one point when they coincide), and the first and last
 * finite points of the series are always kept, so the curve's extremes and its ends survive.
 * Non-finite values (NaN: a step with no value) are skipped. At most `maxPoints` points.
 */
export class MinMaxDecimator {
  /** Points per bucket: 1, 2, 4, … */
  private width = 1;
  /** Input points taken. */
  private count = 0;
  /** Per bucket: input index, x and y of its minimum and of its maximum (index −1: no finite point). */
  private minI: Float64Array;
  private minX: Float64Array;
  private minY: Float64Array;
  private maxI: Float64Array;
  private maxX: Float64Array;
  private maxY: Float64Array;
  private first: { i: number; x: number; y: number } | undefined;
  private last: { i: number; x: number; y: number } | undefined;
  private readonly buckets: number;
  private out: Decimated = { length: 0, xs: new Float64Array(0), ys: new Float64Array(0) };
  private outOf = -1;

  constructor(readonly maxPoints = 2000) {
    if (maxPoints < 4) throw new RangeError('maxPoints must be at least 4');
    // Two points per bucket, plus the first and last points of the series.
    this.buckets = Math.floor((maxPoints - 2) / 2);
    this.minI = new Float64Array(this.buckets).fill(-1);
    this.minX = new Float64Array(this.buckets);
    this.minY = new Float64Array(this.buckets);
    this.maxI = new Float64Array(this.buckets).fill(-1);
    this.maxX = new Float64Array(this.buckets);
    this.maxY = new Float64Array(this.buckets);
  }

  /** Input points taken so far. */
  get taken(): number {
    return this.count;
  }

  /** Points per bucket now. */
  get bucketWidth(): number {
    return this.width;
  }

  push(x: number, y: number): void {
    const i = this.count++;
    let b = Math.floor(i / this.width);
    if (b >= this.buckets) {
      this.merge();
      b = Math.floor(i / this.width);
    }
    if (!Number.isFinite(y)) return;
    const p = { i, x, y };
    this.first ??= p;
    this.last = p;
    if (this.minI[b]! < 0 || y < this.minY[b]!) {
      this.minI[b] = i;
      this.minX[b] = x;
      this.minY[b] = y;
    }
    if (this.maxI[b]! < 0 || y > this.maxY[b]!) {
      this.maxI[b] = i;
      this.maxX[b] = x;
      this.maxY[b] = y;
    }
  }

  /** Take `ys[from..to)` at `xs[from..to)`. */
  pushRange(xs: ArrayLike<number>, ys: ArrayLike<number>, from: number, to: number): void {
    for (let i = from; i < to; i++) this.push(xs[i]!, ys[i]!);
  }

  /** Buckets 2j and 2j+1 become bucket j; the width doubles. Ties keep the earlier point, as `push` does. */
  private merge(): void {
    const half = Math.ceil(this.buckets / 2);
    for (let j = 0; j < half; j++) {
      const a = 2 * j;
      const c = 2 * j + 1;
      const pick = (I: Float64Array, X: Float64Array, Y: Float64Array, better: (u: number, v: number) => boolean): void => {
        const ia = I[a]!;
        const ic = c < this.buckets ? I[c]! : -1;
        const takeC = ia < 0 || (ic >= 0 && better(Y[c]!, Y[a]!));
        const s = takeC ? c : a;
        const i = takeC ? ic : ia;
        const x = X[s]!;
        const y = Y[s]!;
        I[j] = i;
        X[j] = x;
        Y[j] = y;
      };
      pick(this.minI, this.minX, this.minY, (u, v) => u < v);
      pick(this.maxI, this.maxX, this.maxY, (u, v) => u > v);
    }
    for (let j = half; j < this.buckets; j++) {
      this.minI[j] = -1;
      this.maxI[j] = -1;
    }
    this.width *= 2;
  }

  /** The decimated series (a shared result, rebuilt only after new points). */
  points(): Decimated {
    if (this.outOf === this.count) return this.out;
    const cap = 2 * this.buckets + 2;
    const xs = this.out.xs.length >= cap ? this.out.xs : new Float64Array(cap);
    const ys = this.out.ys.length >= cap ? this.out.ys : new Float64Array(cap);
    let n = 0;
    let lastI = -1;
    const emit = (i: number, x: number, y: number): void => {
      if (i <= lastI) return;
      xs[n] = x;
      ys[n] = y;
      n++;
      lastI = i;
    };
    if (this.first !== undefined) emit(this.first.i, this.first.x, this.first.y);
    const used = this.count === 0 ? 0 : Math.min(this.buckets, Math.floor((this.count - 1) / this.width) + 1);
    for (let b = 0; b < used; b++) {
      const mi = this.minI[b]!;
      const ma = this.maxI[b]!;
      if (mi < 0) continue;
      if (mi <= ma) {
        emit(mi, this.minX[b]!, this.minY[b]!);
        emit(ma, this.maxX[b]!, this.maxY[b]!);
      } else {
        emit(ma, this.maxX[b]!, this.maxY[b]!);
        emit(mi, this.minX[b]!, this.minY[b]!);
      }
    }
    if (this.last !== undefined) emit(this.last.i, this.last.x, this.last.y);
    this.out = { length: n, xs, ys };
    this.outOf = this.count;
    return this.out;
  }
}

/**
 * Exponential moving average with bias correction (as TensorBoard's smoothing): after k finite
 * values, `(1−β) Σ β^(k−j) y_j / (1 − β^k)`, so the first value is itself rather than pulled
 * towards 0. Non-finite values are skipped (the previous smoothed value repeats).
 */
export class Ema {
  private acc = 0;
  private weight = 0;

  constructor(readonly beta: number) {}

  push(y: number): number {
    if (Number.isFinite(y)) {
      this.acc = this.beta * this.acc + (1 - this.beta) * y;
      this.weight = this.beta * this.weight + (1 - this.beta);
    }
    return this.weight === 0 ? NaN : this.acc / this.weight;
  }
}
