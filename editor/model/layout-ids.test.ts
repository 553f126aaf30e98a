// Regression tests: node ids that are Object.prototype names (`constructor`, `toString`, `valueOf`, `__proto__`) are valid
// (ID_PATTERN) and parse. They once crashed buildFlow during render (dagre/graphlib keep nodes in plain objects), which
// left a blank page that the autosaved draft brought back on every reload; auto-layout (L) threw, and a node renamed
// `__proto__` could not be moved (its position was written with `positions[id] = …` on `{}`).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseGraph } from '../../runtime/graph/parse.ts';
import { analyzeGraph } from '../../runtime/validate/validate.ts';
import { autoLayout, buildFlow } from '../flow-model.ts';
import { edit, startHistory } from './history.ts';
import { buildUnrolledFlow } from './unrolled-flow.ts';

function lstmWithCellNamed(id: string, positions: boolean) {
  const j = JSON.parse(readFileSync(new URL('../../examples/lstm.json', import.meta.url), 'utf8')) as {
    nodes: { id: string; position?: unknown }[];
    edges: { from: string; to: string }[];
  };
  j.nodes.find((n) => n.id === 'lstm')!.id = id;
  j.edges = j.edges.map((e) => ({ ...e, from: e.from.replace(/^lstm\./, `${id}.`), to: e.to.replace(/^lstm\./, `${id}.`) }));
  if (!positions) for (const n of j.nodes) delete n.position;
  const parsed = parseGraph(JSON.stringify(j));
  if (!parsed.ok) throw new Error(`does not parse: ${parsed.errors[0]?.message}`);
  return parsed.value;
}

describe('node ids that are Object.prototype names', () => {
  for (const id of ['constructor', 'toString', 'valueOf', 'hasOwnProperty', '__proto__']) {
    it(`a graph without positions with a node ${id} is drawn, the node where auto-layout puts it`, () => {
      const doc = lstmWithCellNamed(id, false);
      const analysis = analyzeGraph(doc);
      expect(analysis.ok).toBe(true);
      const flow = buildFlow(doc, analysis, analysis.errors);
      const node = flow.nodes.find((n) => n.id === id);
      expect(node?.type).toBe('block');
      expect(Number.isFinite(flow.absolute.get(id)?.x)).toBe(true);
      expect(Number.isFinite(flow.absolute.get(id)?.y)).toBe(true);
    });

    it(`auto-layout (L) places a node ${id}, and the move is applied to it`, () => {
      const doc = lstmWithCellNamed(id, true);
      const layout = autoLayout(doc, analyzeGraph(doc));
      expect(Object.hasOwn(layout, id)).toBe(true);
      expect(Object.keys(layout).sort()).toEqual(doc.nodes.map((n) => n.id).sort());
      const r = edit(startHistory(doc, { kind: 'new', name: 'x' }), { type: 'moveNodes', positions: layout });
      if (!r.ok) throw new Error(r.error);
      expect(r.history.doc.nodes.find((n) => n.id === id)?.position).toEqual(layout[id]);
    });

    it(`the unrolled view counts the copies of a node ${id}`, () => {
      const doc = lstmWithCellNamed(id, true);
      const res = buildUnrolledFlow(doc, analyzeGraph(doc), 3, new Set([id]));
      if (!res.ok) throw new Error(res.message);
      expect(Object.hasOwn(res.flow.copies, id)).toBe(true);
      expect(res.flow.copies[id]).toBe(3);
      expect(typeof res.flow.marks[id]).toBe('number');
    });
  }

  for (const id of ['__proto__', 'constructor', 'toString']) {
    it(`an input and a loop named ${id} (the unrolled view's sequence lengths are keyed by them) are drawn and unrolled`, () => {
      const j = JSON.parse(readFileSync(new URL('../../examples/lstm.json', import.meta.url), 'utf8')) as {
        nodes: { id: string; loop?: string }[];
        edges: { from: string; to: string }[];
        loops: { id: string; over: string }[];
      };
      const rename = (endpoint: string) => endpoint.replace(/^x\./, `${id}.`);
      j.nodes.find((n) => n.id === 'x')!.id = id;
      j.edges = j.edges.map((e) => ({ ...e, from: rename(e.from), to: rename(e.to) }));
      j.loops = [{ id, over: id }];
      for (const n of j.nodes) if (n.loop !== undefined) n.loop = id;
      const parsed = parseGraph(JSON.stringify(j));
      if (!parsed.ok) throw new Error(parsed.errors[0]!.message);
      const analysis = analyzeGraph(parsed.value);
      expect(analysis.errors).toEqual([]);
      expect(buildFlow(parsed.value, analysis, analysis.errors).frames).toEqual([id]);
      const res = buildUnrolledFlow(parsed.value, analysis, 3, new Set());
      expect(res.ok ? res.flow.copies.lstm : res.message).toBe(3);
    });
  }
});
