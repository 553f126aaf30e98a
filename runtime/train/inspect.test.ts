/**
 * Looking inside a trained model: attention and memory weights against the reference evaluator
 * (naive float64 loops, block by block, with the generation loop written out here), predictions
 * against the task's metric as `evaluate` sums it, and the refusals.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { GraphDoc, ParamValueJson, TrainingSpec } from '../graph/types.ts';
import type { ValueType } from '../../blocks/types.ts';
import { getBlock } from '../../blocks/registry.ts';
import { evaluateBlock } from '../reference/block.ts';
import { REVERSE_START, REVERSE_TOKENS } from '../tasks/reverse.ts';
import type { GraphAnalysis } from '../validate/types.ts';
import { Trainer } from './trainer.ts';
import { InspectRangeError, MAX_PREDICTION_ROWS, type PredictionRow } from './inspect.ts';

const example = (name: string): GraphDoc => JSON.parse(readFileSync(new URL(`../../examples/${name}`, import.meta.url), 'utf8')) as GraphDoc;

const withSizes = (doc: GraphDoc, sizes: Record<string, Record<string, ParamValueJson>>): GraphDoc => ({
  ...doc,
  nodes: doc.nodes.map((n) => (sizes[n.id] !== undefined ? { ...n, params: { ...n.params, ...sizes[n.id] } } : n)),
});

/** Reverse with attention, small: strings of 2–5 digits. */
function smallAttention(training: TrainingSpec = {}): GraphDoc {
  return {
    ...withSizes(example('seq2seq-attention.json'), { embS: { size: 8 }, embT: { size: 8 }, enc: { hidden: 16 }, dec: { hidden: 16 }, att: { size: 16 } }),
    task: { name: 'reverse', params: { min_length: 2, max_length: 5, test_min_length: 2, test_max_length: 5, test_per_length: 20 } },
    training: { optimizer: 'adam', lr: 0.01, batch: 32, steps: 600, clip: 1, seed: 3, evalEvery: 1000, ...training },
  };
}

/** The MemN2N example on a short memory and a small test split. */
function smallMemory(training: TrainingSpec = {}): GraphDoc {
  const doc = example('memory-network.json');
  return {
    ...doc,
    task: { name: 'babi', params: { ...(doc.task?.params ?? {}), train_size: 200, test_size: 40 } },
    training: { ...doc.training, batch: 16, linearStart: 0, ...training },
  };
}

function trainer(doc: GraphDoc, dtype: 'float32' | 'float64' = 'float32'): Trainer {
  const r = Trainer.create({ doc, dtype, evalBatch: 32 });
  if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('; '));
  return r.value;
}

const train = (t: Trainer, n: number): Trainer => {
  for (let i = 0; i < n; i++) t.step();
  return t;
};

const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);

/** One block's forward on the reference evaluator, with the node's resolved params, wire types and weights (shared ones by owner). */
function reference(a: GraphAnalysis, weights: ReadonlyMap<string, ArrayLike<number>>, node: string, values: Record<string, number[]>): Record<string, number[]> {
  const n = a.doc.nodes.find((x) => x.id === node)!;
  const types: Record<string, ValueType> = {};
  a.doc.edges.forEach((e, i) => {
    const [to, port] = e.to.split('.') as [string, string];
    if (to === node && values[port] !== undefined) types[port] = a.edgeTypes[i]!;
  });
  const block = getBlock(n.type)!;
  const w: Record<string, Float64Array> = {};
  for (const def of block.weights(types, a.params.get(node)! as never)) {
    const key = a.shares.get(node)?.[def.name] ?? `${node}.${def.name}`;
    w[def.name] = Float64Array.from(weights.get(key)!);
  }
  const ins = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, Float64Array.from(v)]));
  const out = evaluateBlock(block, a.params.get(node)!, { types, values: ins }, w);
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, [...v]]));
}

const argmaxOf = (xs: readonly number[]): number => xs.indexOf(Math.max(...xs));

/**
 * The attention example's generation written out step by step on the reference evaluator: the
 * encoder over the source's real steps, then the decoder fed `<s>` and then its own argmax.
 */
function referenceAttention(a: GraphAnalysis, weights: ReadonlyMap<string, ArrayLike<number>>, src: readonly number[], steps: number): { weights: number[][]; tokens: number[] } {
  const hidden = (id: string): number => Number(a.params.get(id)!.hidden);
  let h = new Array<number>(hidden('enc')).fill(0);
  let c = [...h];
  const keys: number[][] = [];
  for (const id of src) {
    const x = reference(a, weights, 'embS', { in: [id] }).out!;
    const r = reference(a, weights, 'enc', { x, h_prev: h, c_prev: c });
    [h, c] = [r.h!, r.c!];
    keys.push(h);
  }
  const rows: number[][] = [];
  const tokens: number[] = [];
  let prev = REVERSE_START;
  for (let t = 0; t < steps; t++) {
    const att = reference(a, weights, 'att', { query: h, keys: keys.flat(), values: keys.flat() });
    rows.push(att.weights!);
    const x = reference(a, weights, 'cat', { a: reference(a, weights, 'embT', { in: [prev] }).out!, b: att.context! }).out!;
    const r = reference(a, weights, 'dec', { x, h_prev: h, c_prev: c });
    [h, c] = [r.h!, r.c!];
    prev = argmaxOf(reference(a, weights, 'out', { in: h }).out!);
    tokens.push(prev);
  }
  return { weights: rows, tokens };
}

describe('attention', () => {
  // float64, so that the compiled pass and the reference evaluator agree to rounding.
  const t = train(trainer(smallAttention(), 'float64'), 60);

  it.each([0, 25, 79])('example %i: rows sum to 1 and equal the reference evaluator, decoder steps × encoder steps, tokens on both axes', (index) => {
    const r = t.inspect('test', index);
    const ex = r.example;
    const src = ex.inputs.find((s) => s.stream === 'src')!;
    expect(r.attention).toHaveLength(1);
    expect(r.memory).toEqual([]);
    const map = r.attention[0]!;
    expect(map).toMatchObject({ node: 'att', type: 'attention', normalized: true });
    // Only the real steps: the target is the source length + 1 (the end token).
    expect(map.weights).toHaveLength(src.steps + 1);
    expect(ex.target.steps).toBe(src.steps + 1);
    for (const row of map.weights) {
      expect(row).toHaveLength(src.steps);
      expect(Math.abs(sum(row) - 1)).toBeLessThan(1e-9);
    }
    expect(map.cols).toEqual({ axis: 'src', source: 'input', stream: 'src', labels: src.values.map((id) => REVERSE_TOKENS[id]) });
    expect(map.rows).toMatchObject({ axis: 'y', source: 'prediction', stream: 'y', labels: ex.prediction.labels, targets: ex.target.labels });

    const want = referenceAttention(t.analysis, t.getState().weights, src.values, src.steps + 1);
    map.weights.forEach((row, i) => row.forEach((w, j) => expect(w).toBeCloseTo(want.weights[i]![j]!, 9)));
    expect(ex.prediction.values).toEqual(want.tokens);
    expect(ex.text.prediction).toBe(want.tokens.map((id) => REVERSE_TOKENS[id]).join(' '));
  });

  it('the test split is of several lengths, so shorter examples were padded in the pass and cut here', () => {
    const lengths = [0, 79].map((i) => t.inspect('test', i).example.inputs[0]!.steps);
    expect(lengths).toEqual([2, 5]);
  });

  it('inspecting changes nothing: the next step is the same as without it', () => {
    const a = train(trainer(smallAttention()), 3);
    const b = train(trainer(smallAttention()), 3);
    a.inspect('test', 7);
    a.predictions('test', 50, 0);
    expect(a.step().loss).toBe(b.step().loss);
  });
});

describe('predictions', () => {
  const t = train(trainer(smallAttention()), 600);

  it('the rows marked correct are as many as evaluate() counts right (exact match × examples)', () => {
    const ev = t.evaluate('test');
    const page = t.predictions('test', MAX_PREDICTION_ROWS);
    expect(page.rows).toHaveLength(ev.count);
    expect(page).toMatchObject({ split: 'test', offset: 0, count: ev.count, metric: 'exact_match', step: 600 });
    const right = page.rows.filter((r) => r.correct === true).length;
    expect(right).toBe(Math.round(ev.metric * ev.count));
    // A model that learned something: neither all right nor all wrong would test the marks.
    expect(right).toBeGreaterThan(0);
    for (const row of page.rows) {
      expect(row.correct).toBe(row.prediction === row.target);
      expect(row.score).toBe(row.correct ? 1 : 0);
    }
  });

  it('a page at an offset is the same rows as the whole table there, and inspect agrees with them', () => {
    const all = t.predictions('test', 80).rows;
    expect(t.predictions('test', 7, 14).rows).toEqual(all.slice(14, 21));
    expect(t.predictions('test', 30, 70).rows).toEqual(all.slice(70, 80));
    for (const i of [0, 33, 79]) {
      const ex = t.inspect('test', i).example;
      expect({ index: ex.index, input: ex.text.input, target: ex.text.target, prediction: ex.text.prediction, correct: ex.correct }).toEqual({
        index: all[i]!.index,
        input: all[i]!.input,
        target: all[i]!.target,
        prediction: all[i]!.prediction,
        correct: all[i]!.correct,
      });
    }
  });

  it('classification (brackets): correct rows = accuracy × count; text says balanced or unbalanced', () => {
    const doc = example('lstm.json');
    const b = train(
      trainer({
        ...withSizes(doc, { lstm: { hidden: 8 } }),
        task: { name: 'brackets', params: { max_length: 12, test_min_length: 13, test_max_length: 16, train_size: 300, test_size: 64 } },
        training: { ...doc.training, batch: 8, lr: 0.01 },
      }),
      40,
    );
    const ev = b.evaluate('test');
    const rows = b.predictions('test', 64).rows;
    expect(rows.filter((r) => r.correct).length).toBe(Math.round(ev.metric * ev.count));
    for (const r of rows) expect(['balanced', 'unbalanced']).toContain(r.prediction);
    const ex = b.inspect('test', 5);
    expect(ex.attention).toEqual([]);
    expect(ex.memory).toEqual([]);
    expect(ex.example.target.steps).toBe(1);
  });

  it('regression (adding, mse): no right or wrong, the scores average to evaluate()’s metric', () => {
    const doc = example('lstm-adding.json');
    const a = train(trainer({ ...withSizes(doc, { g: { hidden: 8 } }), task: { name: 'adding', params: { T: 20 } }, training: { ...doc.training, batch: 8 } }), 20);
    const ev = a.evaluate('test');
    const rows: PredictionRow[] = [];
    for (let offset = 0; offset < ev.count; offset += MAX_PREDICTION_ROWS) rows.push(...a.predictions('test', MAX_PREDICTION_ROWS, offset).rows);
    expect(rows).toHaveLength(ev.count);
    expect(rows.every((r) => r.correct === null)).toBe(true);
    expect(sum(rows.map((r) => r.score)) / rows.length).toBeCloseTo(ev.metric, 5);
    const ex = a.inspect('test', 3).example;
    expect(ex.prediction.kind).toBe('vector');
    expect(ex.score).toBeCloseTo((ex.prediction.values[0]! - ex.target.values[0]!) ** 2, 6);
  });

  it('multi-label (dyck, bce): the prediction reads as 0/1 on the logit’s sign, and correct rows = accuracy × count', () => {
    const doc = example('lstm-dyck.json');
    const d = train(trainer({ ...doc, task: { name: 'dyck', params: { max_length: 12, test_min_length: 14, test_max_length: 20, train_size: 200, test_size: 40 } }, training: { ...doc.training, batch: 8 } }), 30);
    const ev = d.evaluate('test');
    const rows = d.predictions('test', 40).rows;
    expect(rows.filter((r) => r.correct).length).toBe(Math.round(ev.metric * ev.count));
    const ex = d.inspect('test', 2).example;
    expect(ex.prediction.values.every((v) => v === 0 || v === 1)).toBe(true);
    expect(ex.correct).toBe(ex.prediction.values.every((v, i) => v === ex.target.values[i]));
  });
});

describe('memory network', () => {
  it('per hop, the addressing weights over the story’s sentences sum to 1 and equal the reference evaluator', () => {
    const t = train(trainer(smallMemory(), 'float64'), 20);
    const r = t.inspect('test', 4);
    expect(r.attention).toEqual([]);
    expect(r.memory.map((m) => m.node)).toEqual(['read1', 'read2', 'read3']);
    const story = r.example.inputs.find((s) => s.stream === 'story')!;
    const question = r.example.inputs.find((s) => s.stream === 'question')!;
    const a = t.analysis;
    const w = t.getState().weights;
    // The hops written out: u1 = B q, u_{k+1} = u_k + read_k (keys A_k, values C_k of each sentence).
    const bags = Array.from({ length: story.steps }, (_, i) => story.values.slice(i * story.width, (i + 1) * story.width));
    let u = reference(a, w, 'B', { in: question.values as number[] }).out!;
    r.memory.forEach((hop, k) => {
      expect(hop).toMatchObject({ type: 'memory', normalized: true, rows: { source: 'node', labels: [hop.node] } });
      expect(hop.weights).toHaveLength(1);
      expect(hop.cols).toMatchObject({ axis: 'story', source: 'input', stream: 'story', labels: story.labels });
      expect(hop.cols.labels).toHaveLength(story.steps);
      const row = hop.weights[0]!;
      expect(Math.abs(sum(row) - 1)).toBeLessThan(1e-9);
      const keys = bags.flatMap((bag) => reference(a, w, `A${k + 1}`, { in: bag }).out!);
      const values = bags.flatMap((bag) => reference(a, w, `C${k + 1}`, { in: bag }).out!);
      const read = reference(a, w, hop.node, { query: u, keys, values });
      row.forEach((x, i) => expect(x).toBeCloseTo(read.weights![i]!, 9));
      u = u.map((x, i) => x + read.read![i]!);
    });
    // Sentences as text: words, no padding.
    expect(story.labels.every((s) => s.length > 0 && !s.includes('<pad>'))).toBe(true);
    expect(r.example.text.input.startsWith(story.labels[0]!.split(' ')[0]!)).toBe(true);
  });

  it('during linear start the weights are the raw scores, marked not normalized', () => {
    const t = trainer(smallMemory({ linearStart: 100 }));
    const r = t.inspect('test', 0);
    expect(r.memory.every((m) => !m.normalized)).toBe(true);
    expect(r.memory.some((m) => Math.abs(sum(m.weights[0]!) - 1) > 1e-3)).toBe(true);
  });
});

describe('refusals', () => {
  const t = trainer(smallAttention());

  it('an unknown split, an index outside the split, too many rows, an offset past the end', () => {
    expect(() => t.inspect('train', 0)).toThrow(InspectRangeError);
    expect(() => t.inspect('train', 0)).toThrow(/no split "train"; its splits are test/);
    expect(() => t.inspect('test', 80)).toThrow(/split test .* has examples 0 … 79; there is no example 80/);
    expect(() => t.inspect('test', -1)).toThrow(InspectRangeError);
    expect(() => t.inspect('test', 1.5)).toThrow(InspectRangeError);
    expect(() => t.predictions('test', MAX_PREDICTION_ROWS + 1)).toThrow(/0 … 1000 rows at a time, not 1001/);
    expect(() => t.predictions('test', 10, 80)).toThrow(/there is no example 80/);
    expect(t.predictions('test', 10, 75).rows.map((r) => r.index)).toEqual([75, 76, 77, 78, 79]);
    expect(t.predictions('test', 0, 5).rows).toEqual([]);
  });
});
