/** Sources and what they name: decoder inputs (`feedback`, `teacher`), sources in loops, targets. */
import { describe, expect, it } from 'vitest';
import { CATALOGUE, type UnrollError } from '../errors/catalogue.ts';
import type { GraphDoc } from '../graph/types.ts';
import { analyzeGraph } from './validate.ts';
import { edit, fixture, graph, nodeOf } from './test-graphs.ts';

/** The one error of `doc`, which must have exactly one, with the given code. */
function oneError(doc: GraphDoc, code: string): UnrollError {
  const a = analyzeGraph(doc);
  expect(a.errors.map((e) => e.code)).toEqual([code]);
  return a.errors[0]!;
}

/** A token decoder over y (vocab 5): prev (feedback out) → emb → g ⇄ h → out → loss. */
const decoder = (): GraphDoc =>
  graph(
    [
      ['y', 'target', { kind: 'tokens', vocab: 5 }],
      ['prev', 'input', { kind: 'tokens', vocab: 5, feedback: 'out' }],
      ['emb', 'encoder', { kind: 'embedding', size: 8 }, 'dec'],
      ['g', 'rnn', { hidden: 4 }, 'dec'],
      ['h', 'delay', { size: 4 }, 'dec'],
      ['out', 'decoder', { size: 5 }, 'dec'],
      ['loss', 'loss', { kind: 'cross_entropy' }],
    ],
    [
      ['prev.out', 'emb.in'],
      ['emb.out', 'g.x'],
      ['h.out', 'g.h_prev'],
      ['g.h', 'h.in'],
      ['g.h', 'out.in'],
      ['out.out', 'loss.pred'],
      ['y.out', 'loss.target'],
    ],
    [{ id: 'dec', over: 'y' }],
  );

describe('feedback', () => {
  it('accepts a decoder whose feedback node scores each token of the input’s vocabulary', () => {
    const a = analyzeGraph(decoder());
    expect(a.errors).toEqual([]);
    expect(a.warnings).toEqual([]);
  });

  it('E200 when the feedback node’s output is not one score per token (a delay of size 4, vocab 5)', () => {
    const doc = edit(decoder(), (d) => {
      nodeOf(d, 'prev').params!.feedback = 'h';
    });
    const e = oneError(doc, 'E200');
    for (const s of ['input prev', 'argmax of h.out', '[5]', "prev's vocab", '[4]']) expect(e.message).toContain(s);
    expect(e).toMatchObject({ path: '$.nodes[1].params.feedback', nodes: ['prev', 'h'], ports: ['h.out', 'prev.out'] });
  });

  it('E200 when feedback names the embedding the input feeds', () => {
    const doc = edit(decoder(), (d) => {
      nodeOf(d, 'prev').params!.feedback = 'emb';
    });
    const e = oneError(doc, 'E200');
    for (const s of ['emb.out', '[5]', '[8]']) expect(e.message).toContain(s);
  });

  it('E215 when the feedback node sits outside every loop', () => {
    const doc = edit(decoder(), (d) => {
      d.nodes.push({ id: 'post', type: 'linear', params: { size: 5 } });
      d.edges.push({ from: 'out.out', to: 'post.in', take: 'last' });
      nodeOf(d, 'prev').params = { kind: 'tokens', vocab: 5, feedback: 'post', teacher: 'y' };
    });
    const e = oneError(doc, 'E215');
    expect(e.message).toContain('post is outside every loop');
    expect(e.nodes).toEqual(['prev', 'post']);
  });

  it('E215 when the feedback node’s loop runs along another axis', () => {
    const doc = edit(fixture('seq2seq'), (d) => {
      nodeOf(d, 'prev').params!.feedback = 'enc';
    });
    const e = oneError(doc, 'E215');
    expect(e.message).toContain('enc is in loop enc, which runs along src, not y');
  });

  it('checks a vector input’s feedback against its size', () => {
    const doc = edit(fixture('seq2seq'), (d) => {
      nodeOf(d, 'prev').params!.feedback = 'dec';
    });
    const e = oneError(doc, 'E200');
    expect(e.message).toContain("dec.h must give [4] (prev's size), but it gives [16]");
  });
});

describe('decoder inputs with sequence off', () => {
  it.each([
    ['feedback', { kind: 'tokens', vocab: 5, sequence: false, feedback: 'out' }],
    ['teacher', { kind: 'tokens', vocab: 5, sequence: false, teacher: 'y' }],
  ] as const)('E215 for %s on an input that is not a sequence', (param, params) => {
    const doc = edit(decoder(), (d) => {
      nodeOf(d, 'prev').params = { ...params };
    });
    const e = oneError(doc, 'E215');
    expect(e.message).toContain('the target shifted by one step is a sequence');
    expect(e.path).toBe(`$.nodes[1].params.${param}`);
  });
});

describe('sources inside loops (E216)', () => {
  it('is named for sources and losses alike', () => {
    expect(CATALOGUE.E216).toEqual({ name: 'outside-loop-only', title: 'A source or a loss inside a loop' });
  });

  it.each(['y', 'prev'])('refuses %s with a loop key', (id) => {
    const doc = edit(decoder(), (d) => {
      nodeOf(d, id).loop = 'dec';
    });
    const e = oneError(doc, 'E216');
    expect(e.message).toContain('sources feed loops from outside');
    expect(e.message).toContain('remove its loop');
    expect(e).toMatchObject({ path: `$.nodes[${id === 'y' ? 0 : 1}].loop`, nodes: [id] });
  });

  it('refuses a source in a loop of a graph that declares none', () => {
    const doc = edit(fixture('elman'), (d) => {
      nodeOf(d, 'x').loop = 'L';
    });
    expect(oneError(doc, 'E216').nodes).toEqual(['x']);
  });
});

describe('targets the model reads (E221)', () => {
  const leaks = (doc: GraphDoc): UnrollError[] => analyzeGraph(doc).warnings.filter((w) => w.code === 'E221');

  it('warns when a target feeds a loss’s pred', () => {
    const doc = edit(fixture('elman'), (d) => {
      d.nodes.push({ id: 'loss2', type: 'loss', params: { kind: 'mse' } });
      d.edges.push({ from: 'y.out', to: 'loss2.pred' }, { from: 'y.out', to: 'loss2.target' });
    });
    const a = analyzeGraph(doc);
    expect(a.errors).toEqual([]);
    expect(a.warnings).toEqual([
      {
        code: 'E221',
        message:
          "target y feeds loss2.pred: the model would see the answer while training; targets feed only a loss's target port (for teacher forcing use an input with feedback)",
        path: '$.edges[7]',
        nodes: ['y', 'loss2'],
        ports: ['y.out', 'loss2.pred'],
        edges: [7],
      },
    ]);
  });

  it('warns when a target feeds the model', () => {
    const doc = edit(fixture('elman'), (d) => {
      d.nodes.push({ id: 'cat', type: 'concat' });
      d.edges.push({ from: 'enc.out', to: 'cat.a' }, { from: 'y.out', to: 'cat.b' });
      d.edges.find((e) => e.to === 'g.x')!.from = 'cat.out';
    });
    expect(leaks(doc).map((w) => w.ports)).toEqual([['y.out', 'cat.b']]);
  });

  it('does not count an input’s teacher reference as a wire', () => {
    const doc = edit(decoder(), (d) => {
      nodeOf(d, 'prev').params!.teacher = 'y';
    });
    const a = analyzeGraph(doc);
    expect(a.errors).toEqual([]);
    expect(a.warnings).toEqual([]);
  });
});
