/**
 * The estimate a run is refused on, before anything is built, against what the planner then
 * really allocates: within a factor of 2 below it (the planned size is checked again before any
 * buffer is allocated, so an estimate a little low only refuses later) and 5 above it (so a run
 * that would fit is not refused).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseGraph } from '../graph/parse.ts';
import { Trainer } from './trainer.ts';
import { fiftyGiB } from '../worker/fixtures/docs.ts';
import type { Pass } from './pass.ts';

const examples = new URL('../../examples/', import.meta.url);
const trainable = readdirSync(examples)
  .filter((f) => f.endsWith('.json'))
  .map((f) => ({ f, doc: parseGraph(readFileSync(new URL(f, examples), 'utf8')) }))
  .flatMap(({ f, doc }) => (doc.ok && doc.value.task !== undefined ? [{ f, doc: doc.value }] : []));

describe('memory estimate', () => {
  it('has examples to check', () => {
    expect(trainable.length).toBeGreaterThanOrEqual(4);
  });

  it.each(trainable.map((t) => [t.f, t.doc] as const))('%s: every pass estimated at 0.5–5× its planned buffers', (_f, doc) => {
    // Linear start (memory-network.json) compiles the same passes on a variant of the model, which
    // replaces its own when it ends; here the passes of the graph as drawn are compared.
    // An example of the dataset task trains on the CSV fixture its example was made for.
    const data = doc.task?.name === 'dataset' ? { data: { name: 'two-feature-sequences.csv', bytes: readFileSync(new URL('../data/fixtures/two-feature-sequences.csv', import.meta.url)) } } : {};
    const made = Trainer.create({ doc, overrides: { linearStart: 0 }, ...data });
    if (!made.ok) throw new Error(made.errors[0]!.message);
    const t = made.value;
    // The passes the trainer compiled, in the order the estimate lists them: train, then each split.
    const compiled = [...(t.model as unknown as { passes: Map<string, Pass> }).passes.values()];
    expect(compiled).toHaveLength(t.memory.passes.length);
    const planned = (p: Pass): number => p.bytes;
    const train = compiled.find((p) => p.plan.backward.length > 0)!;
    const evals = compiled.filter((p) => p !== train);
    const pairs = [[t.memory.passes[0]!, train], ...t.memory.passes.slice(1).map((e, i) => [e, evals[i]!] as const)] as const;
    for (const [estimate, pass] of pairs) {
      expect(estimate.bytes).toBeGreaterThanOrEqual(0.5 * planned(pass));
      expect(estimate.bytes).toBeLessThanOrEqual(5 * planned(pass) + 4 * 1024 ** 2);
    }
    const params = t.model.parameterCount() * 4;
    expect(t.memory.weights).toBe(params);
    expect(t.memory.optimizer).toBe(params * (t.config.optimizer === 'adam' ? 5 : t.config.optimizer === 'momentum' ? 3 : 1));
  });

  it('refuses a run over 50 GiB in the same process without allocating it', () => {
    const before = process.memoryUsage();
    const made = Trainer.create({ doc: fiftyGiB() });
    const after = process.memoryUsage();
    expect(made.ok).toBe(false);
    if (made.ok) return;
    expect(made.errors[0]!.code).toBe('E445');
    expect(Number(/needs an estimated ([\d.]+) GiB/.exec(made.errors[0]!.message)?.[1])).toBeGreaterThanOrEqual(50);
    expect(after.arrayBuffers - before.arrayBuffers).toBeLessThan(16 * 1024 ** 2);
    expect(after.rss - before.rss).toBeLessThan(256 * 1024 ** 2);
  });
});
