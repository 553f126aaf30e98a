import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Result } from '../errors/catalogue.ts';
import { inferColumns, parseNumber } from './columns.ts';
import { parseCsv, type CsvTable } from './csv-parse.ts';
import { formatMapping, parseMapping, resolveMapping, type ColumnMapping, type ResolvedMapping } from './mapping.ts';

const fixture = readFileSync(new URL('./fixtures/two-feature-sequences.csv', import.meta.url), 'utf8');
const table = (text: string): CsvTable => {
  const r = parseCsv('d.csv', text);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.value;
};
const resolve = (text: string, given: ColumnMapping = {}): Result<ResolvedMapping> => {
  const t = table(text);
  return resolveMapping('d.csv', t, inferColumns(t), given);
};
const messages = (r: Result<unknown>): string[] => (r.ok ? [] : r.errors.map((e) => `${e.code} ${e.message}`));

describe('column types', () => {
  it('reads numbers strictly', () => {
    expect(['1', ' -2.5 ', '.5', '1e3', '+4.', '3E-2'].map(parseNumber)).toEqual([1, -2.5, 0.5, 1000, 4, 0.03]);
    expect(['', 'abc', 'NaN', 'Infinity', '1e999', '0x10', '1,5', '1.2.3'].map(parseNumber)).toEqual(Array(8).fill(undefined));
  });

  it('infers numeric, categorical and id-like columns', () => {
    const cols = inferColumns(table(fixture));
    expect(cols.map((c) => [c.name, c.type])).toEqual([
      ['seq', 'id'],
      ['t', 'numeric'],
      ['f1', 'numeric'],
      ['f2', 'numeric'],
      ['label', 'categorical'],
    ]);
    expect(cols[0]!.distinct).toBe(160);
    expect(cols[0]!.grouped).toBe(true);
    expect(cols[1]!.integer).toBe(true);
    expect(cols[4]!.examples).toEqual(['pos', 'neg']);
    // A column of numbers with a stray word is still a numeric column (the word is an error later).
    expect(inferColumns(table('run,x\n1,1\n1,2\n2,3\n2,oops\n2,5\n2,6\n3,7\n3,8\n3,9\n3,10\n3,11\n'))[1]!).toMatchObject({ type: 'numeric', numeric: true, numbers: 10, filled: 11 });
    // Whole numbers in runs, unnamed: ids.
    expect(inferColumns(table('a,b\n0,1.5\n0,2.5\n1,3.5\n1,4.5\n'))[0]!.type).toBe('id');
  });
});

describe('the --map syntax', () => {
  it('parses every key, @node and quoted names, and formats back', () => {
    const text = 'id=seq,time=t,features=f1+"a,b"+"say ""x"""@inp,target=label@out,per=step,kind=number';
    const r = parseMapping(text);
    expect(r).toEqual({
      ok: true,
      value: { id: 'seq', time: 't', features: ['f1', 'a,b', 'say "x"'], input: 'inp', target: 'label', output: 'out', per: 'step', kind: 'number' },
    });
    if (r.ok) expect(parseMapping(formatMapping(r.value))).toEqual(r);
    expect(parseMapping('time=none')).toEqual({ ok: true, value: { time: null } });
    expect(parseMapping('time="none"')).toEqual({ ok: true, value: { time: 'none' } });
    expect(parseMapping(' id = s , ')).toEqual({ ok: true, value: { id: 's' } });
  });

  it('refuses unknown keys, repeats, empty values and bad choices, all at once', () => {
    expect(messages(parseMapping('ids=s,per=row,kind=float,id=a,id=b,target=a+b,features=x@1y,time='))).toEqual([
      'E486 --map: unknown key "ids" in "ids=s"; the keys are id, time, features, target, per, kind (e.g. id=seq,time=t,features=a+b,target=label)',
      'E486 --map per=row: per is sequence (one target per sequence) or step (one per row)',
      'E486 --map kind=float: kind is class (labels: cross-entropy, accuracy) or number (values: mse)',
      'E486 --map: id is given twice',
      'E486 --map target=a+b: one target column, not 2',
      'E486 --map features=x@1y: "1y" after @ is not a node id (letters, digits, _ and -, not starting with a digit)',
      'E486 --map: time has no value; write time=…',
    ]);
    expect(messages(parseMapping('features=a+"b'))).toEqual(['E486 --map features=a+"b: "\\"b" is not a column name (quote names that hold , = + @ or ")']);
  });
});

describe('resolving a mapping against a table', () => {
  it('infers the fixture’s mapping: id seq, time t, features f1 f2, a class label per sequence', () => {
    expect(resolve(fixture)).toEqual({
      ok: true,
      value: { id: 'seq', time: 't', features: ['f1', 'f2'], target: 'label', input: 'x', output: 'y', per: 'sequence', kind: 'class', inferred: ['target', 'id', 'time', 'features', 'kind', 'per', 'input', 'output'] },
    });
  });

  it('keeps what is given and infers the rest', () => {
    const r = resolve(fixture, { features: ['f1'], time: null, output: 'label_node' });
    expect(r.ok && r.value).toMatchObject({ id: 'seq', time: null, features: ['f1'], target: 'label', output: 'label_node', inferred: ['target', 'id', 'kind', 'per', 'input'] });
  });

  it('infers a target per step, and numbers to regress', () => {
    const perStep = resolve('series,value,next\na,1,2\na,2,3\na,3,1\nb,5,6\nb,6,5\n');
    expect(perStep.ok && perStep.value).toMatchObject({ id: 'series', features: ['value'], target: 'next', per: 'step', kind: 'class' });
    const numbers = resolve('id,x,y\na,1,0.5\na,2,0.5\nb,1,1.25\nb,3,1.25\n');
    expect(numbers.ok && numbers.value).toMatchObject({ id: 'id', target: 'y', per: 'sequence', kind: 'number' });
  });

  it('finds an unnamed id column by its runs of rows', () => {
    const r = resolve('who,a,b,out\nk,1,2,u\nk,3,4,u\nm,5,6,v\nm,7,8,v\n');
    expect(r.ok && r.value).toMatchObject({ id: 'who', features: ['a', 'b'], target: 'out' });
  });

  it('refuses unknown columns (listing them), a column mapped twice, and a file with no id', () => {
    expect(messages(resolve(fixture, { id: 'sequence', features: ['f1', 'f3'] }))).toEqual([
      'E486 d.csv has no column "sequence" (the id of the mapping); its columns are "seq", "t", "f1", "f2", "label"',
      'E486 d.csv has no column "f3" (the features of the mapping); its columns are "seq", "t", "f1", "f2", "label"',
    ]);
    expect(messages(resolve(fixture, { id: 'seq', features: ['f1', 'seq'] }))).toEqual(['E486 d.csv: column "seq" is mapped twice (id and features); each column plays one part']);
    expect(messages(resolve('a,b\n1,x\n2,y\n3,z\n'))).toEqual([
      'E486 d.csv: no column looks like a sequence id (a name like id or seq, or values that each fill one run of rows); say which column tells the sequences apart with id=COLUMN',
    ]);
    expect(messages(resolve('seq,name,label\na,u,1\nb,v,2\n'))).toEqual(['E486 d.csv: no column of numbers is left for the features (id seq, target label); say which with features=A+B']);
  });
});
