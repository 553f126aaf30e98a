import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Result } from '../errors/catalogue.ts';
import { createDatasetTask, previewData, readerOfName, resolveDatasetParams, sourceParamsFor, type CsvPreview, type DataSource, type TextPreview } from './dataset.ts';

const FIXTURE = readFileSync(new URL('./fixtures/two-feature-sequences.csv', import.meta.url));
const enc = (text: string): Uint8Array => new TextEncoder().encode(text);
const messages = (r: Result<unknown>): string[] => (r.ok ? [] : r.errors.map((e) => `${e.code}${e.path !== undefined ? ` ${e.path}` : ''} ${e.message}`));
const csv = (extra: Partial<DataSource> = {}): DataSource => ({ name: 'seqs.csv', bytes: FIXTURE, ...extra });

describe('the dataset task’s params', () => {
  it('picks the reader by the file’s extension, or by the reader param', () => {
    expect(['a.csv', 'B.TSV', 'c.txt', 'd.text', 'e.md', 'f.json', 'noext', 'dir.csv/x'].map(readerOfName)).toEqual(['csv', 'csv', 'text', 'text', 'text', undefined, undefined, undefined]);
    expect(messages(resolveDatasetParams({ name: 'data.json', bytes: enc('x') }))).toEqual([
      'E488 cannot tell how to read data.json: name it .csv, .tsv or .txt, or set the dataset task\'s param reader to "csv" or "text"',
    ]);
    const r = resolveDatasetParams({ name: 'data.json', bytes: enc('x'), params: { reader: 'text' } });
    expect(r.ok && r.value.reader).toBe('text');
  });

  it('fills in defaults per reader: test_fraction 0.1 for text, 0.2 for csv; a .tsv is split at tabs', () => {
    const t = resolveDatasetParams({ name: 'a.txt', bytes: enc('x') });
    expect(t.ok && t.value.params).toEqual({ reader: 'text', unit: 'char', length: 100, vocab_size: 1000, test_fraction: 0.1, seed: 1, delimiter: 'auto', normalize: true });
    const c = resolveDatasetParams({ name: 'a.csv', bytes: enc('x') });
    expect(c.ok && c.value.params.test_fraction).toBe(0.2);
    const tsv = resolveDatasetParams({ name: 'a.tsv', bytes: enc('x') });
    expect(tsv.ok && tsv.value.params.delimiter).toBe('tab');
  });

  it('takes the graph’s task params, the source’s winning, and the source’s map over the map param', () => {
    const r = resolveDatasetParams({ name: 'a.csv', bytes: enc('x'), params: { seed: 5 }, map: 'id=k' }, { seed: 2, test_fraction: 0.3, map: 'id=j,target=z' });
    expect(r.ok && r.value).toEqual({ reader: 'csv', params: expect.objectContaining({ seed: 5, test_fraction: 0.3 }), mapping: { id: 'k' } });
    const p = resolveDatasetParams({ name: 'a.csv', bytes: enc('x') }, { map: 'id=j,target=z' });
    expect(p.ok && p.value.mapping).toEqual({ id: 'j', target: 'z' });
    const o = resolveDatasetParams({ name: 'a.csv', bytes: enc('x'), map: { id: 'q', per: 'step' } });
    expect(o.ok && o.value.mapping).toEqual({ id: 'q', per: 'step' });
  });

  it('refuses unknown params and bad values with paths into the graph, and a map for a text file', () => {
    expect(messages(resolveDatasetParams({ name: 'a.csv', bytes: enc('x') }, { lenght: 5, unit: 'byte', test_fraction: 0.9, map: 3 }))).toEqual([
      'E421 $.task.params.lenght task dataset has no param "lenght": its params are reader, unit, length, vocab_size, test_fraction, seed, delimiter, normalize, map',
      'E422 $.task.params.unit task dataset param unit must be one of "char", "word", got "byte"',
      'E422 $.task.params.test_fraction task dataset param test_fraction must be between 0.01 and 0.5, got 0.9',
      'E422 $.task.params.map task dataset param map must be a string like "id=seq,features=a+b,target=label", got 3',
    ]);
    expect(messages(resolveDatasetParams({ name: 'a.txt', bytes: enc('x'), map: 'id=s' }))).toEqual(['E486 a.txt is read as text, which has no columns to map: leave out --map, or read it as csv']);
    expect(messages(createDatasetTask(csv({ map: 'idd=seq' })))[0]).toMatch(/^E486 --map: unknown key "idd"/);
  });

  it('refuses a file over the size budget before reading it', () => {
    expect(messages(createDatasetTask(csv({ limit: 1000 })))).toEqual([
      `E480 seqs.csv is ${FIXTURE.length.toLocaleString('en-US')} bytes (${(FIXTURE.length / 1024).toFixed(1)} KiB); a data file may be at most 1,000 bytes: use a sample of it, or split it`,
    ]);
  });
});

describe('previewing a file (what the editor’s mapping dialog shows)', () => {
  it('gives a CSV’s first rows with their lines, the columns’ types, the inferred mapping and the streams', () => {
    const r = previewData(csv(), undefined, 3);
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    const p = r.value as CsvPreview;
    expect(p.reader).toBe('csv');
    expect(p.rows).toEqual([
      { line: 2, fields: ['s000', '0', '0.421', '3.910', 'pos'] },
      { line: 3, fields: ['s000', '1', '-0.371', '4.853', 'pos'] },
      { line: 4, fields: ['s000', '2', '1.094', '5.382', 'pos'] },
    ]);
    expect(p.rowCount).toBe(1717);
    expect(p.columns.map((c) => c.type)).toEqual(['id', 'numeric', 'numeric', 'numeric', 'categorical']);
    expect(p.mapping).toMatchObject({ id: 'seq', time: 't', features: ['f1', 'f2'], target: 'label', per: 'sequence', kind: 'class' });
    expect(p.summary!.streams.map(sourceParamsFor)).toEqual([
      { kind: 'vector', size: 2 },
      { kind: 'tokens', vocab: 2, sequence: false },
    ]);
    expect(p.problems).toEqual([]);
  });

  it('keeps the preview when the mapping or the values are at fault, and lists the problems beside it', () => {
    const text = 'seq,t,f1,label\ns1,0,1,a\ns1,1,oops,a\ns2,0,2,b\n';
    const r = previewData({ name: 'p.csv', bytes: enc(text), map: 'features=f1' });
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    expect(r.value.problems.map((e) => e.message)).toEqual(['p.csv line 3, column "f1": "oops" is not a number']);
    expect((r.value as CsvPreview).rows).toHaveLength(3);
    const bad = previewData({ name: 'p.csv', bytes: enc(text), map: 'id=nope' });
    expect(bad.ok && bad.value.problems.map((e) => e.code)).toEqual(['E486']);
    expect(bad.ok && (bad.value as CsvPreview).mapping).toBeUndefined();
  });

  it('fails for files that cannot be read at all', () => {
    expect(messages(previewData({ name: 'r.csv', bytes: enc('a,b\n1\n') }))).toEqual(['E484 r.csv line 2: 1 field, but the header (line 1) has 2']);
    expect(messages(previewData({ name: 'e.txt', bytes: new Uint8Array(0) }))).toEqual(['E481 e.txt is empty (0 bytes)']);
  });

  it('previews a text file: counts, vocabulary, a sample', () => {
    const r = previewData({ name: 't.txt', bytes: enc('hello world\n'.repeat(50)), params: { length: 20 } });
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    const p = r.value as TextPreview;
    expect(p.summary).toMatchObject({ tokens: 600, vocab: 11, sample: 'hello world\nhello world\nhello world\nhell' });
    expect(p.summary!.streams.map(sourceParamsFor)).toEqual([{ kind: 'tokens', vocab: 11 }, { kind: 'tokens', vocab: 11 }]);
  });
});
