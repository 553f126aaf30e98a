/** Rectified linear unit max(x, 0) of each element. */
import { defineBlock } from './types.ts';
import { sameAsIn, vectorPort } from './elementwise-common.ts';

export const relu = defineBlock({
  type: 'relu',
  title: 'ReLU',
  category: 'elementwise',
  doc: 'Rectified linear unit max(x, 0) of each element.',
  inputs: [vectorPort('in', 'input vector')],
  outputs: [{ name: 'out', doc: 'max(in, 0)' }],
  params: {},
  shape: sameAsIn,
  weights: () => [],
  forward: (g, ins) => ({ out: g.relu(ins.in!) }),
});
