/** The change reducers one by one, the connection rules, auto-layout, the unrolled and composite views. */
import { readFileSync } from 'node:fs';
import { produce, type Draft } from 'immer';
import { describe, expect, it } from 'vitest';
import { parseGraph } from '../../runtime/graph/parse.ts';
import type { GraphDoc } from '../../runtime/graph/types.ts';
import { analyzeGraph } from '../../runtime/validate/validate.ts';
import { autoLayout, blockHeight, NODE_WIDTH } from '../flow-model.ts';
import { applyChange, EditError, type Change } from './changes.ts';
import { fragmentOf, fragmentText, readFragment } from './clipboard.ts';
import { buildCompositeFlow } from './composite-flow.ts';
import { checkConnection } from './connect-rules.ts';
import { uniqueId } from './ids.ts';
import { buildUnrolledFlow } from './unrolled-flow.ts';

function example(name: string): GraphDoc {
  const parsed = parseGraph(readFileSync(new URL(`../../examples/${name}.json`, import.meta.url)));
  if (!parsed.ok) throw new Error(`${name} does not parse`);
  return parsed.value;
}

const apply = (doc: GraphDoc, c: Change): GraphDoc => produce(doc, (d) => applyChange(d, c) as Draft<GraphDoc> | undefined);

function expectValidFile(doc: GraphDoc): void {
  const back = parseGraph(JSON.stringify(doc));
  expect(back.ok, back.ok ? '' : back.errors.map((e) => e.message).join('; ')).toBe(true);
}

describe('changes', () => {
  const lstm = example('lstm');

  it('connect replaces the wire an input port had, in its place', () => {
    const next = apply(lstm, { type: 'connect', from: 'emb.out', to: 'dec.in' });
    expect(next.edges.filter((e) => e.to === 'dec.in')).toEqual([{ from: 'emb.out', to: 'dec.in' }]);
    expect(next.edges.length).toBe(lstm.edges.length);
    expect(next.edges.findIndex((e) => e.to === 'dec.in')).toBe(lstm.edges.findIndex((e) => e.to === 'dec.in'));
  });

  it('connect refuses ports the blocks do not have, and the wrong direction', () => {
    expect(() => apply(lstm, { type: 'connect', from: 'emb.in', to: 'dec.in' })).toThrow(EditError);
    expect(() => apply(lstm, { type: 'connect', from: 'emb.out', to: 'dec.out' })).toThrow(/no input port out/);
    expect(() => apply(lstm, { type: 'connect', from: 'nope.out', to: 'dec.in' })).toThrow(/no node nope/);
  });

  it('deleting a node removes its wires, references to it and loops over it', () => {
    const next = apply(lstm, { type: 'deleteElements', nodes: ['x'] });
    expect(next.nodes.some((n) => n.id === 'x')).toBe(false);
    expect(next.edges.some((e) => e.from.startsWith('x.'))).toBe(false);
    // Loop t ran over x: it goes, and its nodes leave it.
    expect(next.loops).toBeUndefined();
    expect(next.nodes.some((n) => n.loop !== undefined)).toBe(false);
    expectValidFile(next);
  });

  it('deleting wires and loops', () => {
    const next = apply(lstm, { type: 'deleteElements', edges: [{ from: 'h.out', to: 'lstm.h_prev' }], loops: ['t'] });
    expect(next.edges.length).toBe(lstm.edges.length - 1);
    expect(next.loops).toBeUndefined();
    expectValidFile(next);
  });

  it('rename follows every reference: wires, node refs, loops over it', () => {
    const s2s = example('seq2seq-attention');
    const next = apply(s2s, { type: 'renameNode', from: 'src', to: 'source' });
    expect(next.edges.some((e) => e.from === 'source.out')).toBe(true);
    expect(next.edges.some((e) => e.from.startsWith('src.'))).toBe(false);
    expect(next.loops!.find((l) => l.id === 'enc')).toMatchObject({ over: 'source' });
    const renamedOut = apply(s2s, { type: 'renameNode', from: 'out', to: 'logits' });
    expect(renamedOut.nodes.find((n) => n.id === 'prev')!.params!.feedback).toBe('logits');
    expectValidFile(next);
    expectValidFile(renamedOut);
    expect(() => apply(s2s, { type: 'renameNode', from: 'src', to: 'y' })).toThrow(/already used/);
    expect(() => apply(s2s, { type: 'renameNode', from: 'src', to: 'a b' })).toThrow(/letters, digits/);
  });

  it('params are set within their range, removed back to the default', () => {
    const set = apply(lstm, { type: 'setParam', node: 'lstm', param: 'hidden', value: 32 });
    expect(set.nodes.find((n) => n.id === 'lstm')!.params!.hidden).toBe(32);
    const unset = apply(set, { type: 'setParam', node: 'lstm', param: 'hidden', value: undefined });
    expect(unset.nodes.find((n) => n.id === 'lstm')!.params!.hidden).toBeUndefined();
    expect(() => apply(lstm, { type: 'setParam', node: 'lstm', param: 'hidden', value: 1e9 })).toThrow(/between/);
    expect(() => apply(lstm, { type: 'setParam', node: 'lstm', param: 'size', value: 3 })).toThrow(/no param size/);
    expect(() => apply(lstm, { type: 'setParam', node: 'y', param: 'align_with', value: 'ghost' })).toThrow(/does not exist/);
  });

  it('loops: add with members, edit over/steps/direction, rename, put nodes in and out', () => {
    const elman = example('elman-rnn');
    let d = apply(elman, { type: 'addLoop', loop: { id: 't', over: 'x' }, nodes: ['enc', 'g', 'z', 'dec'] });
    expect(d.nodes.filter((n) => n.loop === 't').map((n) => n.id)).toEqual(['enc', 'g', 'z', 'dec']);
    d = apply(d, { type: 'editLoop', id: 't', direction: 'reverse' });
    expect(d.loops![0]).toEqual({ id: 't', over: 'x', direction: 'reverse' });
    d = apply(d, { type: 'editLoop', id: 't', steps: 4 });
    expect(d.loops![0]).toEqual({ id: 't', steps: 4, direction: 'reverse' });
    d = apply(d, { type: 'renameLoop', from: 't', to: 'time' });
    expect(d.nodes.filter((n) => n.loop === 'time').length).toBe(4);
    d = apply(d, { type: 'setLoop', nodes: ['dec'], loop: undefined });
    expect(d.nodes.find((n) => n.id === 'dec')!.loop).toBeUndefined();
    expectValidFile(d);
    expect(() => apply(d, { type: 'editLoop', id: 'time', steps: 0 })).toThrow(/whole number/);
    expect(() => apply(d, { type: 'setLoop', nodes: ['g'], loop: 'nope' })).toThrow(/no loop/);
  });

  it('paste renames taken ids, rewires among the copies, joins loops of the same graph', () => {
    const frag = fragmentOf(lstm, ['lstm', 'h', 'c']);
    expect(frag.edges.length).toBe(4);
    const next = apply(lstm, { type: 'paste', fragment: frag, offset: { x: 10, y: 200 } });
    const added = next.nodes.slice(lstm.nodes.length);
    expect(added.map((n) => n.id)).toEqual(['lstm_2', 'h_2', 'c_2']);
    expect(added.every((n) => n.loop === 't')).toBe(true);
    expect(next.edges.slice(lstm.edges.length)).toEqual([
      { from: 'lstm_2.h', to: 'h_2.in' },
      { from: 'h_2.out', to: 'lstm_2.h_prev' },
      { from: 'lstm_2.c', to: 'c_2.in' },
      { from: 'c_2.out', to: 'lstm_2.c_prev' },
    ]);
    expect(added[0]!.position).toEqual({ x: 490, y: 370 });
    expectValidFile(next);
  });

  it('the clipboard text is a graph file of its own; pasted into an empty graph it keeps what it can', () => {
    const frag = fragmentOf(lstm, ['emb', 'lstm']);
    const text = fragmentText(frag);
    const read = readFragment(text);
    expect(read.ok).toBe(true);
    if (!read.ok) return;
    // Loop t runs over x, which was not copied: the copies come without it.
    expect(read.fragment.loops).toEqual([]);
    const empty: GraphDoc = { format: 'unroll-graph', version: 1, name: 'e', nodes: [], edges: [] };
    const next = apply(empty, { type: 'paste', fragment: read.fragment, offset: { x: 0, y: 0 } });
    expect(next.nodes.map((n) => n.id)).toEqual(['emb', 'lstm']);
    expect(next.edges).toEqual([{ from: 'emb.out', to: 'lstm.x' }]);
    expect(readFragment('{"__proto__": {}}').ok).toBe(false);
  });

  it('uniqueId makes any text a valid, unused id', () => {
    expect(uniqueId('x', (s) => s === 'x')).toBe('x_2');
    expect(uniqueId('x_2', (s) => s === 'x_2' || s === 'x')).toBe('x_3');
    expect(uniqueId('9 lives', () => false)).toBe('_9_lives');
  });
});

describe('connection rules', () => {
  const lstm = example('lstm');
  const a = analyzeGraph(lstm);

  it('refuses a kind the port does not take, saying what goes between', () => {
    const r = checkConnection(lstm, a, 'x.out', 'lstm.x');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/lstm\.x takes a vector per step, but x\.out delivers tokens .*encoder/);
  });

  it('refuses a size the params fix', () => {
    // Examples change; the sizes are read from the file so the test stays about the rule.
    const hidden = lstm.nodes.find((n) => n.id === 'lstm')!.params!.hidden as number;
    const size = lstm.nodes.find((n) => n.id === 'emb')!.params!.size as number;
    expect(hidden).not.toBe(size);
    const r = checkConnection(lstm, a, 'emb.out', 'lstm.h_prev');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toBe(`lstm.h_prev must be [${hidden}] (lstm's params fix it), but emb.out delivers [${size}]`);
  });

  it('refuses outputs as ends and inputs as starts, and a wire that exists', () => {
    expect(checkConnection(lstm, a, 'emb.in', 'lstm.x').ok).toBe(false);
    expect(checkConnection(lstm, a, 'emb.out', 'lstm.x')).toEqual({ ok: false, reason: 'emb.out is already wired to lstm.x' });
  });

  it('allows a delay-free cycle (validation reports it) and good wires', () => {
    expect(checkConnection(lstm, a, 'lstm.h', 'lstm.x')).toEqual({ ok: true });
    expect(checkConnection(lstm, a, 'emb.out', 'dec.in')).toEqual({ ok: true });
  });

  it('refuses through trial validation what only the whole graph shows', () => {
    // The delay h carries [64]; a cell with hidden 8 cannot take it as its state.
    const doc = apply(lstm, { type: 'addNode', node: { id: 'small', type: 'rnn', params: { hidden: 8 }, loop: 't' } });
    const r = checkConnection(doc, analyzeGraph(doc), 'h.out', 'small.h_prev');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/\[8\]/);
  });
});

describe('auto-layout', () => {
  it('places every node without overlap, data flowing left to right', () => {
    const doc = example('seq2seq-attention');
    const pos = autoLayout(doc, analyzeGraph(doc));
    const boxes = doc.nodes.map((n) => ({ id: n.id, ...pos[n.id]!, h: blockHeight(n.type) }));
    for (const p of boxes) {
      for (const q of boxes) {
        if (p.id >= q.id) continue;
        const apart = p.x + NODE_WIDTH <= q.x || q.x + NODE_WIDTH <= p.x || p.y + p.h <= q.y || q.y + q.h <= p.y;
        expect(apart, `${p.id} overlaps ${q.id}`).toBe(true);
      }
    }
    expect(pos.embS!.x).toBeLessThan(pos.enc!.x);
    expect(pos.enc!.x).toBeLessThan(pos.loss!.x);
    // A delay sits before the cell it feeds, not after it.
    expect(pos.eh!.x).toBeLessThan(pos.enc!.x);
  });
});

describe('unrolled view', () => {
  it('LSTM for T = 3: three copies of each looped node, one shared mark per weighted node', () => {
    const doc = example('lstm');
    const res = buildUnrolledFlow(doc, analyzeGraph(doc), 3, new Set(['lstm']));
    expect(res.ok).toBe(true);
    if (!res.ok) return;
    const { copies, marks, nodes } = res.flow;
    for (const id of ['emb', 'lstm', 'h', 'c', 'dec']) expect(copies[id]).toBe(3);
    for (const id of ['x', 'y', 'loss']) expect(copies[id]).toBe(1);
    const lstmCopies = nodes.filter((n) => n.type === 'copy' && n.data.node === 'lstm');
    expect(new Set(lstmCopies.map((n) => n.type === 'copy' && n.data.mark)).size).toBe(1);
    expect(lstmCopies.every((n) => n.type === 'copy' && n.data.linked)).toBe(true);
    expect(new Set(Object.values(marks)).size).toBe(Object.keys(marks).length);
    // Along time: step t+1 to the right of step t.
    const xs = lstmCopies.map((n) => n.position.x);
    expect(xs[0]!).toBeLessThan(xs[1]!);
    expect(xs[1]!).toBeLessThan(xs[2]!);
  });

  it('an invalid graph is not unrolled; the view says why', () => {
    const doc = apply(example('lstm'), { type: 'deleteElements', edges: [{ from: 'h.out', to: 'lstm.h_prev' }] });
    const res = buildUnrolledFlow(doc, analyzeGraph(doc), 3, new Set());
    expect(res.ok).toBe(false);
  });
});

describe('composite view', () => {
  it('opens an LSTM into its gates, each inner linear labelled with its rows of the outer weight', () => {
    const doc = example('lstm');
    const res = buildCompositeFlow(doc, analyzeGraph(doc), 'lstm');
    expect(res.ok).toBe(true);
    if (!res.ok) return;
    expect(res.inner).toContain('f');
    const xf = res.nodes.find((n) => n.id === 'x_f');
    const hidden = doc.nodes.find((n) => n.id === 'lstm')!.params!.hidden as number;
    // The forget gate is PyTorch's second block of rows: [H, 2H).
    expect(xf?.type === 'block' && xf.data.doc).toContain(`weight = weight_ih[${hidden}:${2 * hidden}]`);
    expect(res.nodes.filter((n) => n.type === 'terminal').map((n) => n.id)).toEqual(['in:x', 'in:h_prev', 'in:c_prev', 'out:h', 'out:c']);
    expect(buildCompositeFlow(doc, undefined, 'emb').ok).toBe(false);
  });
});
