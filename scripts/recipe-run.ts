/**
 * Training one recipe: the example graph with the recipe's changes, trained by `Trainer` in this
 * process with the graph's fixed seed, then evaluated on the splits the recipe reports. A recipe
 * that fails (refused graph, diverged run, a thrown error) gives a result with `error` set rather
 * than an exception, so one broken recipe never stops `npm run reproduce`.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseGraph } from '../runtime/graph/parse.ts';
import type { GraphDoc } from '../runtime/graph/types.ts';
import type { LengthRow } from '../runtime/tasks/by-length.ts';
import { Trainer, type EvalReport } from '../runtime/train/trainer.ts';
import { lrSchedule, type LrSchedule } from '../runtime/train/lr-schedule.ts';
import type { Measure, Recipe, Variation } from './recipe-types.ts';

/** The limit for one recipe on the 2-core machine. */
export const RECIPE_LIMIT_SECONDS = 300;

/** What one recipe reached; the rows of results/results.json. */
export interface RecipeResult {
  readonly name: string;
  readonly example: string;
  /** Hash of the graph (positions left out) and the recipe's changes: a stale result shows up in a test. */
  readonly fingerprint: string;
  /** The task and the params the graph (and the recipe's variant) set; the rest take the task's defaults. */
  readonly task: { readonly name: string; readonly params: Readonly<Record<string, unknown>> };
  readonly parameters?: number;
  readonly training?: {
    readonly optimizer: string;
    readonly lr: number;
    readonly batch: number;
    readonly steps: number;
    readonly clip: number;
    readonly seed: number;
    /** The learning-rate decay (`training.lrDecay*`), when the recipe has one. */
    readonly lrDecay?: LrSchedule;
  };
  /** Optimiser steps actually taken (fewer than `training.steps` when the time limit stopped it). */
  readonly stepsDone?: number;
  /** Mean training loss over the first and the last tenth of the steps. */
  readonly lossCurve?: { readonly first: number; readonly last: number };
  /** The reported number, in the measure's units. */
  readonly value?: number;
  readonly also?: readonly { readonly label: string; readonly value: number; readonly format: Measure['format'] }[];
  /** The task's own baseline in the report's units (copy, adding, charlm). */
  readonly baseline?: number;
  /** The reported split's metric by example length, where the task gives it. */
  readonly byLength?: readonly LengthRow[];
  /** Wall time of the whole recipe: data, compiling, training and evaluation. */
  readonly seconds: number;
  readonly overTime: boolean;
  /** Target reached and within the time limit. */
  readonly met?: boolean;
  readonly error?: string;
}

const examplesDir = new URL('../examples/', import.meta.url);

/** The example graph as the recipe (or a CI run) trains it. */
export function recipeDoc(recipe: Recipe, ...changes: (Variation | undefined)[]): GraphDoc {
  const parsed = parseGraph(readFileSync(new URL(recipe.example, examplesDir)));
  if (!parsed.ok) throw new Error(`examples/${recipe.example}: ${parsed.errors.map((e) => e.message).join('; ')}`);
  let doc = parsed.value;
  for (const v of changes) {
    if (v === undefined) continue;
    const task = v.task !== undefined && doc.task !== undefined ? { ...doc.task, params: { ...doc.task.params, ...v.task } } : doc.task;
    const nodes = doc.nodes.map((n) => (v.nodes?.[n.id] !== undefined ? { ...n, params: { ...n.params, ...v.nodes[n.id] } } : n));
    doc = { ...doc, nodes, task, training: { ...doc.training, ...v.training } };
  }
  return doc;
}

/** Hash of what decides a recipe's numbers: the graph without layout, and the recipe's changes and measures. */
export function recipeFingerprint(recipe: Recipe): string {
  const doc = recipeDoc(recipe, recipe.variant);
  const layoutFree = { ...doc, nodes: doc.nodes.map(({ position: _position, ...n }) => n) };
  const what = JSON.stringify({ doc: layoutFree, report: recipe.report, also: recipe.also ?? [] });
  return createHash('sha256').update(what).digest('hex').slice(0, 16);
}

const read = (r: EvalReport, m: Measure): number => {
  if (m.length !== undefined) {
    const row = r.byLength?.find((x) => x.length === m.length);
    if (row === undefined || m.of !== 'metric') throw new Error(`split ${r.split} reports no ${m.of} for length ${m.length}`);
    return row.metric * (m.scale ?? 1);
  }
  return (m.of === 'metric' ? r.metric : r.loss) * (m.scale ?? 1);
};

export interface RunOptions {
  /** Stop training once this many seconds have passed (the result is then over time). */
  readonly limitSeconds?: number;
  /** Extra changes on top of the recipe's variant (CI's `quick`). */
  readonly extra?: Variation;
  /** Called every `every` steps with the step and the mean loss since the last call. */
  readonly progress?: (step: number, loss: number) => void;
}

/** Train and evaluate one recipe; never throws for a failing recipe. */
export function runRecipe(recipe: Recipe, opts: RunOptions = {}): RecipeResult & { readonly losses: readonly number[] } {
  const limit = opts.limitSeconds ?? RECIPE_LIMIT_SECONDS;
  const t0 = performance.now();
  const seconds = (): number => Math.round((performance.now() - t0) / 100) / 10;
  let doc: GraphDoc | undefined;
  const losses: number[] = [];
  const base = { name: recipe.name, example: recipe.example, fingerprint: '', task: { name: '?', params: {} } };
  try {
    base.fingerprint = recipeFingerprint(recipe);
    doc = recipeDoc(recipe, recipe.variant, opts.extra);
    const made = Trainer.create({ doc });
    if (!made.ok) throw new Error(made.errors.map((e) => `${e.code} ${e.message}`).join('; '));
    const trainer = made.value;
    const c = trainer.config;
    const decay = lrSchedule(c);
    const info = {
      ...base,
      task: { name: trainer.task.name, params: { ...doc.task?.params } },
      parameters: trainer.model.weightSpecs.reduce((a, w) => a + w.shape.reduce((p, d) => p * d, 1), 0),
      training: { optimizer: c.optimizer, lr: c.lr, batch: c.batch, steps: c.steps, clip: c.clip, seed: c.seed, ...(decay !== undefined ? { lrDecay: decay } : {}) },
    };
    const every = Math.max(1, Math.round(c.steps / 20));
    let window = 0;
    while (trainer.steps < c.steps && seconds() < limit) {
      const loss = trainer.step().loss;
      losses.push(loss);
      window += loss;
      if (trainer.steps % every === 0) {
        opts.progress?.(trainer.steps, window / every);
        window = 0;
      }
    }
    const tenth = Math.max(1, Math.floor(losses.length / 10));
    const mean = (xs: number[]): number => xs.reduce((a, x) => a + x, 0) / xs.length;
    const reports = new Map<string, EvalReport>();
    const evalOf = (split: string): EvalReport => reports.get(split) ?? reports.set(split, trainer.evaluate(split)).get(split)!;
    const main = evalOf(recipe.report.split);
    const value = read(main, recipe.report);
    const also = (recipe.also ?? []).map((m) => ({ label: m.label, value: read(evalOf(m.split), m), format: m.format }));
    const baseline = trainer.task.baseline !== undefined ? trainer.task.baseline.value * (recipe.report.scale ?? 1) : undefined;
    const s = seconds();
    return {
      ...info,
      stepsDone: trainer.steps,
      lossCurve: { first: mean(losses.slice(0, tenth)), last: mean(losses.slice(-tenth)) },
      value,
      also,
      baseline,
      byLength: main.byLength,
      seconds: s,
      overTime: s > limit || trainer.steps < c.steps,
      losses,
    };
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    return { ...base, task: doc?.task !== undefined ? { name: doc.task.name, params: { ...doc.task.params } } : base.task, seconds: seconds(), overTime: seconds() > limit, error: message, losses };
  }
}
