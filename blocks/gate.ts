/** A learned sigmoid gate σ(W x + b), the building block of GRU and LSTM gates. */
import { defineBlock } from './types.ts';
import { vector, vectorSize } from './shape.ts';
import { MAX_HIDDEN } from './cell-common.ts';
import { linear } from './linear.ts';

export const gate = defineBlock({
  type: 'gate',
  title: 'Gate σ(Wx+b)',
  category: 'elementwise',
  doc: 'Sigmoid gate σ(W·x + b): a vector in (0, 1) that says how much of another value to let through (multiply them).',
  inputs: [{ name: 'in', doc: 'what the gate looks at', accepts: [{ kind: 'vector', seq: false }] }],
  outputs: [{ name: 'out', doc: 'σ(W·in + b), each element in (0, 1)' }],
  params: {
    size: { kind: 'int', doc: 'number of gate units (the size of the value it gates)', default: 64, min: 1, max: MAX_HIDDEN },
    bias: { kind: 'bool', doc: 'learn a bias', default: true },
  },
  shape(ins, p) {
    vectorSize(ins, 'in');
    return { out: vector(p.size) };
  },
  // Same tensors as a linear layer so weights move between the two unchanged.
  weights: (ins, p) => linear.weights(ins, p),
  forward: (g, ins, w, p) => ({ out: g.sigmoid(linear.forward(g, ins, w, p).out!) }),
});
