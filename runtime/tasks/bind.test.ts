import { describe, expect, it } from 'vitest';
import type { GraphDoc } from '../graph/types.ts';
import { analyzeGraph } from '../validate/validate.ts';
import { bindTask } from './bind.ts';
import { createTask } from './registry.ts';
import { elmanDoc } from './test-helpers.ts';
import type { Task } from './types.ts';

function task(name: string, params: Record<string, number | boolean> = {}): Task {
  const r = createTask({ name, params: name === 'brackets' ? { train_size: 10, test_size: 2, ...params } : params });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.value;
}

function bind(t: Task, doc: GraphDoc, expectValid = true) {
  const analysis = analyzeGraph(doc);
  if (expectValid) expect(analysis.errors).toEqual([]);
  return bindTask(t, analysis);
}

const errorsOf = (r: ReturnType<typeof bindTask>) => (r.ok ? [] : r.errors.map((e) => ({ code: e.code, path: e.path, nodes: e.nodes })));

const bracketsGraph = elmanDoc({ x: { kind: 'tokens', vocab: 26 } });
const copyGraph = (y: Record<string, string | number | boolean> = { kind: 'tokens', vocab: 10, align_with: 'x' }) =>
  elmanDoc({ x: { kind: 'tokens', vocab: 10 }, y, decoderSize: 10, take: 'all' });
const addingGraph = (size = 2) => elmanDoc({ x: { kind: 'vector', size }, y: { kind: 'vector', size: 1, sequence: false }, decoderSize: 1, loss: 'mse' });

describe('bindTask', () => {
  it('binds brackets to the Elman graph: x → x, y → y, along x', () => {
    const r = bind(task('brackets'), bracketsGraph);
    expect(r.ok && r.value).toEqual({
      streams: [expect.objectContaining({ node: 'x', stream: expect.objectContaining({ name: 'x' }) }), expect.objectContaining({ node: 'y', stream: expect.objectContaining({ name: 'y' }) })],
      axis: 'x',
      axes: {},
    });
  });

  it('binds one source of each role directly whatever its id', () => {
    const r = bind(task('brackets'), elmanDoc({ x: { kind: 'tokens', vocab: 26 }, xId: 'chars', yId: 'label' }));
    expect(r.ok && r.value.streams.map((s) => s.node)).toEqual(['chars', 'label']);
    expect(r.ok && r.value.axis).toBe('chars');
  });

  it('binds copy when the target is aligned with the input, and adding with vectors', () => {
    const c = bind(task('copy'), copyGraph());
    expect(c.ok && c.value.axis).toBe('x');
    const a = bind(task('adding'), addingGraph());
    expect(a.ok && a.value.streams.map((s) => [s.stream.name, s.node])).toEqual([['x', 'x'], ['y', 'y']]);
  });

  it('refuses a vocab other than the task’s (E426) naming the node and saying what to set', () => {
    const r = bind(task('brackets'), elmanDoc({}));
    expect(errorsOf(r)).toEqual([{ code: 'E426', path: '$.nodes[0].params.vocab', nodes: ['x'] }]);
    expect(!r.ok && r.errors[0]!.message).toContain('set vocab to 26');
    const y3 = bind(task('brackets'), elmanDoc({ x: { kind: 'tokens', vocab: 26 }, y: { kind: 'tokens', vocab: 3, sequence: false }, decoderSize: 3 }));
    expect(errorsOf(y3)).toEqual([{ code: 'E426', path: '$.nodes[5].params.vocab', nodes: ['y'] }]);
  });

  it('refuses a wrong kind (E425) and a wrong size (E427)', () => {
    const kind = bind(task('adding'), elmanDoc({ x: { kind: 'tokens', vocab: 2 }, y: { kind: 'vector', size: 1, sequence: false }, decoderSize: 1, loss: 'mse' }));
    expect(errorsOf(kind)).toEqual([{ code: 'E425', path: '$.nodes[0].params.kind', nodes: ['x'] }]);
    expect(!kind.ok && kind.errors[0]!.message).toContain('set kind to "vector"');
    const size = bind(task('adding'), addingGraph(3));
    expect(errorsOf(size)).toEqual([{ code: 'E427', path: '$.nodes[0].params.size', nodes: ['x'] }]);
  });

  it('refuses a different sequence flag (E428)', () => {
    const r = bind(task('brackets'), elmanDoc({ x: { kind: 'tokens', vocab: 26 }, y: { kind: 'tokens', vocab: 2, align_with: 'x' }, take: 'all' }));
    expect(errorsOf(r)).toEqual([{ code: 'E428', path: '$.nodes[5].params.sequence', nodes: ['y'] }]);
    expect(!r.ok && r.errors[0]!.message).toContain('set sequence to false');
  });

  it('refuses sequences on different axes (E429) and says to set align_with', () => {
    // The loss compares sequences on two axes, so the graph itself is invalid too; binding still names the fix.
    const r = bind(task('copy'), copyGraph({ kind: 'tokens', vocab: 10 }), false);
    expect(errorsOf(r)).toEqual([{ code: 'E429', path: '$.nodes[5].params.align_with', nodes: ['y', 'x'] }]);
    expect(!r.ok && r.errors[0]!.message).toContain('set align_with to "x" on y');
  });

  it('binds by id when a role has several sources, refusing extra (E424) and missing (E423) ones', () => {
    const extra = elmanDoc({
      x: { kind: 'tokens', vocab: 26 },
      extra: [{ id: 'noise', type: 'input', params: { kind: 'tokens', vocab: 26, align_with: 'x' } }],
    });
    expect(errorsOf(bind(task('brackets'), extra, false))).toEqual([{ code: 'E424', path: '$.nodes[7]', nodes: ['noise'] }]);
    const renamed = elmanDoc({
      x: { kind: 'tokens', vocab: 26 },
      xId: 'a',
      extra: [{ id: 'b', type: 'input', params: { kind: 'tokens', vocab: 26, align_with: 'a' } }],
    });
    expect(errorsOf(bind(task('brackets'), renamed, false))).toEqual([
      { code: 'E423', path: '$.nodes', nodes: undefined },
      { code: 'E424', path: '$.nodes[0]', nodes: ['a'] },
      { code: 'E424', path: '$.nodes[7]', nodes: ['b'] },
    ]);
  });

  it('refuses a graph without a target (E423)', () => {
    const doc = elmanDoc({ x: { kind: 'tokens', vocab: 26 } });
    const noTarget: GraphDoc = { ...doc, nodes: doc.nodes.filter((n) => n.id !== 'y'), edges: doc.edges.filter((e) => !e.from.startsWith('y.')) };
    const r = bind(task('brackets'), noTarget, false);
    expect(errorsOf(r)).toEqual([{ code: 'E423', path: '$.nodes', nodes: undefined }]);
    expect(!r.ok && r.errors[0]!.message).toContain('the graph has no target node');
  });

  it('leaves decoder inputs (feedback set) unbound', () => {
    const doc = copyGraph();
    const withFeedback: GraphDoc = { ...doc, nodes: [...doc.nodes, { id: 'prev', type: 'input', params: { kind: 'tokens', vocab: 10, feedback: 'dec' } }] };
    const r = bind(task('copy'), withFeedback, false);
    expect(r.ok && r.value.streams.map((s) => s.node)).toEqual(['x', 'y']);
  });
});
