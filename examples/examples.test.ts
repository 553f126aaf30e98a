/** Every example graph is a valid, canonical file that unrolls; together they cover the lecture's architectures. */
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseGraph } from '../runtime/graph/parse.ts';
import { serializeGraph } from '../runtime/graph/serialize.ts';
import { analyzeGraph } from '../runtime/validate/validate.ts';
import { unrollGraph } from '../runtime/unroll/unroll.ts';
import type { GraphDoc } from '../runtime/graph/types.ts';

const dir = new URL('./', import.meta.url);
const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
const read = (f: string): string => readFileSync(new URL(f, dir), 'utf8');
const doc = (f: string): GraphDoc => {
  const r = parseGraph(read(f));
  if (!r.ok) throw new Error(`${f}: ${JSON.stringify(r.errors)}`);
  return r.value;
};

describe('examples', () => {
  it.each(files)('%s is saved in canonical form (what the serializer writes)', (f) => {
    expect(read(f)).toBe(serializeGraph(doc(f)));
  });

  it.each(files)('%s validates as a trainable graph and unrolls for lengths 1 and 7', (f) => {
    const a = analyzeGraph(doc(f));
    expect(a.errors).toEqual([]);
    expect(a.warnings).toEqual([]);
    for (const n of [1, 7]) {
      const u = unrollGraph(a, Object.fromEntries(a.axes.map((axis) => [axis, n])));
      expect(u.ok).toBe(true);
    }
  });

  it('cover every architecture the foundation promises', () => {
    const docs = files.map(doc);
    const uses = (pred: (d: GraphDoc) => boolean): string[] => files.filter((_, i) => pred(docs[i]!));
    const has = (d: GraphDoc, type: string, params: Record<string, unknown> = {}): boolean =>
      d.nodes.some((n) => n.type === type && Object.entries(params).every(([k, v]) => n.params?.[k] === v));
    const lstmCount = (d: GraphDoc): number => d.nodes.filter((n) => n.type === 'lstm').length;
    expect(files.length).toBeGreaterThanOrEqual(9);
    expect(uses((d) => has(d, 'rnn'))).not.toEqual([]); // Elman
    expect(uses((d) => has(d, 'gru'))).not.toEqual([]);
    expect(uses((d) => has(d, 'lstm') && d.nodes.filter((n) => n.type === 'delay').length === 2)).not.toEqual([]);
    // 2-layer seq2seq: four LSTMs over two loops, decoder delays initialised from the encoder
    expect(uses((d) => lstmCount(d) === 4 && (d.loops?.length ?? 0) === 2 && d.edges.some((e) => e.to.endsWith('.init') && e.take === 'last'))).not.toEqual([]);
    expect(uses((d) => (d.loops ?? []).some((l) => l.direction === 'reverse'))).not.toEqual([]); // Bi-LSTM
    expect(uses((d) => has(d, 'attention', { score: 'additive' }) && d.edges.some((e) => e.to.endsWith('.keys') && e.take === 'all'))).not.toEqual([]);
    // Memory network, 3 hops: a steps-3 loop (one set of weights for every hop), or three reads in a
    // chain (adjacent weight tying needs each hop's embeddings as nodes of their own, tied by `share`).
    const hops = (d: GraphDoc): boolean =>
      (d.loops ?? []).some((l) => 'steps' in l && l.steps === 3) || (d.nodes.filter((n) => n.type === 'memory').length === 3 && d.nodes.some((n) => n.params?.share !== undefined));
    expect(uses((d) => has(d, 'memory') && hops(d))).not.toEqual([]);
    expect(uses((d) => has(d, 'bilinear') && has(d, 'delay'))).not.toEqual([]);
    expect(uses((d) => has(d, 'gate') && has(d, 'one_minus') && !has(d, 'gru'))).not.toEqual([]); // GRU from primitives
  });
});
