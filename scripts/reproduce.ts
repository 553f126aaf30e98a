/**
 * `npm run reproduce [-- --only NAME[,NAME…]]`: train every recipe of `recipes.ts` (or the named
 * ones) with its fixed seed, one after another in this process, write `results/results.json`
 * (rows of recipes not run this time are kept from the file) and regenerate the README's
 * results table. A failing recipe becomes a row that says so; the command carries on.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { RECIPE_LIMIT_SECONDS, runRecipe } from './recipe-run.ts';
import { RECIPES } from './recipes.ts';
import { updateReadme } from './readme-sections.ts';
import type { Recipe } from './recipe-types.ts';
import { judge, type ResultRow, type ResultsFile } from './results-file.ts';

const root = new URL('../', import.meta.url);
const resultsUrl = new URL('results/results.json', root);

function parseArgs(argv: readonly string[]): readonly Recipe[] {
  const only: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--only' && argv[i + 1] !== undefined) only.push(...argv[++i]!.split(','));
    else if (a.startsWith('--only=')) only.push(...a.slice(7).split(','));
    else {
      console.error(`usage: npm run reproduce [-- --only NAME[,NAME…]]; recipes: ${RECIPES.map((r) => r.name).join(', ')}`);
      process.exit(2);
    }
  }
  if (only.length === 0) return RECIPES;
  const unknown = only.filter((n) => !RECIPES.some((r) => r.name === n));
  if (unknown.length > 0) {
    console.error(`no recipe named ${unknown.join(', ')}: the recipes are ${RECIPES.map((r) => r.name).join(', ')}`);
    process.exit(2);
  }
  return RECIPES.filter((r) => only.includes(r.name));
}

function main(): void {
  const chosen = parseArgs(process.argv.slice(2));
  const previous: ResultsFile | undefined = existsSync(resultsUrl) ? (JSON.parse(readFileSync(resultsUrl, 'utf8')) as ResultsFile) : undefined;
  const fresh: ResultRow[] = [];
  const t0 = performance.now();
  for (const recipe of chosen) {
    console.log(`${recipe.name}: training examples/${recipe.example}…`);
    const { losses: _losses, ...result } = runRecipe(recipe, {
      limitSeconds: RECIPE_LIMIT_SECONDS,
      progress: (step, loss) => console.log(`  step ${step} loss ${loss.toFixed(4)}`),
    });
    const row = {
      ...result,
      measured: new Date().toISOString().slice(0, 10),
      metric: recipe.report.label,
      format: recipe.report.format,
      reference: recipe.reference,
      ...(recipe.target !== undefined ? { target: recipe.target.text } : {}),
    };
    fresh.push(row);
    console.log(row.error !== undefined ? `  failed: ${row.error}` : `  ${recipe.report.label}: ${row.value} (${row.seconds} s)`);
  }
  const kept = (previous?.recipes ?? []).filter((r) => !fresh.some((f) => f.name === r.name));
  const file: ResultsFile = {
    command: 'npm run reproduce',
    machine: { cpus: cpus().length, model: cpus()[0]?.model ?? 'unknown', node: process.version },
    limitSeconds: RECIPE_LIMIT_SECONDS,
    recipes: judge([...kept, ...fresh]),
  };
  writeFileSync(resultsUrl, JSON.stringify(file, null, 2) + '\n');
  const readme = new URL('README.md', root);
  writeFileSync(readme, updateReadme(readFileSync(readme, 'utf8')));
  console.log(`${chosen.length} recipe(s) in ${((performance.now() - t0) / 60_000).toFixed(1)} min; wrote results/results.json and the README table`);
}

main();
