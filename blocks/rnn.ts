/** Elman recurrent cell, the lecture's G: z(t) = act(W_ih x(t) + b_ih + W_hh z(t-1) + b_hh). PyTorch nn.RNN layout. */
import { defineBlock } from './types.ts';
import { vector, vectorSize } from './shape.ts';
import { checkCellInputs, hiddenSizeParam, recurrentBiasParam, recurrentInitParam, recurrentWeights, stateExpectations } from './cell-common.ts';

export const rnn = defineBlock({
  type: 'rnn',
  title: 'RNN cell',
  category: 'recurrent',
  doc: 'Elman cell: h = tanh(W_ih·x + b_ih + W_hh·h_prev + b_hh). Close its loop through a delay.',
  inputs: [
    { name: 'x', doc: 'input at this step', accepts: [{ kind: 'vector', seq: false }] },
    { name: 'h_prev', doc: 'state from the previous step (a delay)', accepts: [{ kind: 'vector', seq: false }] },
  ],
  outputs: [{ name: 'h', doc: 'new state' }],
  params: {
    hidden: hiddenSizeParam,
    nonlinearity: { kind: 'enum', doc: 'activation', values: ['tanh', 'relu'], default: 'tanh' },
    bias: recurrentBiasParam,
    init: recurrentInitParam,
  },
  expects: (p) => stateExpectations(p.hidden, ['h_prev']),
  shape(ins, p) {
    checkCellInputs(ins, p.hidden, ['h_prev']);
    return { h: vector(p.hidden) };
  },
  weights: (ins, p) => recurrentWeights(1, vectorSize(ins, 'x'), p.hidden, p.bias, p.init),
  forward(g, ins, w, p) {
    let pre = g.add(g.matmul(ins.x!, w.weight_ih!, { transB: true }), g.matmul(ins.h_prev!, w.weight_hh!, { transB: true }));
    if (p.bias) pre = g.add(g.add(pre, w.bias_ih!), w.bias_hh!);
    return { h: p.nonlinearity === 'relu' ? g.relu(pre) : g.tanh(pre) };
  },
});
