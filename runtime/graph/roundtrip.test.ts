/** Properties over generated documents: round trips through text and objects, and robustness to mutations. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CATALOGUE, type Result } from '../errors/catalogue.ts';
import { checkGraphObject, parseGraph } from './parse.ts';
import { serializeGraph } from './serialize.ts';
import { arbGraphDoc } from './testing/arbitrary.ts';
import { arbMutatedGraph } from './testing/mutate.ts';
import type { GraphDoc } from './types.ts';

const RUNS = { numRuns: 300 };
const codes = new Set(Object.keys(CATALOGUE));

/** What every refusal must look like, whatever the input. */
function wellFormed(r: Result<GraphDoc>): void {
  if (r.ok) return;
  expect(r.errors.length).toBeGreaterThan(0);
  for (const e of r.errors) {
    expect(codes.has(e.code), e.code).toBe(true);
    expect(typeof e.message === 'string' && e.message.length > 0).toBe(true);
    expect(e.path?.startsWith('$'), String(e.path)).toBe(true);
  }
}

describe('round trips', () => {
  it('parseGraph(serializeGraph(g)) equals g', () => {
    fc.assert(
      fc.property(arbGraphDoc(), (g) => {
        const r = parseGraph(serializeGraph(g));
        if (!r.ok) throw new Error(JSON.stringify(r.errors));
        expect(r.value).toEqual(g);
      }),
      RUNS,
    );
  });

  it('reading UTF-8 bytes gives the same document as reading text', () => {
    fc.assert(
      fc.property(arbGraphDoc(), (g) => {
        expect(parseGraph(new TextEncoder().encode(serializeGraph(g)))).toEqual({ ok: true, value: g });
      }),
      RUNS,
    );
  });

  it('checkGraphObject(g) equals g', () => {
    fc.assert(
      fc.property(arbGraphDoc(), (g) => {
        expect(checkGraphObject(g)).toEqual({ ok: true, value: g });
      }),
      RUNS,
    );
  });

  it('serializing is stable: serialize(parse(serialize(g))) is the same text', () => {
    fc.assert(
      fc.property(arbGraphDoc(), (g) => {
        const text = serializeGraph(g);
        const again = parseGraph(text);
        expect(again.ok && serializeGraph(again.value)).toBe(text);
      }),
      RUNS,
    );
  });
});

describe('mutated documents', () => {
  it('never make parseGraph or checkGraphObject throw, and every error is well formed', () => {
    fc.assert(
      fc.property(arbMutatedGraph(), (m) => {
        wellFormed(parseGraph(m.text));
        wellFormed(parseGraph(new TextEncoder().encode(m.text)));
        if (m.object !== undefined) wellFormed(checkGraphObject(m.object));
      }),
      { numRuns: 1000 },
    );
  });

  it('the text and object readings of a mutated document agree', () => {
    fc.assert(
      fc.property(arbMutatedGraph(), (m) => {
        if (m.object === undefined) return;
        expect(checkGraphObject(m.object)).toEqual(parseGraph(m.text));
      }),
      RUNS,
    );
  });

  it('never throw on arbitrary JSON or arbitrary text', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.string({ unit: 'binary', maxLength: 200 }), (v, s) => {
        wellFormed(checkGraphObject(v));
        wellFormed(parseGraph(JSON.stringify(v) ?? ''));
        wellFormed(parseGraph(s));
      }),
      RUNS,
    );
  });

  it('never throw on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (b) => wellFormed(parseGraph(b))),
      RUNS,
    );
  });
});
