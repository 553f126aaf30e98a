/** Matching a weights file to the weights a graph expects. */
import { describe, expect, it } from 'vitest';
import { matchWeights, type ExpectedWeight } from './match.ts';
import { readSafetensors, writeSafetensors, type NamedTensor } from './safetensors.ts';

const tensor = (name: string, shape: number[]): NamedTensor => ({
  name,
  shape,
  data: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => i + name.length),
});
const fileOf = (...ts: NamedTensor[]): Map<string, NamedTensor> => new Map(ts.map((t) => [t.name, t]));

const expected = new Map<string, ExpectedWeight>([
  ['lstm.weight_ih', { key: 'p0', shape: [8, 3] }],
  ['lstm.bias', { key: 'p1', shape: [8] }],
  ['out.gain', { key: 'p2', shape: [] }],
]);

describe('matchWeights', () => {
  it('returns every weight by key, the very data the file holds', () => {
    const f = fileOf(tensor('lstm.weight_ih', [8, 3]), tensor('lstm.bias', [8]), tensor('out.gain', []));
    const r = matchWeights(expected, f);
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    expect([...r.value.keys()]).toEqual(['p0', 'p1', 'p2']);
    expect(r.value.get('p0')).toBe(f.get('lstm.weight_ih')!.data);
    expect(r.value.get('p2')).toEqual(new Float32Array([8]));
  });

  it('refuses NaN and infinite weights, naming the tensor and the element', () => {
    const bad = tensor('lstm.bias', [8]);
    bad.data[5] = Number.NaN;
    const inf = tensor('out.gain', []);
    inf.data[0] = -Infinity;
    const r = matchWeights(expected, fileOf(tensor('lstm.weight_ih', [8, 3]), bad, inf));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map((e) => [e.code, e.path, e.message])).toEqual([
      ['E444', '$["lstm.bias"]', 'weight "lstm.bias" holds NaN at element 5: weights must be finite numbers'],
      ['E444', '$["out.gain"]', 'weight "out.gain" holds -Infinity at element 0: weights must be finite numbers'],
    ]);
  });

  it('matches a file written and read back', () => {
    const bytes = writeSafetensors([tensor('out.gain', []), tensor('lstm.bias', [8]), tensor('lstm.weight_ih', [8, 3])]);
    const read = readSafetensors(bytes);
    if (!read.ok) throw new Error('unreadable');
    const r = matchWeights(expected, read.value.tensors);
    expect(r.ok && [...r.value.get('p1')!]).toEqual([...tensor('lstm.bias', [8]).data]);
  });

  it('E417: a missing weight, with its node and shape', () => {
    const r = matchWeights(expected, fileOf(tensor('lstm.weight_ih', [8, 3]), tensor('out.gain', [])));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatchObject({ code: 'E417', nodes: ['lstm'] });
    expect(r.errors[0]!.message).toContain('"lstm.bias"');
    expect(r.errors[0]!.message).toContain('[8]');
  });

  it('E418: a weight of another shape, naming both shapes; a scalar is not a [1]', () => {
    const r = matchWeights(expected, fileOf(tensor('lstm.weight_ih', [3, 8]), tensor('lstm.bias', [8]), tensor('out.gain', [1])));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map((e) => [e.code, e.path, e.nodes])).toEqual([
      ['E418', '$["lstm.weight_ih"].shape', ['lstm']],
      ['E418', '$["out.gain"].shape', ['out']],
    ]);
    expect(r.errors[0]!.message).toContain('[3, 8] in the file');
    expect(r.errors[0]!.message).toContain('needs [8, 3]');
    expect(r.errors[1]!.message).toContain('[1] in the file but the graph needs []');
  });

  it('E419: each tensor the graph lacks, in name order, with the node when the graph has it', () => {
    const r = matchWeights(
      expected,
      fileOf(tensor('lstm.weight_ih', [8, 3]), tensor('lstm.bias', [8]), tensor('out.gain', []), tensor('zz', [2]), tensor('lstm.extra', [1])),
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map((e) => [e.code, e.path, e.nodes])).toEqual([
      ['E419', '$["lstm.extra"]', ['lstm']],
      ['E419', '$.zz', undefined],
    ]);
    expect(r.errors[1]!.message).toContain('"zz" (shape [2])');
  });

  it('recognises PyTorch RNN names and says what to rename them to', () => {
    const r = matchWeights(expected, fileOf(tensor('lstm.weight_ih_l0', [8, 3]), tensor('lstm.bias', [8]), tensor('out.gain', [])));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map((e) => e.code)).toEqual(['E417', 'E419']);
    expect(r.errors[0]!.message).toContain('the file has "lstm.weight_ih_l0", PyTorch\'s name for it: rename that tensor to "lstm.weight_ih"');
    expect(r.errors[1]!.message).toContain('PyTorch RNN parameter name');
    expect(r.errors[1]!.message).toContain('rename it to "lstm.weight_ih"');

    // A bare PyTorch name (no module prefix) points at the graph weights of that kind.
    const bare = matchWeights(expected, fileOf(tensor('weight_ih_l0', [8, 3]), tensor('lstm.bias', [8]), tensor('out.gain', [])));
    expect(!bare.ok && bare.errors[1]!.message).toContain('rename it to "lstm.weight_ih"');
  });

  it('suggests a near name for a misspelt tensor', () => {
    const r = matchWeights(expected, fileOf(tensor('lstm.weight_hi', [8, 3]), tensor('lstm.bias', [8]), tensor('out.gain', [])));
    expect(!r.ok && r.errors.map((e) => e.message)).toEqual([
      expect.stringContaining('is it the file\'s "lstm.weight_hi"?'),
      expect.stringContaining('did you mean "lstm.weight_ih"?'),
    ]);
  });

  it('an empty graph with an empty file matches', () => {
    expect(matchWeights(new Map(), new Map())).toEqual({ ok: true, value: new Map() });
  });
});
