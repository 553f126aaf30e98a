/** serializeGraph: fixed key order, one-line edges, loops and positions, trailing newline. */
import { describe, expect, it } from 'vitest';
import { parseGraph } from './parse.ts';
import { serializeGraph } from './serialize.ts';
import { fixtureText, tinyRnn } from './testing/fixtures.ts';
import type { GraphDoc } from './types.ts';

/** The same data with every object's keys in reverse order. */
function reversedKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(reversedKeys);
  if (typeof v !== 'object' || v === null) return v;
  return Object.fromEntries(Object.entries(v).reverse().map(([k, x]) => [k, reversedKeys(x)]));
}

describe('serializeGraph', () => {
  it('writes the fixture byte for byte (it is stored in the canonical form)', () => {
    const text = fixtureText('tiny-rnn.json');
    const r = parseGraph(text);
    expect(r.ok && serializeGraph(r.value)).toBe(text);
  });

  it('keeps the sign of -0, so reading the file back gives the same numbers', () => {
    const doc = tinyRnn() as GraphDoc & { nodes: { position?: { x: number; y: number } }[] };
    doc.nodes[0]!.position = { x: -0, y: 0 };
    const text = serializeGraph(doc);
    expect(text).toContain('"x": -0');
    const back = parseGraph(text);
    expect(back.ok && Object.is(back.value.nodes[0]!.position!.x, -0)).toBe(true);
    expect(back.ok && back.value).toEqual(doc);
  });

  it('orders keys the same whatever order they were written in', () => {
    const doc = tinyRnn() as GraphDoc;
    expect(serializeGraph(reversedKeys(doc) as GraphDoc)).toBe(serializeGraph(doc));
    const text = serializeGraph(reversedKeys(doc) as GraphDoc);
    const keysAt = (re: RegExp) => [...text.matchAll(re)].map((m) => m[1]);
    expect(keysAt(/^ {2}"(\w+)":/gm)).toEqual(['format', 'version', 'name', 'loops', 'nodes', 'edges', 'task', 'training']);
    expect(keysAt(/^ {6}"(\w+)":/gm).slice(0, 3)).toEqual(['id', 'type', 'params']);
    expect(text).toContain('{ "id": "enc", "over": "x", "direction": "forward" }');
    expect(text).toContain('{ "from": "out.out", "to": "loss.pred", "take": "last" }');
    expect(text).toContain('"position": { "x": 200, "y": 120 },\n      "loop": "enc"');
  });

  it('writes params in the block registry order, unknown ones after alphabetically', () => {
    const doc = {
      format: 'unroll-graph',
      version: 1,
      name: 'p',
      nodes: [{ id: 'g', type: 'rnn', params: { zeta: 1, init: 'orthogonal', alpha: 2, hidden: 8, bias: false } }],
      edges: [],
    } as unknown as GraphDoc;
    const lines = serializeGraph(doc).split('\n').filter((l) => l.startsWith('        "'));
    expect(lines.map((l) => l.trim().split('"')[1])).toEqual(['hidden', 'bias', 'init', 'alpha', 'zeta']);
  });

  it('writes keys outside the format after the known ones rather than dropping them', () => {
    const doc = { ...(tinyRnn() as object), extra: 1, another: { b: 1 } } as unknown as GraphDoc;
    const text = serializeGraph(doc);
    expect(text.indexOf('"another"')).toBeGreaterThan(text.indexOf('"training"'));
    expect(text.indexOf('"extra"')).toBeGreaterThan(text.indexOf('"another"'));
    expect(parseGraph(text).ok).toBe(false);
  });

  it('uses 2-space indentation, empty lists inline, and ends with one newline', () => {
    const text = serializeGraph({ format: 'unroll-graph', version: 1, name: 'e', nodes: [], edges: [] });
    expect(text).toBe('{\n  "format": "unroll-graph",\n  "version": 1,\n  "name": "e",\n  "nodes": [],\n  "edges": []\n}\n');
  });

  it('escapes any string so it reads back the same', () => {
    const name = 'quote " backslash \\ newline \n nul \u0000 lone \ud800 bom \ufeff emoji 🙂';
    const doc: GraphDoc = { format: 'unroll-graph', version: 1, name, nodes: [], edges: [], task: { name: '}', params: { '"': '{' } } };
    expect(parseGraph(serializeGraph(doc))).toEqual({ ok: true, value: doc });
  });
});
