import { describe, expect, it } from 'vitest';
import type { Result } from '../errors/catalogue.ts';
import { bitsPerTokenMetric, charlmBitsPerChar } from '../tasks/charlm.ts';
import { Lcg } from '../tasks/test-helpers.ts';
import type { Batch, Task } from '../tasks/types.ts';
import { createDatasetTask, type DataSource, type DatasetSummary } from './dataset.ts';
import type { TextSummary } from './text-task.ts';

const enc = (text: string): Uint8Array => new TextEncoder().encode(text);
const make = (text: string, params: DataSource['params'] = {}, name = 'book.txt'): Result<{ task: Task; summary: DatasetSummary }> =>
  createDatasetTask({ name, bytes: enc(text), params });
function task(text: string, params: DataSource['params'] = {}): { task: Task; summary: TextSummary } {
  const r = make(text, params);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.value as { task: Task; summary: TextSummary };
}
const messages = (r: Result<unknown>): string[] => (r.ok ? [] : r.errors.map((e) => `${e.code} ${e.message}`));
const row = (t: Task, b: Batch, name: string, i: number): string => Array.from(b.data[name]!.subarray(i * b.length, (i + 1) * b.length), (id) => t.streams[0]!.tokens![id]).join('');

/** 2,000 characters of a small alphabet, a few rarer letters, and one 'Z' only in the last tenth. */
const TEXT = Array.from({ length: 1990 }, (_, i) => 'abcab cab\n'[i % 10] + (i % 97 === 0 ? 'q' : '')).join('').slice(0, 1990) + 'xyzZZZZxyz';

describe('the text reader of the dataset task', () => {
  it('predicts the next character: y is x shifted by one, windows from the training part only', () => {
    const { task: t, summary } = task(TEXT, { length: 20 });
    expect(t.streams.map((s) => [s.name, s.role, s.kind, s.sequence])).toEqual([
      ['x', 'input', 'tokens', true],
      ['y', 'target', 'tokens', true],
    ]);
    const tokens = t.streams[0]!.tokens!;
    expect(tokens.slice(0, 2)).toEqual(['<pad>', '<unk>']);
    expect(tokens).toContain('␣');
    expect(tokens).toContain('⏎');
    expect(summary).toMatchObject({ reader: 'text', unit: 'char', tokens: 2000, trainTokens: 1800, validationTokens: 200 });
    const b = t.trainBatch(new Lcg(9), 32);
    expect(b.size).toBe(32);
    expect(b.length).toBe(20);
    expect([...b.lengths]).toEqual(Array(32).fill(20));
    const train = TEXT.slice(0, 1800).replace(/ /g, '␣').replace(/\n/g, '⏎');
    for (let i = 0; i < 32; i++) {
      const x = row(t, b, 'x', i);
      const y = row(t, b, 'y', i);
      expect(y.slice(0, -1)).toBe(x.slice(1));
      expect(train.includes(x + y.at(-1))).toBe(true);
    }
    expect(t.trainBatch(new Lcg(9), 32)).toEqual(b);
  });

  it('tiles the validation part (the end of the file, by position) with consecutive windows', () => {
    const { task: t } = task(TEXT, { length: 20 });
    const split = t.evalSplits[0]!;
    expect(split.name).toBe('validation');
    expect(split.count).toBe(Math.floor((2000 - 1 - 1800) / 20));
    let text = '';
    for (let i = 0; ; i++) {
      const b = t.evalBatch('validation', i, 3);
      if (b === undefined) break;
      for (let k = 0; k < b.size; k++) text += row(t, b, 'x', k);
    }
    // Z never occurs in the training part: it is unknown to the vocabulary.
    expect(text).toBe(TEXT.slice(1800, 1800 + 20 * split.count).replace(/ /g, '␣').replace(/\n/g, '⏎').replace(/Z/g, '<unk>'));
    expect(t.evalBatch('test', 0, 3)).toBeUndefined();
  });

  it('builds the vocabulary from the training part, capped: the rarest characters become unknown', () => {
    const full = task(TEXT, { length: 20 });
    expect(full.task.streams[0]!.tokens).not.toContain('Z');
    // x, y, z and Z occur only in the validation part.
    expect(full.summary.unknownInValidation).toBe(10);
    // a, b, c, space and newline are frequent; q is rare; x, y, z only at the end.
    const capped = task(TEXT, { length: 20, vocab_size: 7 });
    expect(capped.task.streams[0]!.vocab).toBe(7);
    expect(capped.task.streams[0]!.tokens).toEqual(['<pad>', '<unk>', '⏎', '␣', 'a', 'b', 'c']);
    expect(capped.summary.distinct).toBe(6);
    expect(capped.task.evalBatch('validation', 0, 1)!.data.x!.every((id) => id >= 1 && id < 7)).toBe(true);
  });

  it('reads words too, split at white space', () => {
    const text = Array.from({ length: 300 }, (_, i) => ['the', 'cat', 'sat', 'on', 'a', 'mat.'][i % 6] + (i % 7 === 6 ? '\n' : '  ')).join('');
    const { task: t, summary } = task(text, { unit: 'word', length: 5 });
    expect(summary).toMatchObject({ unit: 'word', tokens: 300, vocab: 8 });
    expect(t.streams[0]!.tokens).toEqual(['<pad>', '<unk>', 'a', 'cat', 'mat.', 'on', 'sat', 'the']);
    expect(t.metric.name).toBe('bpw');
    expect(t.describe(t.evalBatch('validation', 0, 1)!, 0).input.split(' ')).toHaveLength(5);
  });

  it('scores bits per character with charlm’s metric, and knows its unigram baseline', () => {
    const { task: t } = task(TEXT, { length: 20 });
    const b = t.evalBatch('validation', 0, 4)!;
    const V = t.streams[0]!.vocab!;
    const pred = Float32Array.from({ length: 4 * 20 * V }, (_, i) => Math.sin(i));
    let bits = 0;
    for (let i = 0; i < 80; i++) {
      const logits = pred.subarray(i * V, (i + 1) * V);
      const z = logits.reduce((a, v) => a + Math.exp(v), 0);
      bits -= Math.log2(Math.exp(logits[b.data.y![i]!]!) / z);
    }
    const ours = t.metric.score(b, pred);
    expect(ours.count).toBe(80);
    expect(ours.total).toBeCloseTo(bits, 6);
    expect(bitsPerTokenMetric(V).score(b, pred)).toEqual(ours);
    expect(t.metric.name).toBe(charlmBitsPerChar.name);
    // A uniform prediction scores log2(V) bits per character.
    expect(t.metric.score(b, new Float32Array(4 * 20 * V)).total / 80).toBeCloseTo(Math.log2(V), 5);
    expect(t.baseline!.value).toBeGreaterThan(0);
    expect(t.baseline!.doc).toMatch(/bits per character/);
  });

  it('reads CRLF as LF and code points as characters', () => {
    const { task: t } = task('ab😀\r\n'.repeat(200), { length: 10 });
    expect(t.streams[0]!.tokens).toEqual(['<pad>', '<unk>', '⏎', 'a', 'b', '😀']);
  });

  it('refuses an empty file, a file of white space (as words), and text too short for the length', () => {
    expect(messages(make(''))).toEqual(['E481 book.txt is empty (0 bytes)']);
    expect(messages(make('\uFEFF'))).toEqual(['E481 book.txt has no characters: it holds only a byte-order mark']);
    expect(messages(make(' \n\t \n', { unit: 'word' }))).toEqual(['E481 book.txt has no words: it holds only white space']);
    expect(messages(make('hello world\n'))).toEqual([
      'E487 book.txt has 12 characters; its training part (the first 10) must be longer than length 100 + 1: lower length (the graph\'s "task": {"name": "dataset", "params": {"length": …}}) or use a longer file',
    ]);
    expect(messages(make('x'.repeat(500), { length: 100, test_fraction: 0.1 }))).toEqual([
      'E487 book.txt: its validation part (the last 50 characters, test_fraction 0.1) is shorter than one window of length 100 + 1: lower length or raise test_fraction (the graph\'s "task": {"name": "dataset", "params": {…}})',
    ]);
  });
});
