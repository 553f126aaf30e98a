import { describe, expect, it } from 'vitest';
import { loadGolden } from '../reference/golden-fixture.ts';
import { analyzeGraph } from '../validate/validate.ts';
import { Model } from '../train/model.ts';
import { readSafetensors, writeSafetensors, type NamedTensor } from './safetensors.ts';
import { fromTorchRnn, toTorchRnn, torchRnnName } from './torch-rnn.ts';
import { loadWeightBytes, weightTensors } from '../train/model-weights.ts';

const flat = (v: unknown): number[] => (Array.isArray(v) ? v.flatMap(flat) : [v as number]);

/** A PyTorch state dict as a user would save it from `nn.LSTM` inside a module: `rnn.weight_ih_l0` … */
function torchStateDict(cell: 'rnn' | 'gru' | 'lstm', prefix: string): NamedTensor[] {
  const gold = loadGolden(cell);
  return Object.entries(gold.weights).map(([k, v]) => ({ name: `${prefix}.${k}`, shape: gold.weight_shapes[k]!, data: Float32Array.from(flat(v)) }));
}

describe('PyTorch RNN weight names', () => {
  it('names layers as nn.RNN/GRU/LSTM do', () => {
    expect(torchRnnName('weight_ih', { node: 'g' })).toBe('weight_ih_l0');
    expect(torchRnnName('bias_hh', { node: 'g', prefix: 'encoder.rnn', layer: 1, reverse: true })).toBe('encoder.rnn.bias_hh_l1_reverse');
  });

  for (const cell of ['rnn', 'gru', 'lstm'] as const) {
    it(`${cell}: a PyTorch state dict loads into a cell node by name and gives PyTorch's outputs`, () => {
      const gold = loadGolden(cell);
      const H = gold.hidden_size;
      const states = cell === 'lstm' ? ['h', 'c'] : ['h'];
      const analysis = analyzeGraph({
        format: 'unroll-graph',
        version: 1,
        name: 'golden',
        loops: [{ id: 't', over: 'x' }],
        nodes: [
          { id: 'x', type: 'input', params: { kind: 'vector', size: gold.input_size } },
          { id: 'my-cell', type: cell, params: { hidden: H }, loop: 't' },
          ...states.map((s) => ({ id: `d_${s}`, type: 'delay', params: {}, loop: 't' })),
        ],
        edges: states.flatMap((s) => [
          { from: `my-cell.${s}`, to: `d_${s}.in` },
          { from: `d_${s}.out`, to: `my-cell.${s}_prev` },
        ]).concat([{ from: 'x.out', to: 'my-cell.x' }]),
      }, { purpose: 'inference' });
      expect(analysis.errors).toEqual([]);
      const model = new Model(analysis);
      const renamed = fromTorchRnn(torchStateDict(cell, 'rnn'), [{ node: 'my-cell', prefix: 'rnn' }]);
      if (!renamed.ok) throw new Error(renamed.errors[0]!.message);
      // Through a safetensors file, as a user would move them.
      const loaded = loadWeightBytes(model, writeSafetensors(renamed.value));
      if (!loaded.ok) throw new Error(loaded.errors[0]!.message);
      const B = gold.batch;
      const T = gold.seq_len;
      const pass = model.pass({ lengths: { x: T }, batch: B, backward: false, keepOutputs: true });
      if (!pass.ok) throw new Error(pass.errors[0]!.message);
      pass.value.feed({ size: B, sources: new Map([['x', { values: flat(gold.input), length: T }]]), lengths: new Map() });
      pass.value.forward();
      const want = gold.zero_initial_state.float32.output; // [batch][step][hidden]
      for (let t = 0; t < T; t++) {
        const got = pass.value.valueOf(pass.value.plan.lowered.outputs.get(`my-cell@${t}.h`)!);
        for (let b = 0; b < B; b++) for (let j = 0; j < H; j++) expect(Math.abs(got[b * H + j]! - want[b]![t]![j]!)).toBeLessThan(1e-5);
      }
      // And back: Unroll's weights under PyTorch's names are the state dict we started from.
      const back = readSafetensors(writeSafetensors(toTorchRnn(weightTensors(model), [{ node: 'my-cell', prefix: 'rnn' }])));
      if (!back.ok) throw new Error('unreadable');
      const original = torchStateDict(cell, 'rnn');
      expect([...back.value.tensors.keys()].sort()).toEqual(original.map((t) => t.name).sort());
      for (const t of original) expect(Array.from(back.value.tensors.get(t.name)!.data)).toEqual(Array.from(t.data));
    });
  }

  it('refuses a layer with a missing tensor (E462), naming the node', () => {
    const sd = torchStateDict('lstm', 'rnn').filter((t) => t.name !== 'rnn.weight_hh_l0');
    const r = fromTorchRnn(sd, [{ node: 'enc', prefix: 'rnn' }]);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors).toEqual([expect.objectContaining({ code: 'E462', nodes: ['enc'], message: expect.stringContaining('rnn.weight_hh_l0') })]);
  });
});
