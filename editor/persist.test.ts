/**
 * The autosaver's bookkeeping, with a write the test controls: an edit made while a write is in
 * flight gets a write of its own, 'saved' is reported only when what was written is the current
 * document, a flush during a write writes again at once, and a retry after a failure writes the
 * newest document. (e2e/autosave-race.spec.ts checks the same race against IndexedDB.)
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { GRAPH_FORMAT, GRAPH_FORMAT_VERSION, type GraphDoc } from '../runtime/graph/types.ts';
import type { DocSource } from './model/history.ts';
import { AUTOSAVE_MS, Autosaver, type DraftRecord } from './persist.ts';

const docNamed = (name: string): GraphDoc => ({ format: GRAPH_FORMAT, version: GRAPH_FORMAT_VERSION, name, nodes: [], edges: [] });
const source: DocSource = { kind: 'new', name: 'untitled' };

/** A page with a current document, an autosaver and writes that finish when the test says. */
function setup() {
  const start = docNamed('start');
  let doc = start;
  const statuses: string[] = [];
  const writes: { name: string; resolve: () => void; reject: (e: unknown) => void }[] = [];
  const saver = new Autosaver({
    current: () => ({ doc, source }),
    status: (s) => statuses.push(s),
    write: (rec: DraftRecord) =>
      new Promise<void>((resolve, reject) => {
        writes.push({ name: (JSON.parse(rec.text) as GraphDoc).name, resolve, reject });
      }),
  });
  const editTo = (name: string) => {
    doc = docNamed(name);
    saver.changed();
  };
  /** Let the write's continuation run. */
  const settle = async () => {
    for (let i = 0; i < 5; i++) await Promise.resolve();
  };
  /** Undo all the way: the history hands back the very document the autosaver started from. */
  const undoToStart = () => {
    doc = start;
    saver.changed();
  };
  return { saver, statuses, writes, editTo, undoToStart, settle };
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('Autosaver', () => {
  it('an edit made while a write is in flight is written next, and only then is the draft saved', async () => {
    const { statuses, writes, editTo, settle } = setup();
    editTo('first');
    vi.advanceTimersByTime(AUTOSAVE_MS);
    expect(writes.map((w) => w.name)).toEqual(['first']);
    editTo('second'); // during the write
    writes[0]!.resolve();
    await settle();
    expect(statuses.at(-1)).toBe('pending');
    expect(statuses).not.toContain('saved');
    vi.advanceTimersByTime(AUTOSAVE_MS);
    expect(writes.map((w) => w.name)).toEqual(['first', 'second']);
    writes[1]!.resolve();
    await settle();
    expect(statuses.at(-1)).toBe('saved');
    vi.advanceTimersByTime(10 * AUTOSAVE_MS);
    expect(writes.length).toBe(2);
  });

  it('a flush during a write (page hidden) writes again as soon as it ends', async () => {
    const { saver, writes, editTo, settle } = setup();
    editTo('first');
    vi.advanceTimersByTime(AUTOSAVE_MS);
    editTo('second');
    saver.flush();
    expect(writes.length).toBe(1);
    writes[0]!.resolve();
    await settle();
    // No period to wait: the page may be going away.
    expect(writes.map((w) => w.name)).toEqual(['first', 'second']);
  });

  it('a retry after a failure writes the newest document and reports saved only when it is current', async () => {
    const { statuses, writes, editTo, settle } = setup();
    editTo('first');
    vi.advanceTimersByTime(AUTOSAVE_MS);
    writes[0]!.reject(new Error('disk on fire'));
    await settle();
    expect(statuses.at(-1)).toBe('error');
    editTo('second');
    vi.advanceTimersByTime(1000);
    expect(writes.map((w) => w.name)).toEqual(['first', 'second']);
    editTo('third'); // during the retry
    writes[1]!.resolve();
    await settle();
    expect(statuses.at(-1)).toBe('pending');
    vi.advanceTimersByTime(AUTOSAVE_MS);
    expect(writes.map((w) => w.name)).toEqual(['first', 'second', 'third']);
    writes[2]!.resolve();
    await settle();
    expect(statuses.at(-1)).toBe('saved');
  });

  it('undo back to the stored document during the wait writes nothing', () => {
    const { statuses, writes, editTo, undoToStart } = setup();
    editTo('first');
    expect(statuses.at(-1)).toBe('pending');
    undoToStart();
    vi.advanceTimersByTime(10 * AUTOSAVE_MS);
    expect(writes.length).toBe(0);
    expect(statuses.at(-1)).toBe('saved');
  });
});
