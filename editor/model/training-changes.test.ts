/** The settings changes (setTask, setTraining) and the initialiser of every recurrent cell, as the training panel makes them. */
import { readFileSync } from 'node:fs';
import { produce, type Draft } from 'immer';
import { describe, expect, it } from 'vitest';
import { parseGraph } from '../../runtime/graph/parse.ts';
import type { GraphDoc } from '../../runtime/graph/types.ts';
import { applyChange, describeChange, EditError, type Change } from './changes.ts';
import { edit, startHistory, undo } from './history.ts';
import { commonInit, recurrentCells, setInitChange, trainingSettings } from './training-settings.ts';

function example(name: string): GraphDoc {
  const parsed = parseGraph(readFileSync(new URL(`../../examples/${name}.json`, import.meta.url)));
  if (!parsed.ok) throw new Error(`${name} does not parse`);
  return parsed.value;
}

const apply = (doc: GraphDoc, c: Change): GraphDoc => produce(doc, (d) => applyChange(d, c) as Draft<GraphDoc> | undefined);

/** What the file reader says of the document: the editor's changes must keep it a file it opens. */
function reread(doc: GraphDoc): GraphDoc {
  const back = parseGraph(JSON.stringify(doc));
  if (!back.ok) throw new Error(back.errors.map((e) => `${e.code} ${e.message}`).join('; '));
  return back.value;
}

describe('setTask', () => {
  const lstm = example('lstm');

  it('names a task of the registry with params that pass its schema; the file reads back the same', () => {
    const next = apply(lstm, { type: 'setTask', name: 'adding', params: { T: 50 } });
    expect(next.task).toEqual({ name: 'adding', params: { T: 50 } });
    expect(reread(next).task).toEqual({ name: 'adding', params: { T: 50 } });
    // Without params the section has none (the task's defaults apply), not an empty object.
    expect(apply(next, { type: 'setTask', name: 'copy' }).task).toEqual({ name: 'copy' });
    expect(apply(next, { type: 'setTask', name: 'copy', params: {} }).task).toEqual({ name: 'copy' });
    expect(describeChange({ type: 'setTask', name: 'copy' })).toBe('set task copy');
  });

  it('refuses an unknown task, an unknown param, and values outside a param’s type or range, leaving the task as it was', () => {
    expect(() => apply(lstm, { type: 'setTask', name: 'sorting' })).toThrow(/no task "sorting": the tasks are brackets, copy/);
    expect(() => apply(lstm, { type: 'setTask', name: 'adding', params: { length: 3 } })).toThrow(/task adding has no param "length": its params are T, seed/);
    expect(() => apply(lstm, { type: 'setTask', name: 'adding', params: { T: 1 } })).toThrow(/task adding param T must be between 2 and 10000, got 1/);
    expect(() => apply(lstm, { type: 'setTask', name: 'adding', params: { T: 2.5 } })).toThrow(/must be an integer/);
    expect(() => apply(lstm, { type: 'setTask', name: 'brackets', params: { nesting: 'yes' } })).toThrow(/must be true or false/);
    expect(() => apply(lstm, { type: 'setTask', name: 'adding', params: JSON.parse('{"__proto__": 3}') as Record<string, number> })).toThrow(EditError);
    const h = startHistory(lstm, { kind: 'example', name: 'lstm' });
    const res = edit(h, { type: 'setTask', name: 'adding', params: { T: 0 } });
    expect(res.ok).toBe(false);
    expect(h.doc.task).toEqual({ name: 'brackets' });
  });
});

describe('setTraining', () => {
  const lstm = example('lstm');

  it('merges settings into the section, removes a key given as undefined, and undoes in one step', () => {
    const h0 = startHistory(lstm, { kind: 'example', name: 'lstm' });
    const r = edit(h0, { type: 'setTraining', training: { steps: 40, evalEvery: 10 } });
    if (!r.ok) throw new Error(r.error);
    expect(r.history.doc.training).toEqual({ ...lstm.training, steps: 40, evalEvery: 10 });
    expect(r.history.past.at(-1)!.label).toBe('set training');
    expect(reread(r.history.doc).training).toEqual(r.history.doc.training);
    expect(undo(r.history).doc.training).toEqual(lstm.training);
    const removed = apply(r.history.doc, { type: 'setTraining', training: { clip: undefined } });
    expect(removed.training).not.toHaveProperty('clip');
    expect(trainingSettings(removed).clip).toBe(0);
    expect(describeChange({ type: 'setTraining', training: { lr: 0.1 } })).toBe('set training lr');
  });

  it('a graph without a section gets one; removing its last key removes the section', () => {
    const bare: GraphDoc = { ...lstm, training: undefined };
    delete (bare as { training?: unknown }).training;
    const one = apply(bare, { type: 'setTraining', training: { seed: 7 } });
    expect(one.training).toEqual({ seed: 7 });
    expect(trainingSettings(one)).toMatchObject({ seed: 7, optimizer: 'adam', batch: 32 });
    expect(apply(one, { type: 'setTraining', training: { seed: undefined } })).not.toHaveProperty('training');
  });

  it('refuses what the graph file’s schema refuses, naming the setting, and keeps the old values', () => {
    const cases: [Change, RegExp][] = [
      [{ type: 'setTraining', training: { lr: 0 } }, /training lr must be > 0 and ≤ 10, got 0/],
      [{ type: 'setTraining', training: { batch: 0 } }, /training batch must be ≥ 1 and ≤ 65536, got 0/],
      [{ type: 'setTraining', training: { steps: 1.5 } }, /training steps must be an integer, got 1.5/],
      [{ type: 'setTraining', training: { clip: -1 } }, /training clip must be ≥ 0, got -1/],
      [{ type: 'setTraining', training: { clip: Infinity } }, /training clip must be a finite number/],
      [{ type: 'setTraining', training: { truncate: -2 } }, /training truncate/],
      [{ type: 'setTraining', training: { evalEvery: 0 } }, /training evalEvery/],
      [{ type: 'setTraining', training: { optimizer: 'rmsprop' as 'adam' } }, /training optimizer must be one of "sgd", "momentum", "adam"/],
      [{ type: 'setTraining', training: { lr: Number.NaN } }, /training lr/],
      [{ type: 'setTraining', training: { epochs: 3 } as never }, /training has no setting "epochs"/],
    ];
    for (const [c, why] of cases) {
      const h = startHistory(lstm, { kind: 'example', name: 'lstm' });
      const res = edit(h, c);
      expect(res.ok, JSON.stringify(c)).toBe(false);
      if (!res.ok) expect(res.error).toMatch(why);
    }
    // One bad key refuses the whole change: the good one is not half-applied.
    expect(() => apply(lstm, { type: 'setTraining', training: { steps: 10, lr: -1 } })).toThrow(EditError);
  });
});

describe('initialiser of the recurrent cells', () => {
  it('finds the rnn, gru and lstm blocks (not a delay, whose `init` means something else)', () => {
    expect(recurrentCells(example('lstm'))).toEqual(['lstm']);
    const s2s = example('seq2seq-attention');
    const cells = recurrentCells(s2s);
    expect(cells.length).toBeGreaterThanOrEqual(2);
    for (const id of cells) expect(['rnn', 'gru', 'lstm']).toContain(s2s.nodes.find((n) => n.id === id)!.type);
    expect(s2s.nodes.some((n) => n.type === 'delay')).toBe(true);
    expect(recurrentCells(example('gru-from-primitives'))).toEqual([]);
  });

  it('reads the common value with the default filled in, or mixed', () => {
    expect(commonInit(example('lstm'))).toBe('pytorch');
    expect(commonInit(example('elman-adding-orthogonal'))).toBe('orthogonal');
    expect(commonInit(example('gru-from-primitives'))).toBeUndefined();
    const s2s = example('seq2seq-attention');
    const [first] = recurrentCells(s2s);
    expect(commonInit(apply(s2s, { type: 'setParam', node: first!, param: 'init', value: 'identity' }))).toBe('mixed');
  });

  it('sets every cell in one undo step; the default is written as no param', () => {
    const s2s = example('seq2seq-attention');
    const cells = recurrentCells(s2s);
    const h0 = startHistory(s2s, { kind: 'example', name: 'seq2seq-attention' });
    const r = edit(h0, setInitChange(s2s, 'orthogonal'));
    if (!r.ok) throw new Error(r.error);
    expect(r.history.past.length).toBe(1);
    expect(r.history.past[0]!.label).toBe('set initialiser orthogonal');
    for (const id of cells) expect(r.history.doc.nodes.find((n) => n.id === id)!.params!.init).toBe('orthogonal');
    expect(commonInit(r.history.doc)).toBe('orthogonal');
    reread(r.history.doc);
    const back = apply(r.history.doc, setInitChange(r.history.doc, 'pytorch'));
    for (const id of cells) expect(back.nodes.find((n) => n.id === id)!.params?.init).toBeUndefined();
    expect(undo(r.history).doc).toEqual(s2s);
  });
});
