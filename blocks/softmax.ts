/** exp(x_i) / Σ_j exp(x_j): turns scores into probabilities that sum to 1. */
import { defineBlock } from './types.ts';
import { sameAsIn, vectorPort } from './elementwise-common.ts';

export const softmax = defineBlock({
  type: 'softmax',
  title: 'Softmax',
  category: 'elementwise',
  doc: 'exp(x_i) / Σ_j exp(x_j): turns scores into probabilities that sum to 1.',
  inputs: [vectorPort('in', 'input vector')],
  outputs: [{ name: 'out', doc: 'softmax(in), summing to 1' }],
  params: {},
  shape: sameAsIn,
  weights: () => [],
  forward: (g, ins) => ({ out: g.softmax(ins.in!) }),
});
