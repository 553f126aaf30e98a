/**
 * The graph lock while a run trains: edits that change what trains (params, wires, settings,
 * opening another graph, and undo or redo of such edits) are refused with the lock's notice;
 * moving blocks is not; unlocking allows everything again.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { subscribeEditLock } from './edit-lock.ts';
import { defaultDocument, dispatch, getEditLock, getState, loadInitial, openExample, redoEdit, setEditLock, subscribe, undoEdit } from './store.ts';

const LOCK = 'Stop training to edit the graph';

describe('edit lock', () => {
  afterEach(() => setEditLock(undefined));

  it('refuses changes to what trains, with the notice, and leaves the history alone', () => {
    const { doc, source } = defaultDocument();
    loadInitial(doc, source);
    setEditLock(LOCK);
    expect(getEditLock()).toBe(LOCK);
    const before = getState().history;
    const refused = [
      dispatch({ type: 'setParam', node: 'lstm', param: 'hidden', value: 8 }),
      dispatch({ type: 'setTraining', training: { steps: 10 } }),
      dispatch({ type: 'setTask', name: 'adding' }),
      dispatch({ type: 'deleteElements', nodes: ['dec'] }),
      dispatch({ type: 'renameNode', from: 'dec', to: 'readout' }),
      openExample('gru'),
    ];
    expect(refused).toEqual([false, false, false, false, false, false]);
    expect(getState().history).toBe(before);
    expect(getState().notices.at(-1)?.text).toBe(LOCK);
  });

  it('allows moving blocks (one or several, in a batch too) while locked', () => {
    setEditLock(LOCK);
    expect(dispatch({ type: 'moveNodes', positions: { lstm: { x: 11, y: 22 } } })).toBe(true);
    expect(getState().history.doc.nodes.find((n) => n.id === 'lstm')!.position).toEqual({ x: 11, y: 22 });
    expect(dispatch({ type: 'batch', label: 'move two', changes: [{ type: 'moveNodes', positions: { lstm: { x: 1, y: 2 }, dec: { x: 3, y: 4 } } }] })).toBe(true);
    // Undo of a move is a move: allowed.
    undoEdit();
    expect(getState().history.doc.nodes.find((n) => n.id === 'lstm')!.position).toEqual({ x: 11, y: 22 });
  });

  it('refuses undo and redo of steps that change what trains, allows them after unlocking', () => {
    setEditLock(undefined);
    expect(dispatch({ type: 'setTraining', training: { steps: 10 } })).toBe(true);
    setEditLock(LOCK);
    const before = getState().history;
    undoEdit();
    expect(getState().history).toBe(before);
    expect(getState().notices.at(-1)?.text).toBe(LOCK);
    setEditLock(undefined);
    undoEdit();
    expect(getState().history.doc.training?.steps).not.toBe(10);
    setEditLock(LOCK);
    const undone = getState().history;
    redoEdit();
    expect(getState().history).toBe(undone);
    setEditLock(undefined);
    redoEdit();
    expect(getState().history.doc.training?.steps).toBe(10);
    expect(dispatch({ type: 'setParam', node: 'lstm', param: 'hidden', value: 8 })).toBe(true);
  });

  it('lives apart from the editor state: locking and unlocking notify the lock\'s subscribers only, never the editor\'s (the canvas does not re-render)', () => {
    const editorCalls: number[] = [];
    const lockCalls: (string | undefined)[] = [];
    const stateBefore = getState();
    const off = [subscribe(() => editorCalls.push(1)), subscribeEditLock(() => lockCalls.push(getEditLock()))];
    try {
      setEditLock(LOCK);
      setEditLock(LOCK); // the same reason again: nothing to tell
      setEditLock(undefined);
      setEditLock(LOCK);
    } finally {
      for (const f of off) f();
    }
    expect(lockCalls).toEqual([LOCK, undefined, LOCK]);
    expect(editorCalls).toEqual([]);
    expect(getState()).toBe(stateBefore);
    expect('editLock' in getState()).toBe(false);
  });
});
