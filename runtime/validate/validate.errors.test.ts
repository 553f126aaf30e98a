import { describe, expect, it } from 'vitest';
import type { UnrollError } from '../errors/catalogue.ts';
import { analyzeGraph } from './validate.ts';
import type { GraphAnalysis, ValidateOptions } from './types.ts';
import { edgeIndex, edit, fixture, graph, nodeOf } from './test-graphs.ts';
import type { GraphDoc } from '../graph/types.ts';

/** The one error of `doc`, which must have exactly one, with the given code. */
function oneError(doc: GraphDoc, code: string, opts?: ValidateOptions): UnrollError {
  const a = analyzeGraph(doc, opts);
  expect(a.errors.map((e) => e.code)).toEqual([code]);
  expect(a.ok).toBe(false);
  return a.errors[0]!;
}

const codes = (a: GraphAnalysis): string[] => a.errors.map((e) => e.code);

/** The Elman graph with its implicit loop declared as loop L. */
const elmanInLoop = (): GraphDoc =>
  edit(fixture('elman'), (d) => {
    d.loops = [{ id: 'L', over: 'x' }];
    for (const id of ['enc', 'g', 'z', 'dec']) nodeOf(d, id).loop = 'L';
  });

describe('shapes and kinds', () => {
  it('E200 names both ports, both source ports and both shapes', () => {
    const doc = edit(fixture('elman'), (d) => {
      nodeOf(d, 'y').params = { kind: 'vector', size: 3, align_with: 'x' };
    });
    const e = oneError(doc, 'E200');
    for (const s of ['loss.pred', 'loss.target', 'dec.out', 'y.out', 'seq(x) [2]', 'seq(x) [3]']) expect(e.message).toContain(s);
    expect(e.nodes).toEqual(['loss', 'dec', 'y']);
    expect(e.ports).toEqual(['loss.pred', 'loss.target', 'dec.out', 'y.out']);
    expect(e.edges).toEqual([edgeIndex(doc, 'dec.out', 'loss.pred'), edgeIndex(doc, 'y.out', 'loss.target')]);
    expect(e.path).toBe('$.nodes[6]');
  });

  it('E200 when a delay’s size does not fit its consumer, naming the wire', () => {
    const doc = edit(fixture('elman'), (d) => {
      nodeOf(d, 'z').params = { size: 8 };
    });
    const e = oneError(doc, 'E200');
    expect(e.message).toContain('g.h_prev gets [8] from z.out');
    expect(e.message).toContain('[16]');
    expect(e.ports).toEqual(['g.h_prev', 'z.out']);
  });

  it('E201 for token ids into a vector port', () => {
    const doc = edit(fixture('elman'), (d) => {
      nodeOf(d, 'x').params = { kind: 'tokens', vocab: 12 };
    });
    const e = oneError(doc, 'E201');
    expect(e.message).toContain('enc.in takes a vector per step');
    expect(e.message).toContain('x.out delivers seq(x) int[] < 12');
    expect(e.message).toContain('put an encoder (kind embedding) between them');
    expect(e.edges).toEqual([0]);
    expect(e.path).toBe('$.edges[0]');
  });

  it('E200 for a prediction and a target on different axes suggests align_with or take "last"', () => {
    const ownAxis = edit(fixture('elman'), (d) => {
      nodeOf(d, 'y').params = { kind: 'vector', size: 2 };
    });
    const e = oneError(ownAxis, 'E200');
    expect(e.message).toContain('must both be sequences along the same axis, or both single values: set align_with on the target (to x) to run them along one axis, or use take "last"');
    expect(e.ports).toEqual(['loss.pred', 'loss.target', 'dec.out', 'y.out']);
  });

  it('E200 for one value compared with a sequence suggests align_with or take "last"', () => {
    const doc = edit(elmanInLoop(), (d) => {
      d.edges[edgeIndex(d as GraphDoc, 'dec.out', 'loss.pred')]!.take = 'last';
    });
    expect(oneError(doc, 'E200').message).toContain('set align_with on the target (to the sequence source of the prediction) to run them along one axis, or use take "last"');
  });

  it('E201 when a block refuses the kind (cross-entropy on vectors)', () => {
    const doc = edit(fixture('elman'), (d) => {
      nodeOf(d, 'loss').params = { kind: 'cross_entropy' };
    });
    const e = oneError(doc, 'E201');
    expect(e.message).toContain('loss.target gets seq(x) [2] from y.out');
  });
});

describe('wiring', () => {
  it('E203 names the unconnected port', () => {
    const doc = edit(fixture('elman'), (d) => {
      d.edges.splice(edgeIndex(d as GraphDoc, 'enc.out', 'g.x'), 1);
    });
    const a = analyzeGraph(doc);
    expect(codes(a)).toEqual(['E203']);
    expect(a.errors[0]).toMatchObject({ ports: ['g.x'], nodes: ['g'], path: '$.nodes[2]' });
    expect(a.errors[0]!.message).toContain('g.x');
    expect(a.warnings.map((w) => w.nodes)).toEqual([['enc']]);
  });

  it('E204 for two wires into one port', () => {
    const doc = edit(fixture('elman'), (d) => {
      d.nodes.push({ id: 'x2', type: 'input', params: { kind: 'vector', size: 3, align_with: 'x' } });
      d.edges.push({ from: 'x2.out', to: 'enc.in' });
    });
    const e = oneError(doc, 'E204');
    expect(e.ports).toEqual(['enc.in', 'x.out', 'x2.out']);
    expect(e.edges).toEqual([0, 7]);
    expect(e.path).toBe('$.edges[7]');
  });

  it('E205 without a loss when training, none for inference', () => {
    const doc = edit(fixture('elman'), (d) => {
      d.nodes = d.nodes.filter((n) => n.id !== 'loss' && n.id !== 'y');
      d.edges = d.edges.filter((e) => !e.to.startsWith('loss.'));
    });
    oneError(doc, 'E205');
    const a = analyzeGraph(doc, { purpose: 'inference' });
    expect(a.ok).toBe(true);
    expect(a.warnings.map((w) => [w.code, w.nodes])).toEqual([['E218', ['dec']]]);
  });

  it('E208 for take on an edge that leaves no loop', () => {
    const doc = edit(fixture('elman'), (d) => {
      d.edges[1]!.take = 'last';
    });
    const e = oneError(doc, 'E208');
    expect(e.path).toBe('$.edges[1].take');
  });

  it('E213 for a sequence into a per-step port outside loops', () => {
    const doc = edit(elmanInLoop(), (d) => {
      d.nodes.push({ id: 'side', type: 'linear', params: { size: 2 } });
      d.edges.push({ from: 'x.out', to: 'side.in' });
    });
    const e = oneError(doc, 'E213');
    expect(e.message).toContain('put side in a loop over x');
    expect(e.path).toBe('$.edges[7]');
  });

  it('E213 suggests take "last" for a loop’s sequence', () => {
    const doc = edit(elmanInLoop(), (d) => {
      d.nodes.push({ id: 'side', type: 'linear', params: { size: 2 } });
      d.edges.push({ from: 'g.h', to: 'side.in' });
    });
    expect(oneError(doc, 'E213').message).toContain('take "last"');
    // ...which makes it valid
    const fixed = edit(doc, (d) => {
      d.edges[7]!.take = 'last';
    });
    expect(analyzeGraph(fixed).errors).toEqual([]);
  });
});

describe('loops', () => {
  it('E206 for a loop over something that is not a sequence source', () => {
    const overNode = edit(fixture('seq2seq'), (d) => {
      d.loops![0] = { id: 'enc', over: 'embS' };
    });
    expect(oneError(overNode, 'E206')).toMatchObject({ path: '$.loops[0].over', nodes: ['embS'] });
    const overSingle = edit(fixture('seq2seq'), (d) => {
      nodeOf(d, 'src').params = { kind: 'vector', size: 4, sequence: false };
    });
    expect(oneError(overSingle, 'E206').message).toContain('src has sequence off');
  });

  it('E207 for a sequence sliced into a loop over another axis, naming both axes', () => {
    const doc = edit(fixture('seq2seq'), (d) => {
      d.edges[edgeIndex(d as GraphDoc, 'prev.out', 'embT.in')]!.from = 'src.out';
      d.nodes = d.nodes.filter((n) => n.id !== 'prev');
    });
    const e = oneError(doc, 'E207');
    expect(e.message).toContain('along src');
    expect(e.message).toContain('runs along y');
    expect(e.nodes).toEqual(['embT', 'src']);
  });

  it('E212 for loops that depend on each other', () => {
    const doc = graph(
      [
        ['x', 'input', { kind: 'vector', size: 3 }],
        ['y', 'target', { kind: 'vector', size: 2, align_with: 'x' }],
        ['p', 'linear', { size: 4 }, 'la'],
        ['q', 'linear', { size: 2 }, 'la'],
        ['b', 'linear', { size: 4 }, 'lb'],
        ['loss', 'loss', { kind: 'mse' }],
      ],
      [
        ['x.out', 'p.in'],
        ['p.out', 'b.in', 'last'],
        ['b.out', 'q.in', 'last'],
        ['q.out', 'loss.pred'],
        ['y.out', 'loss.target'],
      ],
      [
        { id: 'la', over: 'x' },
        { id: 'lb', steps: 2 },
      ],
    );
    const e = oneError(doc, 'E212');
    expect(e.message).toContain('loops la, lb depend on each other');
    expect(e.message).toContain('loop la → loop lb → loop la');
    expect(e.edges).toEqual([1, 2]);
    expect(e.path).toBe('$.loops[0]');
  });

  it('E212 when a delay’s init reads a loop that reads the delay’s loop', () => {
    // enc.h → dh.init goes from loop enc to loop dec; embT.out → enc.x goes back.
    const doc = edit(fixture('seq2seq'), (d) => {
      const k = edgeIndex(d as GraphDoc, 'embS.out', 'enc.x');
      d.edges[k] = { from: 'embT.out', to: 'enc.x', take: 'last' };
    });
    const a = analyzeGraph(doc);
    expect(codes(a)).toEqual(['E212']);
    expect(a.errors[0]!.message).toContain('loops enc, dec depend on each other');
  });

  it('E216 for a loss inside a loop', () => {
    const doc = edit(elmanInLoop(), (d) => {
      nodeOf(d, 'loss').loop = 'L';
    });
    expect(oneError(doc, 'E216')).toMatchObject({ path: '$.nodes[6].loop', nodes: ['loss'] });
  });

  it('warns E217 for a declared loop with no nodes', () => {
    const doc = edit(elmanInLoop(), (d) => {
      d.loops!.push({ id: 'empty', steps: 2 });
    });
    const a = analyzeGraph(doc);
    expect(a.ok).toBe(true);
    expect(a.warnings).toEqual([{ code: 'E217', message: 'loop empty has no nodes', path: '$.loops[1]' }]);
  });

  it('E112 for a steps loop named like a sequence axis', () => {
    const doc = edit(elmanInLoop(), (d) => {
      d.loops!.push({ id: 'x', steps: 2 });
      nodeOf(d, 'dec').loop = 'x';
    });
    expect(codes(analyzeGraph(doc))).toContain('E112');
  });
});

describe('delays', () => {
  it('E209 for a delay outside every loop', () => {
    const doc = edit(fixture('hops'), (d) => {
      delete nodeOf(d, 'hd').loop;
    });
    expect(oneError(doc, 'E209')).toMatchObject({ nodes: ['hd'], path: '$.nodes[2]' });
  });

  it('E210 for a delay fed from another loop', () => {
    const doc = edit(fixture('seq2seq'), (d) => {
      d.edges[edgeIndex(d as GraphDoc, 'dec.h', 'dh.in')]!.from = 'enc.h';
    });
    const e = oneError(doc, 'E210');
    expect(e.message).toContain('wire that to dh.init');
    expect(e.ports).toEqual(['enc.h', 'dh.in']);
  });

  it('E211 when nothing tells a delay’s size', () => {
    const doc = edit(fixture('elman'), (d) => {
      d.nodes.push({ id: 'z2', type: 'delay' }, { id: 'lin', type: 'linear', params: { size: 2 } });
      d.edges.push({ from: 'g.h', to: 'z2.in' }, { from: 'z2.out', to: 'lin.in' });
    });
    const a = analyzeGraph(doc);
    expect(codes(a)).toEqual(['E211']);
    expect(a.errors[0]!.message).toContain('set its size param or connect its init port');
  });

  it('takes a delay’s size from its size param, its init port or its consumers', () => {
    const fromSize = analyzeGraph(
      edit(fixture('elman'), (d) => {
        nodeOf(d, 'z').params = { size: 16 };
      }),
    );
    expect(fromSize.ok).toBe(true);
    expect(fromSize.outputTypes.get('z.out')).toEqual({ dtype: 'float', shape: [16] });
    expect(analyzeGraph(fixture('elman')).outputTypes.get('z.out')).toEqual({ dtype: 'float', shape: [16] });
    expect(analyzeGraph(fixture('seq2seq')).outputTypes.get('dh.out')).toEqual({ dtype: 'float', shape: [16] });
  });

  it('E200 when the consumers of a delay expect different sizes', () => {
    const doc = edit(fixture('elman'), (d) => {
      d.nodes.push({ id: 'g2', type: 'rnn', params: { hidden: 8 } });
      d.edges.push({ from: 'enc.out', to: 'g2.x' }, { from: 'z.out', to: 'g2.h_prev' });
    });
    const a = analyzeGraph(doc);
    expect(codes(a)).toEqual(['E200']);
    expect(a.errors[0]!.message).toContain('g.h_prev [16], g2.h_prev [8]');
  });

  it('E200 when the init port and the size param disagree', () => {
    const doc = edit(fixture('seq2seq'), (d) => {
      nodeOf(d, 'dh').params = { size: 8 };
    });
    expect(oneError(doc, 'E200')).toMatchObject({ path: '$.nodes[8].params.size', ports: ['dh.init', 'enc.h'] });
  });

  it('E200 when the value arriving at a delay’s in is not its type', () => {
    const doc = edit(fixture('elman'), (d) => {
      nodeOf(d, 'z').params = { size: 16 };
      d.nodes.push({ id: 'p', type: 'linear', params: { size: 8 } });
      d.edges[edgeIndex(d as GraphDoc, 'g.h', 'z.in')]!.from = 'p.out';
      d.edges.push({ from: 'g.h', to: 'p.in' });
    });
    const e = oneError(doc, 'E200');
    expect(e.message).toContain('p.out delivers [8] to z.in, but delay z holds [16], set by its size param (16)');
    expect(e.ports).toEqual(['z.in', 'p.out']);
    expect(e.path).toBe(`$.edges[${edgeIndex(doc, 'p.out', 'z.in')}]`);
  });
});

describe('decoder inputs', () => {
  it('E215 when the teacher of a feedback input cannot be inferred, suggesting teacher', () => {
    const noLoss = edit(fixture('seq2seq'), (d) => {
      d.nodes = d.nodes.filter((n) => n.id !== 'loss');
      d.edges = d.edges.filter((e) => !e.to.startsWith('loss.'));
    });
    const e = oneError(noLoss, 'E215', { purpose: 'inference' });
    expect(e.message).toContain("set input prev's teacher param");
    expect(e.path).toBe('$.nodes[2].params.feedback');
    const fixed = edit(noLoss, (d) => {
      nodeOf(d, 'prev').params!.teacher = 'y';
    });
    expect(analyzeGraph(fixed, { purpose: 'inference' }).errors).toEqual([]);
  });

  it('E215 for a teacher that is not a target and a feedback that is a source', () => {
    const badTeacher = edit(fixture('seq2seq'), (d) => {
      nodeOf(d, 'prev').params!.teacher = 'src';
    });
    expect(oneError(badTeacher, 'E215').path).toBe('$.nodes[2].params.teacher');
    const badFeedback = edit(fixture('seq2seq'), (d) => {
      nodeOf(d, 'prev').params!.feedback = 'y';
    });
    expect(oneError(badFeedback, 'E215').message).toContain('is a source');
  });

  it('E200 when a feedback input’s element is not its teacher’s', () => {
    const doc = edit(fixture('seq2seq'), (d) => {
      nodeOf(d, 'prev').params!.size = 5;
    });
    const e = oneError(doc, 'E200');
    expect(e.message).toContain('[5]');
    expect(e.message).toContain('[4]');
    expect(e.nodes).toEqual(['prev', 'y']);
  });

  it('E215 for align_with naming something that is not a sequence source', () => {
    const doc = edit(fixture('elman'), (d) => {
      nodeOf(d, 'y').params!.align_with = 'enc';
    });
    expect(codes(analyzeGraph(doc))).toEqual(['E215']);
  });
});

describe('a delay’s init param beside a wired init port', () => {
  const learned = (): GraphDoc =>
    edit(fixture('seq2seq'), (d) => {
      nodeOf(d, 'dh').params = { init: 'learned' };
    });

  it('warns E220 that the param is ignored, naming the delay', () => {
    const a = analyzeGraph(learned());
    expect(a.errors).toEqual([]);
    expect(a.warnings).toHaveLength(1);
    expect(a.warnings[0]).toMatchObject({ code: 'E220', path: '$.nodes[8].params.init', nodes: ['dh'], ports: ['dh.init'] });
    expect(a.warnings[0]!.message).toContain('delay dh\'s init param ("learned") is ignored because its init port is wired (from enc.h)');
  });

  it('gives the delay no learned weight', () => {
    const a = analyzeGraph(learned());
    expect(a.weights.get('dh')).toEqual([]);
    expect(a.counts.weights).toBe(analyzeGraph(fixture('seq2seq')).counts.weights);
  });

  it('keeps the learned weight and stays quiet when the init port is free', () => {
    const a = analyzeGraph(fixture('reverse'));
    expect(a.warnings).toEqual([]);
    expect(a.weights.get('bd')!.map((w) => w.name)).toEqual(['init']);
  });
});

describe('budget and warnings', () => {
  it('E214 above maxParameters, naming the biggest weights', () => {
    const e = oneError(fixture('elman'), 'E214', { maxParameters: 481 });
    expect(e.message).toContain('482');
    expect(e.message).toContain('g.weight_hh [16, 16] (256), g.weight_ih [16, 8] (128), dec.weight [2, 16] (32)');
    expect(e.path).toBe('$.nodes[2]');
    expect(analyzeGraph(fixture('elman'), { maxParameters: 482 }).ok).toBe(true);
  });

  it('refuses a huge model by default', () => {
    const doc = edit(fixture('elman'), (d) => {
      nodeOf(d, 'enc').params = { size: 16384 };
      nodeOf(d, 'g').params = { hidden: 16384 };
    });
    expect(codes(analyzeGraph(doc))).toEqual(['E214']);
  });
});
