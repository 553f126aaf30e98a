/**
 * Training on a data file through the Trainer, as the worker does: the example LSTM classifier on
 * the CSV fixture, its first losses for seed 1 recorded in fixtures/first-losses.json (the CLI
 * test and the editor's browser test compare theirs with these), and the errors a graph meets
 * when its task needs a file or its sources do not fit the file.
 *
 * UPDATE_FIRST_LOSSES=1 npx vitest run runtime/data/train-data.test.ts   # rewrites the record
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { GraphDoc } from '../graph/types.ts';
import { Trainer } from '../train/trainer.ts';
import type { FirstLosses } from './fixtures/two-feature-sequences.ts';

const root = new URL('../../', import.meta.url);
const EXAMPLE = 'examples/lstm-csv-classifier.json';
const DATA = 'runtime/data/fixtures/two-feature-sequences.csv';
const RECORD = new URL('./fixtures/first-losses.json', import.meta.url);
const example = (): GraphDoc => JSON.parse(readFileSync(new URL(EXAMPLE, root), 'utf8')) as GraphDoc;
const bytes = readFileSync(new URL(DATA, root));

function trainer(doc: GraphDoc, seed = 1): Trainer {
  const r = Trainer.create({ doc, data: { name: 'two-feature-sequences.csv', bytes }, overrides: { seed } });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.value;
}

describe('training on a data file', () => {
  it('gives the recorded first losses for seed 1 (the CLI and the editor must match them)', () => {
    const t = trainer(example());
    expect(t.data?.reader).toBe('csv');
    expect(t.task.name).toBe('dataset');
    const losses = Array.from({ length: 10 }, () => t.step().loss);
    if (process.env.UPDATE_FIRST_LOSSES === '1') {
      const record: FirstLosses = {
        graph: EXAMPLE,
        data: DATA,
        seed: 1,
        note: 'losses of optimiser steps 1–10 of `unroll train examples/lstm-csv-classifier.json --data runtime/data/fixtures/two-feature-sequences.csv --seed 1` (batch 16, adam lr 0.01, cpu backend)',
        losses,
      };
      writeFileSync(RECORD, JSON.stringify(record, null, 2) + '\n');
    }
    const record = JSON.parse(readFileSync(RECORD, 'utf8')) as FirstLosses;
    expect(losses).toHaveLength(record.losses.length);
    losses.forEach((l, i) => expect(l).toBeCloseTo(record.losses[i]!, 6));
    // Another seed starts elsewhere.
    expect(trainer(example(), 2).step().loss).not.toBeCloseTo(losses[0]!, 6);
  });

  it('learns the label (the sign of the mean of f1): test accuracy far above chance after 150 steps', () => {
    const t = trainer(example());
    for (let i = 0; i < 150; i++) t.step();
    const ev = t.evaluate('test');
    expect(ev.count).toBe(32);
    expect(ev.metric).toBeGreaterThan(0.85);
    expect(ev.loss).toBeLessThan(t.task.baseline!.value);
  });

  it('trains on the file whatever task the graph names; a graph of task dataset without a file is E488', () => {
    const other = { ...example(), task: { name: 'brackets' } };
    expect(trainer(other).task.name).toBe('dataset');
    const r = Trainer.create({ doc: example() });
    expect(!r.ok && r.errors.map((e) => [e.code, e.path, e.message])).toEqual([
      ['E488', '$.task.name', 'the graph trains on a data file of yours (task "dataset"), and none was given: pass --data FILE.csv or FILE.txt, or open the file in the editor'],
    ]);
  });

  it('names the node and the port whose size does not fit the file, and what the file gives', () => {
    const doc = example();
    const wide: GraphDoc = { ...doc, nodes: doc.nodes.map((n) => (n.id === 'x' ? { ...n, params: { kind: 'vector', size: 3 } } : n)) };
    const r = Trainer.create({ doc: wide, data: { name: 'seqs.csv', bytes } });
    expect(!r.ok && r.errors.map((e) => ({ code: e.code, path: e.path, ports: e.ports, message: e.message }))).toEqual([
      {
        code: 'E427',
        path: '$.nodes[0].params.size',
        ports: ['x.out'],
        message: "input x has size 3, but task dataset's stream x has 2 features: set size to 2 (port x.out: seqs.csv gives 2 features (f1, f2), a sequence)",
      },
    ]);
    // A data file's reading errors come back as they are, and nothing is trained.
    const bad = Trainer.create({ doc, data: { name: 'bad.csv', bytes: new TextEncoder().encode('seq,t,f1,f2,label\ns1,0,1,2\n') } });
    expect(!bad.ok && bad.errors.map((e) => e.message)).toEqual(['bad.csv line 2: 4 fields, but the header (line 1) has 5']);
  });
});
