/** Logistic sigmoid 1 / (1 + e^−x) of each element, in (0, 1): a gate’s opening. */
import { defineBlock } from './types.ts';
import { sameAsIn, vectorPort } from './elementwise-common.ts';

export const sigmoid = defineBlock({
  type: 'sigmoid',
  title: 'Sigmoid σ',
  category: 'elementwise',
  doc: 'Logistic sigmoid 1 / (1 + e^−x) of each element, in (0, 1): a gate’s opening.',
  inputs: [vectorPort('in', 'input vector')],
  outputs: [{ name: 'out', doc: 'σ(in)' }],
  params: {},
  shape: sameAsIn,
  weights: () => [],
  forward: (g, ins) => ({ out: g.sigmoid(ins.in!) }),
});
