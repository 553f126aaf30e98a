/**
 * Gradient checks of every block type through whole graphs: the example graphs (shrunk), variants
 * of them for the params the examples leave at one value, and a synthetic graph of the elementwise
 * blocks. Each runs as a float64 Model under every cell lowering; sampled entries of every weight's
 * gradient and of every float input's gradient must match central differences. Padded batches
 * (per-example lengths along a masked axis) must match too, and their padding must not matter.
 */
import { describe, expect, it } from 'vitest';
import { blockTypes } from '../../blocks/registry.ts';
import type { GraphDoc } from '../graph/types.ts';
import type { CellLowering } from '../compile/types.ts';
import { Model } from './model.ts';
import type { Pass, SourceData } from './pass.ts';
import { Rng } from './prng.ts';
import { TOL, checkGradients, randomSources } from './gradcheck-support.ts';
import { EXAMPLES, PADDED, VARIANTS, blockModel, cellsFor, type PaddedCase } from './block-cases.ts';

const B = 2;
const model = (doc: GraphDoc, cells: CellLowering, seed: number): Model => blockModel(doc, cells, seed);

function openPass(m: Model, lengths: Readonly<Record<string, number>>, masked?: ReadonlySet<string>): Pass {
  const r = m.pass({ lengths, batch: B, backward: true, inputGrads: true, ...(masked !== undefined ? { masked } : {}) });
  if (!r.ok) throw new Error(r.errors[0]!.message);
  return r.value;
}

describe.each([...EXAMPLES, ...VARIANTS].map((c) => [c.name, c] as const))('gradient check of %s', (_name, c) => {
  it.each(cellsFor(c.doc))('%s cells', (cells) => {
    const m = model(c.doc, cells, 7);
    const pass = openPass(m, c.lengths);
    const rng = new Rng(11);
    pass.feed({ size: B, sources: randomSources(m.analysis, c.lengths, B, rng), lengths: new Map() }, rng.fork('random states'));
    const report = checkGradients(pass, m.weights, m.grads, rng);
    expect(report.zeroWeights).toEqual([]);
    expect(report.checked).toBeGreaterThan(0);
    expect(report.worst).toBeLessThanOrEqual(TOL);
  });
});

/** A copy of `sources` with every element at a padded position (along the masked axes) redrawn. */
function repad(m: Model, sources: ReadonlyMap<string, SourceData>, real: PaddedCase['real'], rng: Rng): Map<string, SourceData> {
  const out = new Map<string, SourceData>();
  let changed = 0;
  for (const [node, src] of sources) {
    const t = m.analysis.outputTypes.get(`${node}.out`)!;
    const lens = t.seq !== undefined ? real[t.seq] : undefined;
    if (lens === undefined) {
      out.set(node, src);
      continue;
    }
    const T = src.length;
    const e = src.values.length / (B * T);
    const values = Array.from(src.values);
    for (let b = 0; b < B; b++) {
      for (let p = lens[b]!; p < T; p++) {
        for (let j = 0; j < e; j++) {
          const i = (b * T + p) * e + j;
          values[i] = t.dtype === 'int' ? (values[i]! + 1 + rng.int(t.vocab! - 1)) % t.vocab! : values[i]! + rng.uniform(0.5, 1);
          changed++;
        }
      }
    }
    out.set(node, { values, length: T });
  }
  expect(changed).toBeGreaterThan(0);
  return out;
}

describe.each(PADDED.map((c) => [c.name, c] as const))('padded batch: %s', (_name, c) => {
  it.each(cellsFor(c.doc))('%s cells: gradients match, padding does not matter', (cells) => {
    const m = model(c.doc, cells, 5);
    const pass = openPass(m, c.lengths, new Set(Object.keys(c.real)));
    const rng = new Rng(23);
    const lengths = new Map(Object.entries(c.real));
    const sources = randomSources(m.analysis, c.lengths, B, rng);
    pass.feed({ size: B, sources, lengths });
    const report = checkGradients(pass, m.weights, m.grads, rng);
    expect(report.worst).toBeLessThanOrEqual(TOL);

    // Same batch with other data in the padding: the objective and every gradient stay exactly the same.
    const before = pass.forward();
    pass.backward();
    const grads = new Map([...m.grads].map(([k, g]) => [k, Float64Array.from(g)]));
    const inputGrads = pass.plan.feeds.map((f) => pass.inputGrad(f.feed.sym)).map((g) => (g !== undefined ? Float64Array.from(g) : undefined));
    pass.feed({ size: B, sources: repad(m, sources, c.real, rng), lengths });
    expect(pass.forward()).toBe(before);
    pass.backward();
    for (const [k, g] of m.grads) {
      const was = grads.get(k)!;
      for (let i = 0; i < g.length; i++) if (g[i] !== was[i]) throw new Error(`grad ${k}[${i}] changed with the padding: ${was[i]} → ${g[i]}`);
    }
    pass.plan.feeds.forEach((f, j) => {
      const g = pass.inputGrad(f.feed.sym);
      const was = inputGrads[j];
      if (g === undefined || was === undefined) return;
      for (let i = 0; i < g.length; i++) if (g[i] !== was[i]) throw new Error(`grad of ${f.feed.node}@${f.feed.position} changed with the padding`);
    });
  });
});

describe('block coverage', () => {
  it('every block type of the registry is in a checked graph', () => {
    const seen = new Set<string>();
    for (const c of [...EXAMPLES, ...VARIANTS, ...PADDED]) for (const n of c.doc.nodes) seen.add(n.type);
    expect([...seen].sort()).toEqual([...blockTypes].sort());
  });
});
