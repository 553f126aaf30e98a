/**
 * "Use this data" as a graph change: the dataset task with the whole mapping, and the fed nodes'
 * sizes from the file. Checked against the runtime: the changed graph is what the trainer takes
 * with the same file (and gives the CLI's recorded first loss), whatever sizes the graph had
 * before; one undo brings the old graph back; bad dataset params are refused as edits.
 */
import { readFileSync } from 'node:fs';
import { produce, type Draft } from 'immer';
import { describe, expect, it } from 'vitest';
import { previewData, type DatasetSummary } from '../../runtime/data/dataset.ts';
import type { FirstLosses } from '../../runtime/data/fixtures/two-feature-sequences.ts';
import { parseMapping } from '../../runtime/data/mapping.ts';
import { parseGraph } from '../../runtime/graph/parse.ts';
import type { GraphDoc, GraphNode } from '../../runtime/graph/types.ts';
import { Trainer } from '../../runtime/train/trainer.ts';
import { applyChange, type Change } from '../model/changes.ts';
import { edit, startHistory, undo } from '../model/history.ts';
import { datasetParamsProblem } from './dataset-params.ts';
import { givenMapping, graphSources, nodeUpdates, pickNode, taskParamsFor, useDataChange } from './use-data.ts';

const root = new URL('../../', import.meta.url);
const CSV = readFileSync(new URL('runtime/data/fixtures/two-feature-sequences.csv', root));
const record = JSON.parse(readFileSync(new URL('runtime/data/fixtures/first-losses.json', root), 'utf8')) as FirstLosses;

function example(name: string): GraphDoc {
  const parsed = parseGraph(readFileSync(new URL(`examples/${name}.json`, root)));
  if (!parsed.ok) throw new Error(`${name} does not parse`);
  return parsed.value;
}

const apply = (doc: GraphDoc, c: Change): GraphDoc => produce(doc, (d) => applyChange(d, c) as Draft<GraphDoc> | undefined);
const withParams = (doc: GraphDoc, id: string, params: GraphNode['params']): GraphDoc => ({ ...doc, nodes: doc.nodes.map((n) => (n.id === id ? { ...n, params } : n)) });
const node = (doc: GraphDoc, id: string) => doc.nodes.find((n) => n.id === id)!;

function summaryOf(name: string, bytes: Uint8Array, map?: string, graphParams = {}): DatasetSummary {
  const r = previewData({ name, bytes, ...(map !== undefined ? { map } : {}) }, graphParams);
  if (!r.ok || r.value.summary === undefined) throw new Error(JSON.stringify(r.ok ? r.value.problems : r.errors));
  return r.value.summary;
}

describe('useDataChange', () => {
  it('sets the dataset task with the whole mapping and fits x, y and the decoder to the file; the trainer takes the result and gives the CLI’s first loss', () => {
    // The example's graph with every size wrong for the file (3 features, 5 classes).
    const wrong = withParams(withParams(withParams(example('lstm-csv-classifier'), 'x', { kind: 'vector', size: 3 }), 'y', { kind: 'tokens', vocab: 5 }), 'dec', { size: 5 });
    expect(Trainer.create({ doc: wrong, data: { name: 'seqs.csv', bytes: CSV } }).ok).toBe(false);
    const summary = summaryOf('seqs.csv', CSV);
    const updates = nodeUpdates(wrong, summary.streams, { input: 'x', target: 'y' });
    expect(updates.map((u) => [u.node, u.param, u.from, u.to])).toEqual([
      ['x', 'size', 3, 2],
      ['y', 'vocab', 5, 2],
      ['y', 'sequence', undefined, false],
      ['dec', 'size', 5, 2],
    ]);
    const change = useDataChange(wrong, 'seqs.csv', summary, {}, { input: 'x', target: 'y' });
    expect(change.type === 'batch' && change.label).toBe('use data seqs.csv');
    const next = apply(wrong, change);
    expect(next.task).toEqual({ name: 'dataset', params: { seed: 1, test_fraction: 0.2, map: 'id=seq,time=t,features=f1+f2@x,target=label@y,per=sequence,kind=class' } });
    expect(node(next, 'x').params).toEqual({ kind: 'vector', size: 2 });
    expect(node(next, 'y').params).toEqual({ kind: 'tokens', vocab: 2, sequence: false });
    expect(node(next, 'dec').params).toEqual({ size: 2 });
    // Nothing left to change; and the runtime trains the changed graph on the file as the CLI does.
    expect(nodeUpdates(next, summary.streams, { input: 'x', target: 'y' })).toEqual([]);
    const t = Trainer.create({ doc: next, data: { name: 'seqs.csv', bytes: CSV }, overrides: { seed: record.seed } });
    if (!t.ok) throw new Error(JSON.stringify(t.errors));
    expect(t.value.step().loss).toBeCloseTo(record.losses[0]!, 6);
  });

  it('is one undo step: undo brings back the graph as it was', () => {
    const doc = example('lstm');
    const summary = summaryOf('seqs.csv', CSV);
    const nodes = { input: pickNode(graphSources(doc).inputs, 'x'), target: pickNode(graphSources(doc).targets, 'y') };
    const h = edit(startHistory(doc, { kind: 'example', name: 'lstm' }), useDataChange(doc, 'seqs.csv', summary, {}, nodes));
    if (!h.ok) throw new Error(h.error);
    expect(h.history.doc.task?.name).toBe('dataset');
    expect(h.history.past.map((s) => s.label)).toEqual(['use data seqs.csv']);
    expect(undo(h.history).doc).toEqual(doc);
  });

  it('turns a token input into a vector one, writes the chosen nodes into the mapping, and keeps options over the graph’s params', () => {
    const doc = example('lstm');
    const sources = graphSources(doc);
    const nodes = { input: pickNode(sources.inputs, 'nope'), target: pickNode(sources.targets, undefined) };
    expect(nodes).toEqual({ input: sources.inputs[0], target: sources.targets[0] });
    const summary = summaryOf('seqs.csv', CSV, `id=seq,time=t,features=f1+f2@${nodes.input},target=label@${nodes.target},kind=class`, { test_fraction: 0.25 });
    const next = apply(doc, useDataChange(doc, 'seqs.csv', summary, { normalize: false }, nodes));
    expect(node(next, nodes.input!).params).toMatchObject({ kind: 'vector', size: 2 });
    const map = parseMapping(String(next.task!.params!.map));
    expect(map.ok && map.value).toMatchObject({ input: nodes.input, output: nodes.target, per: 'sequence', kind: 'class' });
    expect(next.task!.params).toMatchObject({ normalize: false });
  });

  it('a per-step target makes the target node a sequence again (its sequence param removed)', () => {
    const doc = example('lstm-csv-classifier');
    const summary = summaryOf('seqs.csv', CSV, 'id=seq,time=t,features=f1+f2,target=label,per=step');
    const updates = nodeUpdates(doc, summary.streams, { input: 'x', target: 'y' });
    expect(updates.map((u) => [u.node, u.param, u.from, u.to])).toEqual([['y', 'sequence', false, undefined]]);
    expect(node(apply(doc, useDataChange(doc, 'seqs.csv', summary, {}, { input: 'x', target: 'y' })), 'y').params).toEqual({ kind: 'tokens', vocab: 2 });
  });

  it('a text file sets the vocabulary of the input, the target and the decoder; no map is written, and an old one goes', () => {
    const doc = { ...example('lstm-charlm'), task: { name: 'dataset', params: { map: 'id=seq', reader: 'csv', length: 16 } } };
    const text = new TextEncoder().encode('abcabd\n'.repeat(40));
    const summary = summaryOf('story.txt', text, undefined, { length: 16 });
    expect(summary.reader === 'text' && summary.vocab).toBe(7); // padding, unknown, a b c d \n
    const sources = graphSources(doc);
    const next = apply(doc, useDataChange(doc, 'story.txt', summary, {}, { input: sources.inputs[0], target: sources.targets[0] }));
    expect(next.task).toEqual({ name: 'dataset', params: { length: 16 } });
    expect(node(next, sources.inputs[0]!).params).toMatchObject({ kind: 'tokens', vocab: 7 });
    expect(node(next, sources.targets[0]!).params).toMatchObject({ kind: 'tokens', vocab: 7 });
    const t = Trainer.create({ doc: next, data: { name: 'story.txt', bytes: text } });
    if (!t.ok) throw new Error(JSON.stringify(t.errors));
    expect(t.value.data?.reader).toBe('text');
  });

  it('taskParamsFor drops the reader (the file’s name decides) and replaces the map', () => {
    const doc: GraphDoc = { ...example('lstm-csv-classifier'), task: { name: 'dataset', params: { reader: 'text', map: 'id=a', seed: 3 } } };
    expect(taskParamsFor(doc, { seed: 4 }, givenMapping({ id: 's', time: null, features: ['a'], target: 'b', input: 'x', output: 'y', per: 'step', kind: 'number', inferred: ['id'] }))).toEqual({
      seed: 4,
      map: 'id=s,time=none,features=a@x,target=b@y,per=step,kind=number',
    });
  });
});

describe('the dataset task as an edit', () => {
  const doc = example('lstm');

  it('takes the reader params and a map, and refuses what the trainer would refuse, leaving the task as it was', () => {
    expect(datasetParamsProblem({ map: 'id=seq,features=a+b', normalize: false, test_fraction: 0.3 })).toBeUndefined();
    expect(apply(doc, { type: 'setTask', name: 'dataset' }).task).toEqual({ name: 'dataset' });
    expect(apply(doc, { type: 'setTask', name: 'dataset', params: { seed: 2 } }).task).toEqual({ name: 'dataset', params: { seed: 2 } });
    expect(() => apply(doc, { type: 'setTask', name: 'dataset', params: { rows: 3 } })).toThrow('task dataset has no param "rows": its params are reader, unit, length, vocab_size, test_fraction, seed, delimiter, normalize, map');
    expect(() => apply(doc, { type: 'setTask', name: 'dataset', params: { test_fraction: 0.9 } })).toThrow('task dataset param test_fraction must be between 0.01 and 0.5, got 0.9');
    expect(() => apply(doc, { type: 'setTask', name: 'dataset', params: { map: 'per=always' } })).toThrow(/^task dataset param map: --map per=always: per is sequence/);
    expect(() => apply(doc, { type: 'setTask', name: 'dataset', params: { map: 3 } })).toThrow('task dataset param map must be a string');
    expect(() => apply(doc, { type: 'setTask', name: 'dataset', params: JSON.parse('{"__proto__": 1}') as Record<string, number> })).toThrow('has no param "__proto__"');
  });
});
