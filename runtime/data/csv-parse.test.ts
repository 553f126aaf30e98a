import { describe, expect, it } from 'vitest';
import type { Result } from '../errors/catalogue.ts';
import { parseCsv, sniffDelimiter, type CsvTable } from './csv-parse.ts';

const ok = (r: Result<CsvTable>): CsvTable => {
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.value;
};
const messages = (r: Result<unknown>): string[] => (r.ok ? [] : r.errors.map((e) => `${e.code} ${e.message}`));

describe('CSV parser (RFC 4180)', () => {
  it('reads a header and rows, each row with its line', () => {
    const t = ok(parseCsv('a.csv', 'seq,t,x\ns1,0,1.5\ns1,1,2\n'));
    expect(t.columns).toEqual(['seq', 't', 'x']);
    expect(t.rows).toEqual([['s1', '0', '1.5'], ['s1', '1', '2']]);
    expect([...t.lines]).toEqual([2, 3]);
    expect(t.headerLine).toBe(1);
    expect(t.delimiter).toBe(',');
  });

  it('reads quoted fields with commas, doubled quotes and line breaks, and keeps later line numbers right', () => {
    const text = 'id,note,v\r\na,"one, two",1\r\nb,"say ""hi""",2\r\nc,"line one\nline two\nline three",3\r\nd,,4';
    const t = ok(parseCsv('q.csv', text));
    expect(t.rows).toEqual([
      ['a', 'one, two', '1'],
      ['b', 'say "hi"', '2'],
      ['c', 'line one\nline two\nline three', '3'],
      ['d', '', '4'],
    ]);
    // The quoted field of row c spans lines 4–6, so row d is on line 7.
    expect([...t.lines]).toEqual([2, 3, 4, 7]);
  });

  it('skips blank lines, keeps an empty last field, and names unnamed columns', () => {
    const t = ok(parseCsv('b.csv', '\n,a,b\n\n0,1,\n\n1,2,3\n\n'));
    expect(t.columns).toEqual(['column1', 'a', 'b']);
    expect(t.rows).toEqual([['0', '1', ''], ['1', '2', '3']]);
    expect([...t.lines]).toEqual([4, 6]);
    expect(t.headerLine).toBe(2);
    expect(ok(parseCsv('c.csv', 'a,b\n1,')).rows).toEqual([['1', '']]);
  });

  it('sniffs semicolons and tabs from the header, outside quotes', () => {
    expect(sniffDelimiter('a;b;c\n1,5;2,5;3\n')).toBe(';');
    expect(sniffDelimiter('a\tb\n1\t2\n')).toBe('\t');
    expect(sniffDelimiter('"a;b;c",d\n')).toBe(',');
    expect(ok(parseCsv('s.csv', 'a;b\n1,5;2\n')).rows).toEqual([['1,5', '2']]);
    expect(ok(parseCsv('t.tsv', 'a,b\tc\n1\t2\n', '\t')).columns).toEqual(['a,b', 'c']);
  });

  it('refuses ragged rows, naming each line, its field count and the header’s', () => {
    const r = parseCsv('r.csv', 'seq,t,x,y\ns1,0,1,2\ns1,1,1\ns1,2,1,2,3\n"s\n2",0,1,2\ns2,1\n');
    expect(messages(r)).toEqual([
      'E484 r.csv line 3: 3 fields, but the header (line 1) has 4',
      'E484 r.csv line 4: 5 fields, but the header (line 1) has 4',
      'E484 r.csv line 7: 2 fields, but the header (line 1) has 4',
    ]);
  });

  it('lists ten ragged rows, then counts the rest with their lines', () => {
    const text = 'a,b\n' + Array.from({ length: 14 }, (_, i) => `${i}`).join('\n') + '\n';
    const m = messages(parseCsv('many.csv', text));
    expect(m).toHaveLength(11);
    expect(m[0]).toBe('E484 many.csv line 2: 1 field, but the header (line 1) has 2');
    expect(m[10]).toBe('E484 many.csv: 4 more rows have a number of fields other than 2, on lines 12, 13, 14, 15');
  });

  it('refuses a quote that is never closed, at the line it opens', () => {
    expect(messages(parseCsv('u.csv', 'a,b\n1,2\n3,"4\n5,6\n'))).toEqual(['E483 u.csv line 3: a quoted field opens here and is never closed (a " is missing)']);
  });

  it('refuses text after a closing quote, tolerating spaces', () => {
    expect(messages(parseCsv('x.csv', 'a,b\n"1"x,2\n'))).toEqual(['E483 x.csv line 2: field 1 has text after its closing quote ("x"); quote the whole field and double any quote inside it']);
    expect(ok(parseCsv('y.csv', 'a,b\n"1"  ,2\n')).rows).toEqual([['1', '2']]);
  });

  it('keeps a quote inside an unquoted field as it is', () => {
    expect(ok(parseCsv('i.csv', 'size,n\n5" screen,2\n')).rows).toEqual([['5" screen', '2']]);
  });

  it('refuses a column name used twice, a file of blank lines, and a header without rows', () => {
    expect(messages(parseCsv('d.csv', 'a,b,a\n1,2,3\n'))).toEqual(['E483 d.csv line 1: column name "a" is used twice (columns 1 and 3); every column needs a name of its own']);
    expect(messages(parseCsv('w.csv', '\n \n\n'))).toEqual(['E481 w.csv has no text: every line is blank']);
    expect(messages(parseCsv('h.csv', '\nseq,t,x\n\n'))).toEqual(['E481 h.csv has a header (line 2) but no rows of data']);
  });
});
