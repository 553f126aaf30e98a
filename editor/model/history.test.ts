/**
 * The undo/redo model test: random sequences of edits (add, connect, delete, edit, paste, rename,
 * move) and undo/redo run against a simple model of history, a stack of whole-document snapshots.
 * Undo must give back exactly the previous snapshot, redo the next; a new edit empties redo;
 * undoing everything restores the start; the document always survives serialize → parse.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { blockRegistry, blockTypes } from '../../blocks/registry.ts';
import { parseGraph } from '../../runtime/graph/parse.ts';
import { serializeGraph } from '../../runtime/graph/serialize.ts';
import type { GraphDoc } from '../../runtime/graph/types.ts';
import type { Change } from './changes.ts';
import { fragmentOf, fragmentText, readFragment } from './clipboard.ts';
import { canRedo, canUndo, edit, redo, startHistory, undo, type History } from './history.ts';
import { baseIdFor, uniqueId } from './ids.ts';

function example(name: string): GraphDoc {
  const parsed = parseGraph(readFileSync(new URL(`../../examples/${name}.json`, import.meta.url)));
  if (!parsed.ok) throw new Error(`${name} does not parse`);
  return parsed.value;
}

interface Model {
  past: GraphDoc[];
  present: GraphDoc;
  future: GraphDoc[];
}
interface Real {
  h: History;
}

const pick = <T,>(xs: readonly T[], seed: number): T | undefined => (xs.length === 0 ? undefined : xs[seed % xs.length]);

function outputs(doc: GraphDoc): string[] {
  return doc.nodes.flatMap((n) => blockRegistry[n.type]!.outputs.map((p) => `${n.id}.${p.name}`));
}
function inputs(doc: GraphDoc): string[] {
  return doc.nodes.flatMap((n) => blockRegistry[n.type]!.inputs.map((p) => `${n.id}.${p.name}`));
}

function expectParses(doc: GraphDoc): void {
  const back = parseGraph(serializeGraph(doc));
  expect(back.ok, back.ok ? '' : JSON.stringify(back.errors.slice(0, 3))).toBe(true);
  if (back.ok) expect(back.value).toEqual(JSON.parse(JSON.stringify(doc)));
}

/** An edit command: the change is computed from the current document (which equals the model's). */
class EditCommand implements fc.Command<Model, Real> {
  constructor(
    readonly name: string,
    readonly make: (doc: GraphDoc) => Change | undefined,
    readonly after?: (before: GraphDoc, after: GraphDoc) => void,
  ) {}
  check(): boolean {
    return true;
  }
  run(m: Model, r: Real): void {
    expect(r.h.doc).toEqual(m.present);
    const change = this.make(r.h.doc);
    if (change === undefined) return;
    const res = edit(r.h, change);
    expect(res.ok, res.ok ? '' : `${this.name}: ${res.error}`).toBe(true);
    if (!res.ok) return;
    if (res.changed) {
      m.past.push(m.present);
      m.present = res.history.doc;
      m.future = [];
      // Redo after a new edit is empty.
      expect(canRedo(res.history)).toBe(false);
    }
    this.after?.(r.h.doc, res.history.doc);
    r.h = res.history;
    expectParses(r.h.doc);
  }
  toString(): string {
    return this.name;
  }
}

class UndoCommand implements fc.Command<Model, Real> {
  check = (): boolean => true;
  run(m: Model, r: Real): void {
    expect(canUndo(r.h)).toBe(m.past.length > 0);
    if (m.past.length === 0) return;
    r.h = undo(r.h);
    m.future.push(m.present);
    m.present = m.past.pop()!;
    expect(r.h.doc).toEqual(m.present);
    expectParses(r.h.doc);
  }
  toString = (): string => 'undo';
}

class RedoCommand implements fc.Command<Model, Real> {
  check = (): boolean => true;
  run(m: Model, r: Real): void {
    expect(canRedo(r.h)).toBe(m.future.length > 0);
    if (m.future.length === 0) return;
    r.h = redo(r.h);
    m.past.push(m.present);
    m.present = m.future.pop()!;
    expect(r.h.doc).toEqual(m.present);
    expectParses(r.h.doc);
  }
  toString = (): string => 'redo';
}

const seed = fc.nat({ max: 1000 });

const commands = [
  fc.tuple(seed, fc.integer({ min: -500, max: 1500 }), fc.integer({ min: -300, max: 900 })).map(
    ([t, x, y]) =>
      new EditCommand(
        `add(${t})`,
        (doc) => {
          const type = blockTypes[t % blockTypes.length]!;
          const id = uniqueId(baseIdFor(type), (s) => doc.nodes.some((n) => n.id === s));
          return { type: 'addNode', node: { id, type, position: { x, y } } };
        },
        (before, after) => expect(after.nodes.length).toBe(before.nodes.length + 1),
      ),
  ),
  fc.tuple(seed, seed).map(
    ([a, b]) =>
      new EditCommand(
        `connect(${a}, ${b})`,
        (doc) => {
          const from = pick(outputs(doc), a);
          const to = pick(inputs(doc), b);
          return from === undefined || to === undefined ? undefined : { type: 'connect', from, to };
        },
        (_before, after) => {
          // An input port never has two wires.
          const ends = after.edges.map((e) => e.to);
          expect(new Set(ends).size).toBe(ends.length);
        },
      ),
  ),
  fc.tuple(fc.array(seed, { minLength: 1, maxLength: 3 }), fc.array(seed, { maxLength: 2 })).map(
    ([ns, es]) =>
      new EditCommand(
        `delete(${ns.join(',')} / ${es.join(',')})`,
        (doc) => {
          const nodes = [...new Set(ns.map((s) => pick(doc.nodes, s)?.id).filter((x) => x !== undefined))];
          const edges = es.map((s) => pick(doc.edges, s)).filter((x) => x !== undefined);
          return nodes.length + edges.length === 0 ? undefined : { type: 'deleteElements', nodes, edges };
        },
        (_before, after) => {
          const ids = new Set(after.nodes.map((n) => n.id));
          for (const e of after.edges) {
            expect(ids.has(e.from.split('.')[0]!)).toBe(true);
            expect(ids.has(e.to.split('.')[0]!)).toBe(true);
          }
        },
      ),
  ),
  fc.tuple(seed, seed).map(
    ([n, v]) =>
      new EditCommand(`edit(${n}, ${v})`, (doc) => {
        const candidates = doc.nodes.flatMap((node) =>
          Object.entries(blockRegistry[node.type]!.params)
            .filter(([, d]) => d.kind === 'int' || d.kind === 'enum' || d.kind === 'bool')
            .map(([name, d]) => ({ node: node.id, name, d })),
        );
        const c = pick(candidates, n);
        if (c === undefined) return undefined;
        const d = c.d;
        const value = d.kind === 'int' ? d.min + (v % Math.min(100, d.max - d.min + 1)) : d.kind === 'enum' ? d.values[v % d.values.length]! : v % 2 === 0;
        return { type: 'setParam', node: c.node, param: c.name, value };
      }),
  ),
  fc.tuple(fc.array(seed, { minLength: 1, maxLength: 4 }), fc.boolean(), fc.integer({ min: -80, max: 80 })).map(
    ([ns, viaText, d]) =>
      new EditCommand(
        `paste(${ns.join(',')}, ${viaText ? 'text' : 'fragment'})`,
        (doc) => {
          const ids = new Set(ns.map((s) => pick(doc.nodes, s)?.id).filter((x) => x !== undefined));
          if (ids.size === 0) return undefined;
          let fragment = fragmentOf(doc, ids);
          if (viaText) {
            const read = readFragment(fragmentText(fragment));
            expect(read.ok).toBe(true);
            if (!read.ok) return undefined;
            fragment = read.fragment;
          }
          return { type: 'paste', fragment, offset: { x: d, y: 40 } };
        },
        (before, after) => expect(after.nodes.length).toBeGreaterThan(before.nodes.length),
      ),
  ),
  fc.tuple(seed, fc.constantFrom('cell', 'h2', 'z_prev', 'out_1')).map(
    ([n, name]) =>
      new EditCommand(`rename(${n}, ${name})`, (doc) => {
        const node = pick(doc.nodes, n);
        if (node === undefined) return undefined;
        return { type: 'renameNode', from: node.id, to: uniqueId(name, (s) => doc.nodes.some((x) => x.id === s)) };
      }),
  ),
  fc.tuple(seed, fc.integer({ min: -50, max: 50 })).map(
    ([n, dx]) =>
      new EditCommand(`move(${n}, ${dx})`, (doc) => {
        const node = pick(doc.nodes, n);
        if (node === undefined) return undefined;
        const p = node.position ?? { x: 0, y: 0 };
        return { type: 'moveNodes', positions: { [node.id]: { x: p.x + dx, y: p.y + 7 } } };
      }),
  ),
  fc.constant(new UndoCommand()),
  fc.constant(new RedoCommand()),
];

describe('history (model test)', () => {
  for (const name of ['lstm', 'bilstm']) {
    it(`${name}: undo/redo follow the snapshot model; undoing everything restores the start`, () => {
      const start = example(name);
      fc.assert(
        fc.property(fc.commands(commands, { maxCommands: 40 }), (cmds) => {
          const real: Real = { h: startHistory(start, { kind: 'example', name }) };
          fc.modelRun(() => ({ model: { past: [], present: start, future: [] }, real }), cmds);
          while (canUndo(real.h)) real.h = undo(real.h);
          expect(real.h.doc).toEqual(start);
          expect(real.h.source).toEqual({ kind: 'example', name });
        }),
        { numRuns: 120 },
      );
    });
  }

  it('a paste of several nodes and a multi-delete are one step each', () => {
    const start = example('lstm');
    let h = startHistory(start, { kind: 'example', name: 'lstm' });
    const frag = fragmentOf(start, ['emb', 'lstm', 'h', 'c']);
    const pasted = edit(h, { type: 'paste', fragment: frag, offset: { x: 0, y: 300 } });
    expect(pasted.ok).toBe(true);
    if (!pasted.ok) return;
    h = pasted.history;
    expect(h.doc.nodes.length).toBe(start.nodes.length + 4);
    expect(h.past.length).toBe(1);
    const deleted = edit(h, { type: 'deleteElements', nodes: ['emb', 'lstm', 'h'] });
    expect(deleted.ok).toBe(true);
    if (!deleted.ok) return;
    h = deleted.history;
    expect(h.past.length).toBe(2);
    h = undo(h);
    expect(h.doc.nodes.length).toBe(start.nodes.length + 4);
    h = undo(h);
    expect(h.doc).toEqual(start);
  });

  it('a refused change leaves the history untouched and says why', () => {
    const h = startHistory(example('lstm'), { kind: 'new', name: 'untitled' });
    const res = edit(h, { type: 'setParam', node: 'lstm', param: 'hidden', value: 0 });
    expect(res.ok).toBe(false);
    if (!res.ok) expect(res.error).toMatch(/between 1 and/);
    const bad = edit(h, { type: 'renameNode', from: 'lstm', to: '9lives' });
    expect(bad.ok).toBe(false);
  });

  it('replacing the document is undoable and restores where it came from', () => {
    const lstm = example('lstm');
    const h0 = startHistory(lstm, { kind: 'example', name: 'lstm' });
    const res = edit(h0, { type: 'replace', doc: example('gru') }, { kind: 'example', name: 'gru' });
    expect(res.ok).toBe(true);
    if (!res.ok) return;
    expect(res.history.source.name).toBe('gru');
    const back = undo(res.history);
    expect(back.doc).toEqual(lstm);
    expect(back.source.name).toBe('lstm');
    expect(redo(back).source.name).toBe('gru');
  });
});
