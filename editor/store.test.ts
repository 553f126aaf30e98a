/** The store: every change through dispatch, validation after each, selection kept to what exists, refused files leave the graph alone. */
import { describe, expect, it } from 'vitest';
import { fragmentOf } from './model/clipboard.ts';
import { dispatch, getState, loadInitial, defaultDocument, openExample, openText, redoEdit, select, undoEdit } from './store.ts';

describe('store', () => {
  it('validates after every change, selects what a paste adds, and drops vanished nodes from the selection on undo', () => {
    const { doc, source } = defaultDocument();
    loadInitial(doc, source);
    expect(getState().analysis?.ok).toBe(true);
    const frag = fragmentOf(doc, ['lstm']);
    expect(dispatch({ type: 'paste', fragment: frag, offset: { x: 0, y: 300 } }, { selectAdded: true })).toBe(true);
    expect(getState().selection.nodes).toEqual(['lstm_2']);
    // The copy's ports are unwired: validation says so at once.
    expect(getState().analysis?.errors.some((e) => e.code === 'E203' && e.nodes?.includes('lstm_2'))).toBe(true);
    undoEdit();
    expect(getState().selection.nodes).toEqual([]);
    expect(getState().analysis?.ok).toBe(true);
    redoEdit();
    expect(getState().history.doc.nodes.some((n) => n.id === 'lstm_2')).toBe(true);
  });

  it('a refused change shows why and changes nothing', () => {
    const before = getState().history;
    expect(dispatch({ type: 'renameNode', from: 'lstm', to: 'emb' })).toBe(false);
    expect(getState().history).toBe(before);
    expect(getState().notices.at(-1)?.text).toMatch(/emb is already used/);
  });

  it('renaming keeps the renamed node selected', () => {
    select({ nodes: ['dec'], edges: [], loops: [] });
    dispatch({ type: 'renameNode', from: 'dec', to: 'readout' });
    expect(getState().selection.nodes).toEqual(['readout']);
  });

  it('a refused file leaves the open graph and its history as they were, and lists the errors with paths', () => {
    const before = getState().history;
    expect(openText('evil.json', '{"format": "unroll-graph", "version": 99, "name": "x", "nodes": [], "edges": []}')).toBe(false);
    expect(getState().history).toBe(before);
    expect(getState().importProblem?.errors[0]).toMatchObject({ code: 'E109', path: '$.version' });
    expect(openText('huge.json', '', 50 * 1024 * 1024)).toBe(false);
    expect(getState().importProblem?.errors[0]?.code).toBe('E100');
    expect(getState().history).toBe(before);
  });

  it('opening an example is one undoable step', () => {
    const before = getState().history.doc;
    expect(openExample('gru')).toBe(true);
    expect(getState().history.source).toEqual({ kind: 'example', name: 'gru' });
    undoEdit();
    expect(getState().history.doc).toBe(before);
  });
});
