/**
 * parseGraph's use of migrations, in a pretend build whose current format is version 3 (version 1
 * is the only format today, so the real chain is empty). Version 1 called a node's type "kind";
 * version 2 renamed it "type"; version 3 renamed the top-level "title" to "name".
 */
import { describe, expect, it, vi } from 'vitest';
import type { Migration } from './migrate.ts';

vi.mock('./types.ts', async (original) => ({ ...(await original<typeof import('./types.ts')>()), GRAPH_FORMAT_VERSION: 3 }));
vi.mock('./migrate.ts', async (original) => {
  const real = await original<typeof import('./migrate.ts')>();
  const chain: Migration[] = [
    {
      from: 1,
      to: 2,
      migrate: (doc) => ({ ...doc, nodes: (doc.nodes as { id: string; kind: string }[]).map(({ kind, ...rest }) => ({ ...rest, type: kind })) }),
    },
    {
      from: 2,
      to: 3,
      migrate: ({ title, ...rest }) => {
        if (title === 'explode') throw new Error('cannot rename');
        return { ...rest, name: title };
      },
    },
  ];
  return { ...real, MIGRATIONS: chain, migrateDocument: (raw: Record<string, unknown>) => real.migrateDocument(raw, chain, 3) };
});

const { parseGraph } = await import('./parse.ts');

const v1 = (title = 'old') => ({ format: 'unroll-graph', version: 1, title, nodes: [{ id: 'g', kind: 'rnn', params: { hidden: 4 } }], edges: [] });

describe('parseGraph with migrations', () => {
  it('brings an old file up to the current version, then checks it', () => {
    expect(parseGraph(JSON.stringify(v1()))).toEqual({
      ok: true,
      value: { format: 'unroll-graph', version: 3, name: 'old', nodes: [{ id: 'g', type: 'rnn', params: { hidden: 4 } }], edges: [] },
    });
  });

  it('checks the migrated document like any other', () => {
    const doc = v1();
    doc.nodes[0]!.params.hidden = 2 ** 31;
    expect(parseGraph(JSON.stringify(doc))).toMatchObject({ ok: false, errors: [{ code: 'E115', path: '$.nodes[0].params.hidden' }] });
  });

  it('reports a failing step as E123', () => {
    expect(parseGraph(JSON.stringify(v1('explode')))).toMatchObject({ ok: false, errors: [{ code: 'E123', path: '$.version' }] });
  });

  it('still refuses files newer than the current version (E109)', () => {
    const r = parseGraph(JSON.stringify({ ...v1(), version: 4 }));
    expect(r).toMatchObject({ ok: false, errors: [{ code: 'E109' }] });
    expect(!r.ok && r.errors[0]!.message).toContain('this build reads up to version 3');
  });
});
