import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CATALOGUE } from '../errors/catalogue.ts';
import { analyzeGraph } from './validate.ts';
import { graphDoc } from './test-arbitraries.ts';

const settings = { numRuns: 400, seed: 20_251_127 };

describe('analyzeGraph on random graphs', () => {
  it('never throws, and reports only catalogue errors with a message', () => {
    fc.assert(
      fc.property(graphDoc, (doc) => {
        const a = analyzeGraph(doc, { purpose: 'inference' });
        expect(a.ok).toBe(a.errors.length === 0);
        for (const e of [...a.errors, ...a.warnings]) {
          expect(Object.hasOwn(CATALOGUE, e.code)).toBe(true);
          expect(e.code).not.toBe('E219'); // no block rule blew up
          expect(e.message.length).toBeGreaterThan(0);
          if (e.path !== undefined) expect(e.path).toMatch(/^\$/);
        }
      }),
      settings,
    );
  });

  it('is deterministic', () => {
    fc.assert(
      fc.property(graphDoc, (doc) => {
        expect(analyzeGraph(doc)).toEqual(analyzeGraph(doc));
      }),
      { ...settings, numRuns: 100 },
    );
  });

  it('gives a valid graph an order that follows every wire, with loops contiguous, and types every edge', () => {
    fc.assert(
      fc.property(graphDoc, (doc) => {
        const a = analyzeGraph(doc, { purpose: 'inference' });
        // The order is complete even for invalid graphs.
        expect([...a.order].sort()).toEqual(doc.nodes.map((n) => n.id).sort());
        if (!a.ok) return;
        const pos = new Map(a.order.map((id, i) => [id, i]));
        doc.edges.forEach((e, k) => {
          expect(a.edgeTypes[k]).toBeDefined();
          if (a.recurrentEdges.includes(k)) {
            expect(e.to.endsWith('.in') && doc.nodes.find((n) => `${n.id}.in` === e.to)?.type === 'delay').toBe(true);
            return;
          }
          expect(pos.get(e.from.split('.')[0]!)!).toBeLessThan(pos.get(e.to.split('.')[0]!)!);
        });
        for (const l of a.loops.values()) {
          for (const id of l.nodes) expect(a.nodeLoop.get(id)).toBe(l.id);
          if (l.nodes.length === 0) continue;
          const start = pos.get(l.nodes[0]!)!;
          expect(a.order.slice(start, start + l.nodes.length)).toEqual(l.nodes);
        }
      }),
      settings,
    );
  });
});
