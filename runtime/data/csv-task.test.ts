import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Result } from '../errors/catalogue.ts';
import { Lcg } from '../tasks/test-helpers.ts';
import type { Batch, Task } from '../tasks/types.ts';
import { Rng } from '../train/prng.ts';
import { splitSequences } from './csv-task.ts';
import { createDatasetTask, type DataSource, type DatasetSummary } from './dataset.ts';
import type { CsvSummary } from './csv-task.ts';
import { FIXTURE_SEQUENCES, twoFeatureSequencesCsv } from './fixtures/two-feature-sequences.ts';

const FIXTURE = readFileSync(new URL('./fixtures/two-feature-sequences.csv', import.meta.url), 'utf8');
const enc = (text: string): Uint8Array => new TextEncoder().encode(text);

function make(text: string, extra: Partial<DataSource> = {}): Result<{ task: Task; summary: DatasetSummary }> {
  return createDatasetTask({ name: 'd.csv', bytes: enc(text), ...extra });
}
function task(text: string, extra: Partial<DataSource> = {}): { task: Task; summary: CsvSummary } {
  const r = make(text, extra);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.value as { task: Task; summary: CsvSummary };
}
const messages = (r: Result<unknown>): string[] => (r.ok ? [] : r.errors.map((e) => `${e.code} ${e.message}`));

/** Rows of the fixture by sequence id, as numbers [t, f1, f2] and the label. */
function fixtureRows(text = FIXTURE): Map<string, { t: number; f1: number; f2: number; label: string }[]> {
  const out = new Map<string, { t: number; f1: number; f2: number; label: string }[]>();
  for (const line of text.trim().split('\n').slice(1)) {
    const [seq, t, f1, f2, label] = line.split(',');
    const rows = out.get(seq!) ?? [];
    rows.push({ t: Number(t), f1: Number(f1), f2: Number(f2), label: label! });
    out.set(seq!, rows);
  }
  return out;
}

const allTest = (t: Task): Batch[] => {
  const out: Batch[] = [];
  for (let i = 0; ; i++) {
    const b = t.evalBatch('test', i, 7);
    if (b === undefined) return out;
    out.push(b);
  }
};

describe('the CSV reader of the dataset task', () => {
  it('is the committed fixture, made again by its seeded generator', () => {
    expect(twoFeatureSequencesCsv()).toBe(FIXTURE);
  });

  it('makes a vector input sequence and a class target per sequence, with the class names as tokens', () => {
    const { task: t, summary } = task(FIXTURE);
    expect(t.name).toBe('dataset');
    expect(t.streams).toEqual([
      { name: 'x', role: 'input', kind: 'vector', size: 2, sequence: true },
      { name: 'y', role: 'target', kind: 'tokens', vocab: 2, sequence: false, tokens: ['neg', 'pos'] },
    ]);
    expect(t.params).toEqual({ reader: 'csv', test_fraction: 0.2, seed: 1, delimiter: 'auto', normalize: true, map: 'id=seq,time=t,features=f1+f2@x,target=label@y,per=sequence,kind=class' });
    expect(summary).toMatchObject({ reader: 'csv', rows: 1717, sequences: FIXTURE_SEQUENCES, trainSequences: 128, testSequences: 32, lengths: [6, 16], classes: ['neg', 'pos'] });
    expect(t.evalSplits).toEqual([{ name: 'test', count: 32, lengths: expect.any(Array), doc: expect.stringContaining('32 of the 160 sequences of d.csv') }]);
    expect(t.metric.name).toBe('accuracy');
    expect(t.baseline!.value).toBeGreaterThan(0.6);
  });

  it('pads batches to their longest sequence with zeros and gives each length', () => {
    const { task: t } = task(FIXTURE);
    const b = t.trainBatch(new Lcg(3), 16);
    expect(b.size).toBe(16);
    expect(b.length).toBe(Math.max(...b.lengths));
    expect(b.data.x!.length).toBe(16 * b.length * 2);
    expect(b.data.y!.length).toBe(16);
    for (let i = 0; i < 16; i++) {
      const n = b.lengths[i]!;
      expect(n).toBeGreaterThanOrEqual(t.trainLengths[0]);
      expect(n).toBeLessThanOrEqual(t.trainLengths[1]);
      // Real steps carry values; padding after them is zero.
      expect(b.data.x!.subarray((i * b.length) * 2, (i * b.length + n) * 2).some((v) => v !== 0)).toBe(true);
      expect([...b.data.x!.subarray((i * b.length + n) * 2, (i + 1) * b.length * 2)].every((v) => v === 0)).toBe(true);
      expect([0, 1]).toContain(b.data.y![i]);
    }
    expect(t.trainBatch(new Lcg(3), 16)).toEqual(b);
  });

  it('splits by sequence, deterministically from the task seed, disjoint and covering every sequence', () => {
    const a = splitSequences(160, 0.2, 1);
    expect(a.test).toHaveLength(32);
    expect(a.train).toHaveLength(128);
    expect(new Set([...a.train, ...a.test]).size).toBe(160);
    expect(splitSequences(160, 0.2, 1)).toEqual(a);
    expect(splitSequences(160, 0.2, 2).test).not.toEqual(a.test);
    expect(splitSequences(2, 0.01, 1).test).toHaveLength(1);
    expect(splitSequences(2, 0.5, 1).train).toHaveLength(1);
    // The same file and seed give the same test batches; another seed other ones.
    expect(allTest(task(FIXTURE).task)).toEqual(allTest(task(FIXTURE).task));
    expect(allTest(task(FIXTURE, { params: { seed: 2 } }).task)).not.toEqual(allTest(task(FIXTURE).task));
    const covered = allTest(task(FIXTURE).task).reduce((n, b) => n + b.size, 0);
    expect(covered).toBe(32);
  });

  it('normalises features with the mean and standard deviation of the training split only', () => {
    const { task: t, summary } = task(FIXTURE);
    const rows = [...fixtureRows().values()];
    const train = splitSequences(160, 0.2, 1).train.flatMap((i) => rows[i]!);
    const mean = (k: 'f1' | 'f2'): number => train.reduce((a, r) => a + r[k], 0) / train.length;
    const std = (k: 'f1' | 'f2'): number => Math.sqrt(train.reduce((a, r) => a + (r[k] - mean(k)) ** 2, 0) / train.length);
    expect(summary.mean[0]).toBeCloseTo(mean('f1'), 6);
    expect(summary.mean[1]).toBeCloseTo(mean('f2'), 6);
    expect(summary.std[0]).toBeCloseTo(std('f1'), 6);
    expect(summary.std[1]).toBeCloseTo(std('f2'), 6);
    // Test rows scaled by 100 change nothing of the statistics.
    const test = new Set(splitSequences(160, 0.2, 1).test.map((i) => `s${String(i).padStart(3, '0')}`));
    const scaled = FIXTURE.split('\n').map((line) => {
      const f = line.split(',');
      return test.has(f[0]!) ? [f[0], f[1], Number(f[2]) * 100, Number(f[3]) * 100, f[4]].join(',') : line;
    });
    const other = task(scaled.join('\n')).summary;
    expect(other.mean).toEqual(summary.mean);
    expect(other.std).toEqual(summary.std);
    // A test batch holds (value − mean) / std.
    const first = splitSequences(160, 0.2, 1).test[0]!;
    const b = t.evalBatch('test', 0, 1)!;
    expect(b.data.x![0]).toBeCloseTo((rows[first]![0]!.f1 - mean('f1')) / std('f1'), 5);
    expect(b.data.x![1]).toBeCloseTo((rows[first]![0]!.f2 - mean('f2')) / std('f2'), 5);
    // normalize false keeps the values as read.
    expect(task(FIXTURE, { params: { normalize: false } }).task.evalBatch('test', 0, 1)!.data.x![0]).toBeCloseTo(rows[first]![0]!.f1, 5);
  });

  it('orders each sequence’s rows by the time column, whatever their order in the file', () => {
    const rng = new Rng(4);
    const lines = FIXTURE.trim().split('\n');
    const bySeq = new Map<string, string[]>();
    for (const l of lines.slice(1)) bySeq.set(l.split(',')[0]!, [...(bySeq.get(l.split(',')[0]!) ?? []), l]);
    const shuffled = [lines[0]!, ...[...bySeq.values()].flatMap((rows) => rng.shuffle([...rows]))].join('\n');
    expect(shuffled).not.toBe(FIXTURE.trim());
    expect(allTest(task(shuffled).task)).toEqual(allTest(task(FIXTURE).task));
    // Without the time column the rows' order counts, and the shuffled file reads differently.
    expect(allTest(task(shuffled, { map: 'time=none,features=f1+f2' }).task)).not.toEqual(allTest(task(FIXTURE).task));
  });

  it('groups rows of a sequence that are not next to each other, and reads a byte-order mark and CRLF', () => {
    const text = '\uFEFFid,v,label\r\na,1,p\r\nb,5,q\r\na,2,p\r\nb,6,q\r\nc,7,q\r\nd,1,p\r\n';
    const { task: t, summary } = task(text, { map: 'id=id,time=none,per=sequence', params: { test_fraction: 0.25 } });
    expect(summary.sequences).toBe(4);
    expect(summary.lengths).toEqual([1, 2]);
    expect(summary.columns.map((c) => c.name)).toEqual(['id', 'v', 'label']);
    expect(t.trainLengths[1] + t.evalSplits[0]!.count).toBeGreaterThan(0);
  });

  it('gives a target per step with masks, and numbers to regress with mse', () => {
    const text = 'seq,x,y\na,1,0\na,2,1\na,3,1\nb,1,1\nb,0,0\nc,4,1\nc,5,0\nc,6,1\nc,7,0\n';
    const { task: t } = task(text, { map: 'per=step,kind=class', params: { test_fraction: 0.34, normalize: false } });
    expect(t.streams[1]).toEqual({ name: 'y', role: 'target', kind: 'tokens', vocab: 2, sequence: true, tokens: ['0', '1'] });
    const b = t.trainBatch(new Lcg(1), 4);
    expect(b.data.y!.length).toBe(4 * b.length);
    // Accuracy counts real steps only: logits that favour class 1 everywhere.
    const pred = new Float32Array(4 * b.length * 2);
    for (let i = 0; i < 4 * b.length; i++) pred[2 * i + 1] = 1;
    let ones = 0;
    let steps = 0;
    for (let i = 0; i < 4; i++) for (let s = 0; s < b.lengths[i]!; s++, steps++) if (b.data.y![i * b.length + s] === 1) ones++;
    expect(t.metric.score(b, pred)).toEqual({ total: ones, count: steps });

    const reg = task('id,x,y\na,1,0.5\na,2,0.5\nb,1,1.25\nb,3,1.25\nc,0,2\n', { params: { test_fraction: 0.34 } });
    expect(reg.task.streams[1]).toEqual({ name: 'y', role: 'target', kind: 'vector', size: 1, sequence: false });
    expect(reg.task.metric.name).toBe('mse');
    const rb = reg.task.trainBatch(new Lcg(2), 3);
    expect(reg.task.metric.score(rb, new Float32Array(3))).toEqual({ total: [...rb.data.y!].reduce((a, v) => a + v * v, 0), count: 3 });
  });

  it('scores accuracy per sequence from logits and describes an example', () => {
    const { task: t } = task(FIXTURE);
    const b = t.evalBatch('test', 0, 4)!;
    const pred = new Float32Array(8);
    for (let i = 0; i < 4; i++) pred[2 * i + b.data.y![i]!] = 1;
    expect(t.metric.score(b, pred)).toEqual({ total: 4, count: 4 });
    const d = t.describe(b, 0);
    expect(d.input).toMatch(/^\d+ steps: \(-?\d\.\d\d, -?\d\.\d\d\) /);
    expect(['neg', 'pos']).toContain(d.target);
  });

  it('refuses values that are not numbers, naming the line, the column and the value', () => {
    const text = 'seq,t,f1,f2,label\ns1,0,1,2,a\ns1,1,1,abc,a\ns2,0,,2,b\ns2,1,1,2,b\n';
    expect(messages(make(text, { map: 'features=f1+f2' }))).toEqual([
      'E485 d.csv line 3, column "f2": "abc" is not a number',
      'E485 d.csv line 4, column "f1": empty, but a number is needed',
    ]);
    // A column of numbers with a stray word is inferred numeric: a feature (or the time), and the word an error.
    const rows = Array.from({ length: 12 }, (_, i) => `s${i % 3},${i === 7 ? 'x' : i},${i === 10 ? '1,5' : i / 2},${i % 3}`);
    expect(messages(make(['seq,t,f1,label', ...rows].join('\n').replace('1,5', '"1,5"')))).toEqual([
      'E485 d.csv line 9, column "t": "x" is not a number',
      'E485 d.csv line 12, column "f1": "1,5" is not a number',
    ]);
    const many = 'id,v,label\n' + Array.from({ length: 14 }, (_, i) => `s${i % 2},n/a,${i % 2}`).join('\n');
    const m = messages(make(many, { map: 'features=v' }));
    expect(m).toHaveLength(11);
    expect(m[10]).toBe('E485 d.csv: 4 more values are not numbers, on lines 12, 13, 14, 15');
  });

  it('refuses a per-sequence target that changes within a sequence, an empty label, and too few sequences or classes', () => {
    const changing = 'seq,f,label\ns1,1,a\ns1,2,b\ns2,3,b\n';
    expect(messages(make(changing, { map: 'per=sequence' }))).toEqual([
      'E486 d.csv: the target "label" of sequence "s1" changes within it (line 2: "a", line 3: "b"); a target per sequence is one value on every row: map it with per=step for one target per row',
    ]);
    expect(messages(make('seq,f,label\ns1,1,a\ns2,3,\ns2,4,b\n', { map: 'per=step' }))).toEqual(['E485 d.csv line 3, column "label": empty, but every row needs a label']);
    expect(messages(make('seq,f,label\ns1,1,a\ns1,2,b\n', { map: 'per=step' }))).toEqual([
      'E487 d.csv holds 1 sequence (id column "seq"); training and testing need two at least: is id the right column?',
    ]);
    expect(messages(make('seq,f,label\ns1,1,a\ns2,2,a\n'))).toEqual(['E487 d.csv: target "label" has one class only ("a"); a classifier needs two at least']);
  });
});
