import { describe, expect, it } from 'vitest';
import { BRACKET_TOKENS, BRACKET_VOCAB } from './brackets-charset.ts';
import { makeBracketSet, type BracketExample } from './brackets-data.ts';
import { negative, positive } from './brackets-gen.ts';
import { Rng } from '../train/prng.ts';
import { createTask } from './registry.ts';
import { Lcg } from './test-helpers.ts';
import type { Batch, Task } from './types.ts';

// Independent predicates: reduce matched adjacent pairs until nothing changes (no counters, no stack).
const reduceAll = (s: string, pairs: readonly string[]): string => {
  for (;;) {
    const before = s;
    for (const p of pairs) s = s.split(p).join('');
    if (s === before) return s;
  }
};
const onlyOf = (s: string, keep: string): string => [...s].filter((c) => keep.includes(c)).join('');
/** Each kind alone reduces to nothing. */
const countingOk = (s: string): boolean => ['()', '[]', '{}'].every((p) => reduceAll(onlyOf(s, p), [p]) === '');
/** All kinds together reduce to nothing. */
const nestingOk = (s: string): boolean => reduceAll(onlyOf(s, '()[]{}'), ['()', '[]', '{}']) === '';
const bracketCount = (s: string): number => onlyOf(s, '()[]{}').length;

function make(params: Record<string, number | boolean> = {}): Task {
  const r = createTask({ name: 'brackets', params });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.value;
}

/** Every example of a split, as text and label, read back from its batches. */
function readSplit(task: Task, split: string, size = 256): { text: string; label: number }[] {
  const out: { text: string; label: number }[] = [];
  for (let i = 0; ; i++) {
    const batch = task.evalBatch(split, i, size);
    if (batch === undefined) return out;
    for (let b = 0; b < batch.size; b++) out.push({ text: task.describe(batch, b).input, label: batch.data.y![b]! });
  }
}

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

// One default task shared by the tests that only read it (generating 20k strings takes a moment).
const task = make();
const smallTrain = makeBracketSet(new Rng(7), { nesting: false, count: 20_000, lengths: [2, 50] });

describe('brackets alphabet', () => {
  it('has 26 ids, id 0 padding, every other one a distinct single character', () => {
    expect(BRACKET_VOCAB).toBe(26);
    expect(BRACKET_TOKENS[0]).toBe('<pad>');
    const chars = BRACKET_TOKENS.slice(1);
    expect(chars.every((c) => c.length === 1)).toBe(true);
    expect(new Set(chars).size).toBe(chars.length);
    expect(task.streams.find((s) => s.name === 'x')).toMatchObject({ kind: 'tokens', vocab: 26, sequence: true, role: 'input' });
    expect(task.streams.find((s) => s.name === 'y')).toMatchObject({ kind: 'tokens', vocab: 2, sequence: false, role: 'target' });
  });
});

describe('brackets generator', () => {
  it('positives have the exact length, are balanced in their view, and have one bracket per 4–8 characters', () => {
    const rng = new Lcg(3);
    for (const nesting of [false, true]) {
      const density: number[] = [];
      for (let i = 0; i < 2000; i++) {
        const L = 2 + rng.int(99);
        const s = positive(rng, L, nesting);
        expect(s.length).toBe(L);
        expect(nesting ? nestingOk(s) : countingOk(s)).toBe(true);
        if (L >= 40) density.push(L / bracketCount(s));
      }
      expect(mean(density)).toBeGreaterThan(4);
      expect(mean(density)).toBeLessThan(8);
    }
  });

  it('counting-view positives include crossed kinds; depth varies', () => {
    const rng = new Lcg(4);
    let crossed = 0;
    const depths = new Set<number>();
    for (let i = 0; i < 1000; i++) {
      const s = positive(rng, 60, false);
      if (!nestingOk(s)) crossed++;
      let d = 0;
      let max = 0;
      for (const c of onlyOf(s, '([{)]}')) max = Math.max(max, (d += '([{'.includes(c) ? 1 : -1));
      depths.add(max);
    }
    expect(crossed).toBeGreaterThan(100);
    expect(Math.max(...depths) - Math.min(...depths)).toBeGreaterThanOrEqual(4);
  });

  it('negatives are one bracket edit away from their positive and unbalanced', () => {
    const rng = new Lcg(5);
    const seenEdits = new Set<string>();
    for (const nesting of [false, true]) {
      for (let i = 0; i < 1500; i++) {
        const p = positive(rng, 2 + rng.int(60), nesting);
        const n = negative(rng, p, nesting);
        seenEdits.add(n.edit);
        expect(n.text.length).toBe(p.length);
        expect(nesting ? nestingOk(n.text) : countingOk(n.text)).toBe(false);
        const diffs = [...p].flatMap((c, k) => (c === n.text[k] ? [] : [k]));
        const oneReplaced = diffs.length === 1 && (bracketCount(p) !== bracketCount(n.text) || '()[]{}'.includes(n.text[diffs[0]!]!));
        // A move: deleting one bracket from each leaves the same string.
        let moved = false;
        for (let a = 0; a < p.length && !moved; a++) {
          if (!'()[]{}'.includes(p[a]!)) continue;
          const rest = p.slice(0, a) + p.slice(a + 1);
          for (let b = 0; b < n.text.length && !moved; b++) moved = n.text[b] === p[a] && n.text.slice(0, b) + n.text.slice(b + 1) === rest;
        }
        expect(oneReplaced || moved).toBe(true);
      }
    }
    expect([...seenEdits].sort()).toEqual(['add', 'kind', 'move', 'remove']);
  });
});

describe('brackets data', () => {
  const splits = { test: readSplit(task, 'test'), long: readSplit(task, 'long') };

  it('labels agree with independent predicates in both views', () => {
    for (const e of [...smallTrain, ...splits.test, ...splits.long]) expect(e.label).toBe(countingOk(e.text) ? 1 : 0);
    const nested = make({ nesting: true, train_size: 2000, test_size: 400 });
    for (const e of [...readSplit(nested, 'test'), ...readSplit(nested, 'long')]) expect(e.label).toBe(nestingOk(e.text) ? 1 : 0);
    for (const e of makeBracketSet(new Lcg(1), { nesting: true, count: 4000, lengths: [2, 50] })) expect(e.label).toBe(nestingOk(e.text) ? 1 : 0);
  });

  it('splits have their sizes and lengths; test shares no string with the training set', () => {
    expect(task.evalSplits.map((s) => [s.name, s.count, s.lengths])).toEqual([
      ['test', 1000, [2, 50]],
      ['long', 1000, [52, 100]],
    ]);
    expect(splits.test.length).toBe(1000);
    expect(splits.long.length).toBe(1000);
    expect(splits.test.every((e) => e.text.length >= 2 && e.text.length <= 50)).toBe(true);
    expect(splits.long.every((e) => e.text.length >= 52 && e.text.length <= 100)).toBe(true);
    // Read the training set back through trainBatch: 200k draws see nearly all 20k strings.
    const train = new Set<string>();
    const rng = new Lcg(11);
    for (let i = 0; i < 200; i++) {
      const b = task.trainBatch(rng, 1000);
      for (let k = 0; k < b.size; k++) train.add(task.describe(b, k).input);
    }
    expect(train.size).toBeGreaterThan(15_000);
    expect(splits.test.filter((e) => train.has(e.text))).toEqual([]);
    expect(new Set(splits.test.map((e) => e.text)).size).toBe(1000);
  });

  it('classes are 50/50 and lengths are distributed alike in both', () => {
    const sets: Record<string, readonly { text: string; label: number }[]> = { train: smallTrain, ...splits };
    for (const [name, set] of Object.entries(sets)) {
      const pos = set.filter((e) => e.label === 1).map((e) => e.text.length);
      const neg = set.filter((e) => e.label === 0).map((e) => e.text.length);
      expect(Math.abs(pos.length / set.length - 0.5), name).toBeLessThanOrEqual(0.03);
      expect(Math.abs(mean(pos) - mean(neg)), name).toBeLessThanOrEqual(1);
    }
  });

  it('shortcuts stay weak: bracket-count parity and "counts of each kind equal" both ≤ 0.8', () => {
    const report: string[] = [];
    for (const nesting of [false, true]) {
      const set: readonly BracketExample[] = nesting
        ? makeBracketSet(new Rng(9), { nesting, count: 20_000, lengths: [2, 50] })
        : smallTrain;
      const parity = mean(set.map((e) => ((bracketCount(e.text) % 2 === 0 ? 1 : 0) === e.label ? 1 : 0)));
      const countsEqual = mean(
        set.map((e) => {
          const eq = ['()', '[]', '{}'].every(([o, c]) => [...e.text].filter((x) => x === o).length === [...e.text].filter((x) => x === c).length);
          return (eq ? 1 : 0) === e.label ? 1 : 0;
        }),
      );
      const truth = mean(set.map((e) => ((nesting ? nestingOk(e.text) : countingOk(e.text)) ? 1 : 0) === e.label ? 1 : 0));
      report.push(`nesting=${nesting}: parity ${parity.toFixed(3)}, counts-equal ${countsEqual.toFixed(3)}, predicate ${truth}`);
      expect(parity).toBeLessThanOrEqual(0.8);
      expect(countsEqual).toBeLessThanOrEqual(0.8);
      expect(truth).toBe(1);
    }
    console.log(`brackets shortcut accuracies: ${report.join('; ')}`);
  });
});

describe('brackets batches', () => {
  it('pads to the longest example with 0 and gives real lengths', () => {
    const b = task.trainBatch(new Lcg(2), 64);
    expect(b.size).toBe(64);
    expect(b.length).toBe(Math.max(...b.lengths));
    expect(b.data.x!.length).toBe(64 * b.length);
    expect(b.data.y!.length).toBe(64);
    for (let k = 0; k < 64; k++) {
      const row = b.data.x!.subarray(k * b.length, (k + 1) * b.length);
      const len = b.lengths[k]!;
      expect(row.subarray(0, len).every((v) => Number.isInteger(v) && v >= 1 && v < 26)).toBe(true);
      expect(row.subarray(len).every((v) => v === 0)).toBe(true);
      expect([0, 1]).toContain(b.data.y![k]);
      expect(task.describe(b, k).input.length).toBe(len);
      expect(task.describe(b, k).target).toBe(b.data.y![k] === 1 ? 'balanced' : 'unbalanced');
    }
  });

  it('eval batches tile the split, the last one smaller, undefined past the end or for unknown splits', () => {
    const whole = task.evalBatch('test', 0, 1000)!;
    const texts = (b: Batch) => Array.from({ length: b.size }, (_, k) => task.describe(b, k).input);
    const pieces: string[] = [];
    for (let i = 0; i < 4; i++) {
      const b = task.evalBatch('test', i, 300)!;
      expect(b.size).toBe(i < 3 ? 300 : 100);
      pieces.push(...texts(b));
    }
    expect(pieces).toEqual(texts(whole));
    expect(task.evalBatch('test', 4, 300)).toBeUndefined();
    expect(task.evalBatch('nope', 0, 10)).toBeUndefined();
    expect(task.evalBatch('test', -1, 10)).toBeUndefined();
  });

  it('is deterministic: same seed same data; eval splits do not depend on the training rng', () => {
    const other = make();
    other.trainBatch(new Lcg(99), 500); // training draws first must not change the splits
    for (const split of ['test', 'long']) expect(other.evalBatch(split, 2, 100)).toEqual(task.evalBatch(split, 2, 100));
    expect(other.trainBatch(new Lcg(5), 50)).toEqual(task.trainBatch(new Lcg(5), 50));
    const reseeded = make({ seed: 2, train_size: 2000, test_size: 100 });
    const firstTexts = (t: Task) => readSplit(t, 'test').slice(0, 100).map((e) => e.text);
    expect(firstTexts(reseeded)).not.toEqual(firstTexts(task));
  });

  it('accuracy scores the argmax of the logits against the label', () => {
    const b = task.evalBatch('test', 0, 4)!;
    const y = Array.from(b.data.y!);
    // Right, right, wrong, a tie (argmax takes class 0).
    const pred = new Float32Array([...[y[0] === 1 ? -1 : 1, y[0] === 1 ? 1 : -1], ...[y[1] === 1 ? 0 : 5, y[1] === 1 ? 3 : 2], ...[y[2] === 1 ? 2 : -2, y[2] === 1 ? 1 : 0], 0.5, 0.5]);
    expect(task.metric).toMatchObject({ name: 'accuracy', better: 'higher' });
    expect(task.metric.score(b, pred)).toEqual({ total: 2 + (y[3] === 0 ? 1 : 0), count: 4 });
    expect(task.metric.score(b, new Float32Array(8).fill(NaN))).toEqual({ total: 0, count: 4 });
  });
});
