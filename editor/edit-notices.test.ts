/**
 * What the editor tells the user about edits that do less, or more, than asked: a loop that goes
 * with its sequence source, an edit past the file limits, Ctrl+G with nothing to wrap.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { GRAPH_FORMAT, GRAPH_FORMAT_VERSION, LIMITS } from '../runtime/graph/types.ts';
import { wrapInLoop } from './actions.ts';
import { loopsDroppedWithSource } from './model/changes.ts';
import { edit, startHistory } from './model/history.ts';
import { defaultDocument, dispatch, getState, loadInitial, select, undoEdit } from './store.ts';

beforeEach(() => {
  const { doc, source } = defaultDocument();
  loadInitial(doc, source);
});

const lastNotice = () => getState().notices.at(-1)?.text;

describe('deleting a loop’s sequence source', () => {
  it('removes the loop with a notice that says so; undo brings both back', () => {
    const before = getState().history.doc;
    expect(before.loops).toEqual([{ id: 't', over: 'x', direction: 'forward' }]);
    const notices = getState().notices.length;
    expect(dispatch({ type: 'deleteElements', nodes: ['x'] })).toBe(true);
    expect(getState().history.doc.loops).toBeUndefined();
    expect(getState().notices.length).toBe(notices + 1);
    expect(lastNotice()).toMatch(/^Loop t was removed because its sequence source x was deleted.*Undo/);
    undoEdit();
    expect(getState().history.doc).toEqual(before);
  });

  it('says nothing when the loop was deleted with it (both selected), or when other nodes go', () => {
    const last = getState().notices.at(-1);
    expect(dispatch({ type: 'deleteElements', nodes: ['x'], loops: ['t'] })).toBe(true);
    expect(getState().history.doc.loops).toBeUndefined();
    expect(dispatch({ type: 'deleteElements', nodes: ['dec'] })).toBe(true);
    expect(getState().notices.at(-1)).toBe(last);
  });

  it('loopsDroppedWithSource names the loop and its source, for a batch and a cut too, never for replace', () => {
    const h = startHistory(getState().history.doc, { kind: 'new', name: 'x' });
    const del = edit(h, { type: 'batch', label: 'cut', changes: [{ type: 'deleteElements', nodes: ['x', 'y'] }] });
    if (!del.ok) throw new Error(del.error);
    expect(loopsDroppedWithSource(h.doc, del.history.doc, { type: 'deleteElements', nodes: ['x', 'y'] })).toEqual([{ id: 't', over: 'x' }]);
    const empty = { format: GRAPH_FORMAT, version: GRAPH_FORMAT_VERSION, name: 'e', nodes: [], edges: [] } as const;
    expect(loopsDroppedWithSource(h.doc, empty, { type: 'replace', doc: empty })).toEqual([]);
    // A renamed loop is not a removed one.
    const renamed = edit(h, { type: 'renameLoop', from: 't', to: 'time' });
    if (!renamed.ok) throw new Error(renamed.error);
    expect(loopsDroppedWithSource(h.doc, renamed.history.doc, { type: 'renameLoop', from: 't', to: 'time' })).toEqual([]);
  });
});

describe('the file limits in the editor', () => {
  it('an edit past a limit is not done and the notice names the limit', () => {
    const nodes = Array.from({ length: LIMITS.nodes }, (_, i) => ({ id: `n${i}`, type: 'tanh' }));
    dispatch({ type: 'replace', doc: { format: GRAPH_FORMAT, version: GRAPH_FORMAT_VERSION, name: 'full', nodes, edges: [] } });
    const before = getState().history;
    expect(dispatch({ type: 'addNode', node: { id: 'more', type: 'tanh' } })).toBe(false);
    expect(getState().history).toBe(before);
    expect(lastNotice()).toBe('Not done: a graph may have at most 10,000 nodes; this would make 10,001');
  });
});

describe('wrap in loop (Ctrl+G)', () => {
  it('with nothing selected adds no loop and says why', () => {
    select({ nodes: [], edges: [], loops: [] });
    const before = getState().history;
    wrapInLoop();
    expect(getState().history).toBe(before);
    expect(lastNotice()).toMatch(/^Nothing to wrap: select the blocks/);
  });

  it('with only sources selected adds no loop either', () => {
    select({ nodes: ['x', 'y', 'loss'], edges: [], loops: [] });
    const before = getState().history;
    wrapInLoop();
    expect(getState().history).toBe(before);
    expect(lastNotice()).toMatch(/inputs, targets and losses stay outside loops/);
  });

  it('with blocks selected wraps them (one step) and selects the new loop', () => {
    dispatch({ type: 'setLoop', nodes: ['emb', 'lstm', 'h', 'c', 'dec'], loop: undefined });
    dispatch({ type: 'deleteElements', loops: ['t'] });
    select({ nodes: ['lstm', 'h', 'c'], edges: [], loops: [] });
    wrapInLoop();
    expect(getState().history.doc.loops).toEqual([{ id: 't', over: 'x' }]);
    expect(getState().selection.loops).toEqual(['t']);
  });
});
