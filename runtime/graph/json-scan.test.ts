/** The JSON scanner that explains refusals: it must agree with JSON.parse, and place errors exactly. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scanJson } from './json-scan.ts';
import { nestsDeeperThan, utf8ByteLength } from './json-text.ts';

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** JSON text, sometimes broken: cut short, a character dropped or inserted. */
const jsonish = fc
  .tuple(fc.jsonValue().map((v) => JSON.stringify(v, null, 1)), fc.nat(), fc.constantFrom('cut', 'drop', 'insert', 'keep'), fc.string({ unit: 'binary', maxLength: 2 }))
  .map(([t, n, how, s]) => {
    const at = n % (t.length + 1);
    if (how === 'cut') return t.slice(0, at);
    if (how === 'drop') return t.slice(0, at) + t.slice(at + 1);
    if (how === 'insert') return t.slice(0, at) + s + t.slice(at);
    return t;
  });

describe('scanJson', () => {
  it('finds an error exactly when JSON.parse does', () => {
    fc.assert(
      fc.property(fc.oneof(jsonish, fc.string({ unit: fc.constantFrom(...'{}[]",:0123456789-.eE+ \ntruefalsnul\\u'.split('')), maxLength: 30 })), (text) => {
        expect(scanJson(text, Infinity) === undefined).toBe(parses(text));
      }),
      { numRuns: 2000 },
    );
  });

  it('gives line and column of the first error', () => {
    expect(scanJson('{\n  "a": 1,\n}', Infinity)).toMatchObject({ kind: 'syntax', line: 3, column: 1 });
    expect(scanJson('[1, 2', Infinity)).toMatchObject({ kind: 'syntax', line: 1, column: 6 });
    expect(scanJson('"abc', Infinity)).toMatchObject({ kind: 'syntax', line: 1, column: 1 });
    expect(scanJson('{"a": 01}', Infinity)).toMatchObject({ kind: 'syntax', line: 1, column: 7 });
    expect(scanJson('{} x', Infinity)).toMatchObject({ kind: 'syntax', line: 1, column: 4 });
  });

  it('names the path where nesting goes too deep, unless a syntax error comes first', () => {
    expect(scanJson('[[[]]]', 2)).toEqual({ kind: 'depth', path: [0, 0] });
    expect(scanJson('{"a": [1, {"b": {}}]}', 3)).toEqual({ kind: 'depth', path: ['a', 1, 'b'] });
    expect(scanJson('[x, [[[]]]]', 2)).toMatchObject({ kind: 'syntax' });
    expect(scanJson('[[[]]]', 3)).toBeUndefined();
  });
});

describe('helpers', () => {
  it('nestsDeeperThan skips brackets inside strings', () => {
    expect(nestsDeeperThan('["[[[[", "\\"[[["]', 1)).toBe(false);
    expect(nestsDeeperThan('[[["]"]]]', 2)).toBe(true);
  });

  it('utf8ByteLength matches TextEncoder', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        expect(utf8ByteLength(s)).toBe(new TextEncoder().encode(s).length);
      }),
      { numRuns: 500 },
    );
  });
});
