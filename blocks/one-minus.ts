/** 1 − x: the complement of a gate, as in the GRU's (1 − z) ⊙ n. */
import { defineBlock } from './types.ts';
import { sameAsIn, vectorPort } from './elementwise-common.ts';

export const oneMinus = defineBlock({
  type: 'one_minus',
  title: '1 − x',
  category: 'elementwise',
  doc: 'Elementwise 1 − x. Turns a gate z into its complement 1 − z (how much of the new value a GRU keeps).',
  inputs: [vectorPort('in', 'input vector, usually a gate in (0, 1)')],
  outputs: [{ name: 'out', doc: '1 − in' }],
  params: {},
  shape: sameAsIn,
  weights: () => [],
  forward: (g, ins) => ({ out: g.sub(g.fill(1, ins.in!.shape), ins.in!) }),
});
