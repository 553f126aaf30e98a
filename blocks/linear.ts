/** Fully connected layer y = W x + b (PyTorch nn.Linear layout: weight [size, in]). */
import { defineBlock } from './types.ts';
import { vector, vectorSize } from './shape.ts';
import { MAX_HIDDEN } from './cell-common.ts';

export const linear = defineBlock({
  type: 'linear',
  title: 'Linear',
  category: 'elementwise',
  doc: 'y = W·x + b. No activation; follow it with tanh, sigmoid or relu.',
  inputs: [{ name: 'in', doc: 'input vector', accepts: [{ kind: 'vector', seq: false }] }],
  outputs: [{ name: 'out', doc: 'W·x + b' }],
  params: {
    size: { kind: 'int', doc: 'output size', default: 64, min: 1, max: MAX_HIDDEN },
    bias: { kind: 'bool', doc: 'learn a bias', default: true },
  },
  shape(ins, p) {
    vectorSize(ins, 'in');
    return { out: vector(p.size) };
  },
  weights(ins, p) {
    const n = vectorSize(ins, 'in');
    const bound = 1 / Math.sqrt(n);
    return [
      { name: 'weight', shape: [p.size, n], init: { kind: 'uniform', bound }, doc: 'weights [out, in]' },
      ...(p.bias ? [{ name: 'bias', shape: [p.size], init: { kind: 'uniform', bound } as const, doc: 'bias [out]' }] : []),
    ];
  },
  forward(g, ins, w, p) {
    const y = g.matmul(ins.in!, w.weight!, { transB: true });
    return { out: p.bias ? g.add(y, w.bias!) : y };
  },
});
