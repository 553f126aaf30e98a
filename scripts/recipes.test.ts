/**
 * CI's fast subset of `npm run reproduce`: every recipe's example binds to its task and, trained a
 * few dozen steps on short sequences (the recipe's `quick` settings), lowers its loss and gives a
 * finite number to report. Never the full recipes, and no timing thresholds. Also: the committed
 * results/results.json has one current row per recipe and shows the claims.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { recipeFingerprint, runRecipe } from './recipe-run.ts';
import { RECIPES } from './recipes.ts';
import type { ResultsFile } from './results-file.ts';

const mean = (xs: readonly number[]): number => xs.reduce((a, x) => a + x, 0) / xs.length;

describe('recipes (reduced runs)', () => {
  it('have unique names', () => {
    expect(new Set(RECIPES.map((r) => r.name)).size).toBe(RECIPES.length);
  });

  it.each(RECIPES.map((r) => [r.name, r] as const))('%s: the loss falls in a short run and the reported number is finite', (_name, recipe) => {
    const r = runRecipe(recipe, { extra: recipe.quick, limitSeconds: Infinity });
    expect(r.error).toBeUndefined();
    expect(r.losses.length).toBeGreaterThanOrEqual(20);
    expect(mean(r.losses.slice(-5))).toBeLessThan(mean(r.losses.slice(0, 5)));
    expect(Number.isFinite(r.value)).toBe(true);
    for (const a of r.also ?? []) expect(Number.isFinite(a.value)).toBe(true);
  });

  it('report a failing recipe as a row with its error, without throwing', () => {
    const r = runRecipe({ ...RECIPES[0]!, report: { ...RECIPES[0]!.report, split: 'nope' } }, { extra: RECIPES[0]!.quick });
    expect(r.error).toMatch(/no split nope/);
    expect(r.value).toBeUndefined();
  });
});

describe('results/results.json', () => {
  // Read in the tests, not while collecting them, so the reduced runs above work without the file.
  const file = (): ResultsFile => JSON.parse(readFileSync(new URL('../results/results.json', import.meta.url), 'utf8')) as ResultsFile;
  const row = (name: string): ResultsFile['recipes'][number] => file().recipes.find((r) => r.name === name)!;

  it('has one row per recipe, measured on the current example and recipe (else `npm run reproduce -- --only NAME`)', () => {
    expect(file().recipes.map((r) => r.name)).toEqual(RECIPES.map((r) => r.name));
    for (const recipe of RECIPES) expect({ name: recipe.name, fingerprint: row(recipe.name).fingerprint }).toEqual({ name: recipe.name, fingerprint: recipeFingerprint(recipe) });
  });

  it("shows the issue's claims: LSTM ≥ 95% on long brackets and the Elman RNN clearly worse; copy below its baseline; adding below 0.01", () => {
    expect(row('lstm-brackets').value).toBeGreaterThanOrEqual(0.95);
    expect(row('elman-brackets').value).toBeLessThan(row('lstm-brackets').value! - 0.1);
    expect(row('lstm-copy').value).toBeLessThan(row('lstm-copy').baseline!);
    expect(row('lstm-adding').value).toBeLessThan(0.01);
    for (const name of ['lstm-brackets', 'elman-brackets', 'lstm-copy', 'lstm-adding']) expect(row(name).overTime).toBe(false);
  });
});
