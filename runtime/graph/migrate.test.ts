/** migrateDocument with a test-local chain of format versions 1 → 2 → 3. */
import { describe, expect, it } from 'vitest';
import { MIGRATIONS, migrateDocument, type Migration } from './migrate.ts';
import { GRAPH_FORMAT_VERSION } from './types.ts';

// Version 1 called a node's type "kind"; version 2 renamed it "type"; version 3 renamed "title" to "name".
const oneToTwo: Migration = {
  from: 1,
  to: 2,
  migrate(doc) {
    const nodes = doc.nodes as { id: string; kind: string }[];
    return { ...doc, nodes: nodes.map(({ id, kind }) => ({ id, type: kind })) };
  },
};
const twoToThree: Migration = {
  from: 2,
  to: 3,
  migrate(doc) {
    // Steps get a private copy: changing it in place is allowed.
    doc.name = doc.title;
    delete doc.title;
    return doc;
  },
};
const chain = [twoToThree, oneToTwo]; // found by version, not by position

const v1 = () => ({ format: 'unroll-graph', version: 1, title: 'old', nodes: [{ id: 'a', kind: 'rnn' }], edges: [] });

describe('migrateDocument', () => {
  it('has no steps yet: version 1 is the first format', () => {
    expect(MIGRATIONS).toEqual([]);
    expect(GRAPH_FORMAT_VERSION).toBe(1);
    const doc = v1();
    expect(migrateDocument(doc)).toEqual({ ok: true, value: doc });
  });

  it('chains steps from the file version up to the target, leaving the input alone', () => {
    const doc = v1();
    const r = migrateDocument(doc, chain, 3);
    expect(r).toEqual({ ok: true, value: { format: 'unroll-graph', version: 3, name: 'old', nodes: [{ id: 'a', type: 'rnn' }], edges: [] } });
    expect(doc).toEqual(v1());
  });

  it('stops at the target', () => {
    expect(migrateDocument(v1(), chain, 2)).toEqual({
      ok: true,
      value: { format: 'unroll-graph', version: 2, title: 'old', nodes: [{ id: 'a', type: 'rnn' }], edges: [] },
    });
  });

  it('refuses with E110 when a step is missing', () => {
    const r = migrateDocument(v1(), [twoToThree], 3);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.errors).toEqual([expect.objectContaining({ code: 'E110', path: '$.version' })]);
    expect(!r.ok && r.errors[0]!.message).toContain('version 1');
  });

  it('refuses with E110 a version above the target, and ignores steps that do not move forward', () => {
    expect(migrateDocument({ version: 4 }, chain, 3)).toMatchObject({ ok: false, errors: [{ code: 'E110' }] });
    const loop: Migration = { from: 1, to: 1, migrate: (d) => d };
    expect(migrateDocument(v1(), [loop], 2)).toMatchObject({ ok: false, errors: [{ code: 'E110' }] });
  });

  it('refuses with E123 when a step throws or gives no document', () => {
    const throws: Migration = { from: 1, to: 2, migrate: () => { throw new Error('nodes missing'); } };
    const r = migrateDocument(v1(), [throws], 2);
    expect(r).toMatchObject({ ok: false, errors: [{ code: 'E123', path: '$.version' }] });
    expect(!r.ok && r.errors[0]!.message).toContain('nodes missing');
    const nothing: Migration = { from: 1, to: 2, migrate: () => null as unknown as Record<string, unknown> };
    expect(migrateDocument(v1(), [nothing], 2)).toMatchObject({ ok: false, errors: [{ code: 'E123' }] });
  });
});
