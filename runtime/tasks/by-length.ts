/** Adding up a metric's per-length sums (`MetricScore.byLength`) over the batches of a split. */
import type { MetricScore } from './types.ts';

/** The metric at one example length over a whole split. */
export interface LengthRow {
  readonly length: number;
  /** total / count at this length. */
  readonly metric: number;
  /** What the metric counted at this length (examples, for the exact-match metrics). */
  readonly count: number;
}

/** Running per-length sums of a split. */
export class ByLength {
  private readonly sums = new Map<number, { total: number; count: number }>();

  /** Add one batch's score; scores without `byLength` add nothing. */
  add(score: MetricScore): void {
    for (const [length, s] of score.byLength ?? []) {
      const acc = this.sums.get(length) ?? { total: 0, count: 0 };
      this.sums.set(length, { total: acc.total + s.total, count: acc.count + s.count });
    }
  }

  /** One row per length, shortest first (plain objects, so reports stay JSON); undefined when no batch had any. */
  rows(): LengthRow[] | undefined {
    if (this.sums.size === 0) return undefined;
    return [...this.sums]
      .sort(([a], [b]) => a - b)
      .map(([length, s]) => ({ length, metric: s.count > 0 ? s.total / s.count : NaN, count: s.count }));
  }
}
