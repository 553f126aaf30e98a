/** results/results.json, what `npm run reproduce` writes and the README's results table reads. */
import type { RecipeResult } from './recipe-run.ts';
import { RECIPES } from './recipes.ts';

/** One recipe's row: what it reached, and what the table prints beside it. */
export type ResultRow = RecipeResult & {
  /** Day of the run, YYYY-MM-DD. */
  readonly measured: string;
  /** What the value is (the recipe's report label). */
  readonly metric: string;
  readonly format: 'percent' | 'loss' | 'bits';
  readonly reference: { readonly text: string; readonly value?: number };
  /** The target's text, when the recipe has one. */
  readonly target?: string;
};

export interface ResultsFile {
  readonly command: string;
  readonly machine: { readonly cpus: number; readonly model: string; readonly node: string };
  readonly limitSeconds: number;
  readonly recipes: readonly ResultRow[];
}

/**
 * Rows in recipe order, each with the labels of the recipe as it stands now (wording changes need
 * no retraining) and `met` from its target, judged against this file's other rows.
 */
export function judge(rows: readonly ResultRow[]): ResultRow[] {
  const reached = new Map(rows.filter((r) => r.value !== undefined).map((r) => [r.name, r.value!]));
  return RECIPES.flatMap((recipe) => {
    const row = rows.find((r) => r.name === recipe.name);
    if (row === undefined) return [];
    const ok = row.error === undefined && row.value !== undefined && !row.overTime;
    const met = ok && (recipe.target === undefined || recipe.target.met(row.value!, row.baseline, reached));
    const labels = { metric: recipe.report.label, format: recipe.report.format, reference: recipe.reference, target: recipe.target?.text };
    return [{ ...row, ...labels, met }];
  });
}

