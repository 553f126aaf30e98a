/** Hyperbolic tangent, squashing each element into (−1, 1). */
import { defineBlock } from './types.ts';
import { sameAsIn, vectorPort } from './elementwise-common.ts';

export const tanh = defineBlock({
  type: 'tanh',
  title: 'Tanh',
  category: 'elementwise',
  doc: 'Hyperbolic tangent, squashing each element into (−1, 1).',
  inputs: [vectorPort('in', 'input vector')],
  outputs: [{ name: 'out', doc: 'tanh(in)' }],
  params: {},
  shape: sameAsIn,
  weights: () => [],
  forward: (g, ins) => ({ out: g.tanh(ins.in!) }),
});
