import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { GraphDoc } from '../graph/types.ts';
import { analyzeGraph } from '../validate/validate.ts';
import { bindTask } from './bind.ts';
import { createTask } from './registry.ts';
import { REVERSE_END, REVERSE_START, REVERSE_TOKENS, reverseExactMatch } from './reverse.ts';
import { Lcg } from './test-helpers.ts';
import type { Batch, Task } from './types.ts';

function reverse(params: Record<string, number> = {}): Task {
  const r = createTask({ name: 'reverse', params });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.value;
}

/** Example b as text: source digits and target tokens, read back through the token names. */
function rows(batch: Batch, b: number): { src: string; y: string[] } {
  const ax = batch.axes!.y!;
  const src = Array.from(batch.data.src!.subarray(b * batch.length, b * batch.length + batch.lengths[b]!), (id) => REVERSE_TOKENS[id]!).join('');
  const y = Array.from(batch.data.y!.subarray(b * ax.length, b * ax.length + ax.lengths[b]!), (id) => REVERSE_TOKENS[id]!);
  return { src, y };
}

function allTest(task: Task, size = 256): Batch[] {
  const out: Batch[] = [];
  for (let i = 0; ; i++) {
    const b = task.evalBatch('test', i, size);
    if (b === undefined) return out;
    out.push(b);
  }
}

/** Logits [B, T+1, 13] one-hot on the batch's own target, 0 elsewhere (padding left at 0). */
function perfectLogits(batch: Batch): Float32Array {
  const ax = batch.axes!.y!;
  const V = REVERSE_TOKENS.length;
  const pred = new Float32Array(batch.size * ax.length * V);
  for (let b = 0; b < batch.size; b++) for (let t = 0; t < ax.lengths[b]!; t++) pred[(b * ax.length + t) * V + batch.data.y![b * ax.length + t]!] = 5;
  return pred;
}

describe('reverse task', () => {
  it('writes every target as the reversed source then </s>, padded with 0 on both axes', () => {
    const task = reverse();
    const batch = task.trainBatch(new Lcg(3), 64);
    for (let b = 0; b < batch.size; b++) {
      const { src, y } = rows(batch, b);
      expect(src).toMatch(/^[0-9]{5,30}$/);
      expect(y.slice(0, -1).join('')).toBe([...src].reverse().join(''));
      expect(y.at(-1)).toBe('</s>');
      expect(batch.axes!.y!.lengths[b]).toBe(batch.lengths[b]! + 1);
      for (let t = batch.lengths[b]!; t < batch.length; t++) expect(batch.data.src![b * batch.length + t]).toBe(0);
      for (let t = batch.lengths[b]! + 1; t < batch.axes!.y!.length; t++) expect(batch.data.y![b * batch.axes!.y!.length + t]).toBe(0);
    }
    expect(batch.axes!.y!.length).toBe(batch.length + 1);
  });

  it('declares src on the main axis and y on its own axis with start and end tokens', () => {
    const [src, y] = reverse().streams;
    expect(src).toMatchObject({ name: 'src', role: 'input', kind: 'tokens', vocab: 13, sequence: true });
    expect(src!.axis).toBeUndefined();
    expect(y).toMatchObject({ name: 'y', role: 'target', kind: 'tokens', vocab: 13, sequence: true, axis: 'y', start: REVERSE_START, end: REVERSE_END });
    expect([REVERSE_TOKENS[REVERSE_START], REVERSE_TOKENS[REVERSE_END], REVERSE_TOKENS[0]]).toEqual(['<s>', '</s>', '<pad>']);
    const t = reverse();
    expect(t.trainAxisLengths).toEqual({ y: [6, 31] });
    expect(t.evalSplits[0]).toMatchObject({ name: 'test', count: 2600, lengths: [5, 30], axisLengths: { y: [6, 31] } });
  });

  it('has a fixed test split: 100 distinct strings per length, the same for any batch size, set by the seed', () => {
    const a = allTest(reverse()).flatMap((b) => Array.from({ length: b.size }, (_, i) => rows(b, i).src));
    const b = allTest(reverse(), 7).flatMap((x) => Array.from({ length: x.size }, (_, i) => rows(x, i).src));
    expect(b).toEqual(a);
    expect(a).toHaveLength(2600);
    for (let n = 5; n <= 30; n++) {
      const ofLength = a.filter((s) => s.length === n);
      expect(ofLength).toHaveLength(100);
      expect(new Set(ofLength).size).toBe(100);
    }
    const other = allTest(reverse({ seed: 2 }))[0]!;
    expect(rows(other, 0).src).not.toBe(a[0]);
    expect(reverse().evalBatch('long', 0, 10)).toBeUndefined();
  });

  it('never trains on a test string (checked at a length where collisions are likely)', () => {
    // Length 2 has 100 strings; the test split takes 50 of them, so a training draw hits one half the time.
    const task = reverse({ min_length: 2, max_length: 2, test_min_length: 2, test_max_length: 2, test_per_length: 50 });
    const test = new Set(allTest(task).flatMap((b) => Array.from({ length: b.size }, (_, i) => rows(b, i).src)));
    expect(test.size).toBe(50);
    const seen = new Set<string>();
    const rng = new Lcg(9);
    for (let k = 0; k < 20; k++) {
      const batch = task.trainBatch(rng, 64);
      for (let b = 0; b < batch.size; b++) seen.add(rows(batch, b).src);
    }
    expect(seen.size).toBe(50);
    for (const s of seen) expect(test.has(s)).toBe(false);
  });

  it('draws the same training batches from the same random source', () => {
    const t = reverse();
    expect(t.trainBatch(new Lcg(5), 16)).toEqual(t.trainBatch(new Lcg(5), 16));
    expect(t.trainBatch(new Lcg(5), 16).data.src).not.toEqual(t.trainBatch(new Lcg(6), 16).data.src);
  });

  it('scores exact match over every target step, the end token included, and by length', () => {
    const batch = reverse().evalBatch('test', 0, 256)!;
    const perfect = perfectLogits(batch);
    expect(reverseExactMatch.score(batch, perfect)).toMatchObject({ total: 256, count: 256 });
    const V = REVERSE_TOKENS.length;
    const ax = batch.axes!.y!;
    const wrong = perfect.slice();
    // Example 3: one middle digit wrong. Example 4: the end token replaced by a digit.
    const mid = (3 * ax.length + 2) * V;
    wrong.fill(0, mid, mid + V);
    wrong[mid + (batch.data.y![3 * ax.length + 2] === 1 ? 2 : 1)] = 5;
    const end = (4 * ax.length + ax.lengths[4]! - 1) * V;
    wrong.fill(0, end, end + V);
    wrong[end + 1] = 5;
    // Noise on padded steps of example 0 changes nothing.
    for (let t = ax.lengths[0]!; t < ax.length; t++) wrong[(t + 0 * ax.length) * V + 3] = 9;
    const s = reverseExactMatch.score(batch, wrong);
    expect(s).toMatchObject({ total: 254, count: 256 });
    // Batch 0 holds the 100 strings of length 5 then 100 of length 6 then 56 of length 7.
    expect(Object.fromEntries(s.byLength!)).toEqual({ 5: { total: 98, count: 100 }, 6: { total: 100, count: 100 }, 7: { total: 56, count: 56 } });
    expect(reverseExactMatch.better).toBe('higher');
  });

  it('describes an example as its digits and its target tokens', () => {
    const batch = reverse().evalBatch('test', 0, 1)!;
    const d = reverse().describe(batch, 0);
    expect(d.input.split(' ')).toHaveLength(5);
    expect(d.target.split(' ').reverse().slice(1).join(' ')).toBe(d.input);
    expect(d.target.endsWith('</s>')).toBe(true);
  });

  it('refuses contradicting params and a test split larger than half the strings of its shortest length', () => {
    const codes = (params: Record<string, number>) => {
      const r = createTask({ name: 'reverse', params });
      return r.ok ? [] : r.errors.map((e) => [e.code, e.path]);
    };
    expect(codes({ min_length: 9, max_length: 8 })).toEqual([['E422', '$.task.params.min_length']]);
    expect(codes({ test_min_length: 31 })).toEqual([['E422', '$.task.params.test_min_length']]);
    expect(codes({ test_min_length: 2, test_per_length: 51 })).toEqual([['E422', '$.task.params.test_per_length']]);
    expect(codes({ test_min_length: 2, test_per_length: 50 })).toEqual([]);
    expect(codes({ max_length: 1001 })).toEqual([['E422', '$.task.params.max_length']]);
  });
});

describe('binding reverse to the seq2seq example', () => {
  /** examples/seq2seq.json with its vocab set to reverse's 13 tokens. */
  function seq2seq(patch?: (doc: GraphDoc) => GraphDoc): GraphDoc {
    const doc = JSON.parse(readFileSync(new URL('../../examples/seq2seq.json', import.meta.url), 'utf8')) as GraphDoc;
    const nodes = doc.nodes.map((n) =>
      n.params?.vocab !== undefined ? { ...n, params: { ...n.params, vocab: 13 } } : n.id === 'out' ? { ...n, params: { ...n.params, size: 13 } } : n,
    );
    const fixed = { ...doc, nodes };
    return patch ? patch(fixed) : fixed;
  }

  it('binds src to the encoder axis and y to the decoder axis, leaving the decoder input to the trainer', () => {
    const analysis = analyzeGraph(seq2seq());
    expect(analysis.errors).toEqual([]);
    const r = bindTask(reverse(), analysis);
    expect(r.ok && r.value.streams.map((s) => [s.stream.name, s.node])).toEqual([
      ['src', 'src'],
      ['y', 'y'],
    ]);
    expect(r.ok && r.value.axis).toBe('src');
    expect(r.ok && r.value.axes).toEqual({ y: 'y' });
  });

  it('refuses a target aligned with the source: their lengths differ (E429)', () => {
    const aligned = seq2seq((d) => ({ ...d, nodes: d.nodes.map((n) => (n.id === 'y' ? { ...n, params: { ...n.params, align_with: 'src' } } : n)) }));
    const r = bindTask(reverse(), analyzeGraph(aligned));
    expect(r.ok).toBe(false);
    expect(!r.ok && r.errors.map((e) => [e.code, e.nodes])).toEqual([['E429', ['y', 'src']]]);
    expect(!r.ok && r.errors[0]!.message).toContain('remove align_with from y');
  });
});
