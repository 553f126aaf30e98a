/** Elementwise product a ⊙ b: how gates act on the values they let through. */
import { defineBlock } from './types.ts';
import { sameVectors, vectorPort } from './elementwise-common.ts';

export const multiply = defineBlock({
  type: 'multiply',
  title: 'Multiply ⊙',
  category: 'elementwise',
  doc: 'Elementwise product a ⊙ b of two vectors of one size, e.g. a sigmoid gate times the value it gates.',
  inputs: [vectorPort('a', 'first factor (often a gate in (0, 1))'), vectorPort('b', 'second factor, the same size as a')],
  outputs: [{ name: 'out', doc: 'a ⊙ b' }],
  params: {},
  shape: (ins) => ({ out: sameVectors(ins, ['a', 'b']) }),
  weights: () => [],
  forward: (g, ins) => ({ out: g.mul(ins.a!, ins.b!) }),
});
