/** Training end to end on small tasks: determinism, learning, clipping, truncation, diagnostics, refusals. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseGraph } from '../graph/parse.ts';
import type { GraphDoc, TrainingSpec } from '../graph/types.ts';
import { Trainer, TrainerError } from './trainer.ts';
import type { CellLowering } from '../compile/types.ts';

function example(name: string): GraphDoc {
  const r = parseGraph(readFileSync(new URL(`../../examples/${name}`, import.meta.url), 'utf8'));
  if (!r.ok) throw new Error(`${name} does not parse`);
  return r.value;
}

/** The LSTM brackets example made small: 8 units, strings of at most 12 characters. */
function smallBrackets(training: TrainingSpec = {}, hidden = 8): GraphDoc {
  const doc = example('lstm.json');
  return {
    ...doc,
    nodes: doc.nodes.map((n) => (n.id === 'lstm' ? { ...n, params: { ...n.params, hidden } } : n)),
    task: { name: 'brackets', params: { max_length: 12, test_min_length: 13, test_max_length: 20, train_size: 400, test_size: 64 } },
    training: { ...doc.training, batch: 8, steps: 40, evalEvery: 1000, ...training },
  };
}

/** An adding-task example at length T. */
function adding(file: string, T: number, training: TrainingSpec = {}): GraphDoc {
  const doc = example(file);
  return { ...doc, task: { name: 'adding', params: { T } }, training: { ...doc.training, batch: 8, ...training } };
}

function trainer(doc: GraphDoc, cells?: CellLowering, dtype?: 'float32' | 'float64'): Trainer {
  const r = Trainer.create({ doc, evalBatch: 32, ...(cells !== undefined ? { cells } : {}), ...(dtype !== undefined ? { dtype } : {}) });
  if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('; '));
  return r.value;
}

const losses = (t: Trainer, n: number): number[] => Array.from({ length: n }, () => t.step().loss);

describe('Trainer', () => {
  it('gives a bit-identical loss sequence for one seed and a different one for another', () => {
    const a = losses(trainer(smallBrackets({ seed: 7 })), 25);
    const b = losses(trainer(smallBrackets({ seed: 7 })), 25);
    const c = losses(trainer(smallBrackets({ seed: 8 })), 25);
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
    expect(a.every(Number.isFinite)).toBe(true);
  });

  it('learns: the loss on adding (T = 10) falls well below the do-nothing baseline', () => {
    const t = trainer(adding('lstm-adding.json', 10, { lr: 0.01, clip: 1 }));
    const before = t.evaluate('test');
    for (let i = 0; i < 300; i++) t.step();
    const after = t.evaluate('test');
    expect(before.loss).toBeGreaterThan(0.1);
    expect(after.loss).toBeLessThan(0.05);
    expect(after.loss).toBeLessThan(t.task.baseline!.value / 3);
    expect(after.metric).toBeCloseTo(after.loss, 5); // the adding metric is the MSE itself
  });

  it('reports the global gradient norm before clipping and clips the update to the threshold', () => {
    const doc = smallBrackets({ optimizer: 'sgd', lr: 0.5, clip: 1e-3 });
    const t = trainer(doc, 'fused', 'float64');
    const before = new Map([...t.model.weights].map(([k, w]) => [k, Float64Array.from(w)]));
    const rep = t.step();
    let moved = 0;
    for (const [k, w] of t.model.weights) w.forEach((v, i) => (moved += (v - before.get(k)![i]!) ** 2));
    expect(rep.gradNorm).toBeGreaterThan(1e-3);
    expect(rep.clipped).toBe(true);
    // SGD moves the weights by lr · the clipped gradient, whose norm is the threshold.
    expect(Math.sqrt(moved)).toBeCloseTo(0.5 * 1e-3 * (rep.gradNorm / (rep.gradNorm + 1e-6)), 9);
  });

  it('gives the same diagnostics whichever way the cells are lowered', () => {
    const doc = smallBrackets({ seed: 3 });
    const fused = trainer(doc, 'fused', 'float64').probe();
    const primitive = trainer(doc, 'primitive', 'float64').probe();
    expect(primitive.loss).toBeCloseTo(fused.loss, 12);
    expect(fused.states!.map((s) => s.delay).sort()).toEqual(['c', 'h']);
    for (const s of fused.states!) {
      const p = primitive.states!.find((x) => x.delay === s.delay)!;
      expect(s.norms).toHaveLength(12);
      s.norms.forEach((v, i) => expect(v).toBeCloseTo(p.norms[i]!, 12));
      expect(s.norms.some((v) => v > 0)).toBe(true);
    }
    const gates = fused.gates!.find((g) => g.node === 'lstm')!;
    expect(gates.gates.map((g) => g.name)).toEqual(['input', 'forget', 'output']);
    for (const g of gates.gates) {
      expect(g.low).toBeGreaterThanOrEqual(0);
      expect(g.high).toBeGreaterThanOrEqual(0);
      expect(g.low + g.high).toBeLessThanOrEqual(1);
    }
  });

  it('reports gate saturation however a gated cell is lowered, and for the GRU that has no fused form', () => {
    const doc = smallBrackets({ seed: 5 });
    const sat = (cells: CellLowering, d: GraphDoc = doc) => trainer(d, cells, 'float64').probe().gates!;
    const fused = sat('fused');
    const primitive = sat('primitive');
    expect(primitive).toEqual(fused);
    expect(fused[0]!.gates.map((g) => g.name)).toEqual(['input', 'forget', 'output']);
    // A GRU with the reset gate before the matmul (the lecture's form) runs in primitive ops only.
    const gruDoc = {
      ...doc,
      nodes: doc.nodes.filter((n) => n.id !== 'c').map((n) => (n.id === 'lstm' ? { ...n, type: 'gru', params: { hidden: 8, reset: 'before' } } : n)),
      edges: doc.edges.filter((e) => !e.from.startsWith('c.') && !e.to.startsWith('c.') && e.from !== 'lstm.c'),
    };
    const gru = sat('fused', gruDoc);
    expect(gru.map((g) => g.node)).toEqual(['lstm']);
    expect(gru[0]!.gates.map((g) => g.name)).toEqual(['reset', 'update']);
    for (const g of gru[0]!.gates) expect(g.low + g.high).toBeLessThanOrEqual(1);
  });

  it('shows the vanishing gradient: an Elman RNN at T = 100 loses 20 orders of magnitude, orthogonal init and an LSTM far less', () => {
    const ratio = (file: string, delay = 'h'): number => {
      const s = trainer(adding(file, 100)).probe().states!.find((x) => x.delay === delay)!;
      expect(s.norms).toHaveLength(100);
      return s.norms[0]! / s.norms[99]!;
    };
    const elman = ratio('elman-adding.json');
    const orthogonal = ratio('elman-adding-orthogonal.json');
    const lstm = ratio('lstm-adding.json', 'c');
    expect(elman).toBeLessThan(1e-3);
    expect(orthogonal / elman).toBeGreaterThan(1e6);
    expect(lstm / elman).toBeGreaterThan(1e6);
  });

  it('truncated BPTT stops gradients at the window boundary', () => {
    const T = 20;
    const full = trainer(adding('elman-adding-orthogonal.json', T)).probe().states![0]!.norms;
    const cut = trainer(adding('elman-adding-orthogonal.json', T, { truncate: 5 })).probe().states![0]!.norms;
    // Loss at the last step: the last window (steps 15…19) sees the same gradient, earlier steps none.
    for (let t = 15; t < T; t++) expect(cut[t]).toBeCloseTo(full[t]!, 12);
    for (let t = 0; t < 15; t++) expect(cut[t]).toBe(0);
    expect(full[0]).toBeGreaterThan(0);
  });

  it('halts with E442 naming the step when the loss stops being finite', () => {
    const t = trainer(smallBrackets());
    t.step();
    t.model.weights.get('lstm.weight_hh')!.fill(Number.NaN);
    let caught: unknown;
    try {
      t.step();
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(TrainerError);
    const err = (caught as TrainerError).errors[0]!;
    expect(err.code).toBe('E442');
    expect(err.message).toMatch(/training step 2/);
  });

  it('refuses a graph without a task, an unknown task and a task that does not fit, with catalogue errors', () => {
    const noTask = { ...smallBrackets(), task: undefined };
    const r1 = Trainer.create({ doc: noTask });
    expect(r1.ok).toBe(false);
    if (!r1.ok) expect(r1.errors[0]!.code).toBe('E440');
    const r2 = Trainer.create({ doc: smallBrackets(), task: 'sorting' });
    expect(r2.ok).toBe(false);
    if (!r2.ok) expect(r2.errors[0]!.code).toBe('E420');
    // The seq2seq example's streams are not the copy task's: refused when binding, before training.
    const r3 = Trainer.create({ doc: { ...example('seq2seq.json'), task: { name: 'copy' } } });
    expect(r3.ok).toBe(false);
    if (!r3.ok) expect(r3.errors[0]!.code).toMatch(/^E42\d$/);
  });

  it('evaluates every split of the task and scores accuracy in [0, 1]', () => {
    const t = trainer(smallBrackets());
    for (const split of t.task.evalSplits) {
      const ev = t.evaluate(split.name);
      expect(ev.count).toBe(split.count);
      expect(ev.metric).toBeGreaterThanOrEqual(0);
      expect(ev.metric).toBeLessThanOrEqual(1);
      expect(Number.isFinite(ev.loss)).toBe(true);
    }
  });
});
