/** State-gradient diagnostics when several delays carry one value (found in review). */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { GraphDoc } from '../graph/types.ts';
import { analyzeGraph } from '../validate/validate.ts';
import { Model } from './model.ts';
import { Rng } from './prng.ts';
import { randomSources } from './gradcheck-support.ts';

/** The LSTM example with a second delay `h2` on the same wire `lstm.h` (its output joins the decoder's input). */
function twoDelaysOnOneWire(): GraphDoc {
  const doc = JSON.parse(readFileSync(new URL('../../examples/lstm.json', import.meta.url), 'utf8')) as {
    nodes: Record<string, unknown>[];
    edges: { from: string; to: string }[];
  };
  doc.nodes.push({ id: 'h2', type: 'delay', params: { init: 'zeros', size: 32 }, loop: 't' }, { id: 'sum', type: 'add', params: {}, loop: 't' });
  doc.edges = doc.edges.filter((e) => e.to !== 'dec.in');
  doc.edges.push({ from: 'lstm.h', to: 'h2.in' }, { from: 'h2.out', to: 'sum.a' }, { from: 'lstm.h', to: 'sum.b' }, { from: 'sum.out', to: 'dec.in' });
  return doc as unknown as GraphDoc;
}

describe('‖∂L/∂z_t‖ diagnostics', () => {
  // Regression (found in review), fixed: plan.ts keeps every probe slot of a symbol (`stateSlot` maps one sym to
  // one slot, so the second delay reading `lstm.h` overwrites the first's and `h` reads all zeros).
  it('reports the same curve for two delays that carry the same value', () => {
    const analysis = analyzeGraph(twoDelaysOnOneWire());
    expect(analysis.errors.map((e) => e.message)).toEqual([]);
    const m = new Model(analysis);
    m.initialise(new Rng(1));
    const lengths = { x: 4 };
    const r = m.pass({ lengths, batch: 2, backward: true });
    if (!r.ok) throw new Error(r.errors[0]!.message);
    const rng = new Rng(3);
    r.value.feed({ size: 2, sources: randomSources(analysis, lengths, 2, rng), lengths: new Map() });
    r.value.forward();
    r.value.backward(true);
    const byDelay = new Map(r.value.stateNorms().map((s) => [s.delay, s.norms]));
    expect(byDelay.get('h2')!.some((v) => v > 0)).toBe(true);
    expect(byDelay.get('h')).toEqual(byDelay.get('h2'));
  });
});
