/** Elementwise sum of two or three vectors: a residual connection, or a gate's input and hidden terms. */
import { defineBlock } from './types.ts';
import { sameVectors, vectorPort } from './elementwise-common.ts';

export const add = defineBlock({
  type: 'add',
  title: 'Add +',
  category: 'elementwise',
  doc: 'Elementwise sum a + b (+ c) of vectors of one size.',
  inputs: [
    vectorPort('a', 'first term'),
    vectorPort('b', 'second term, the same size as a'),
    vectorPort('c', 'optional third term, the same size as a', true),
  ],
  outputs: [{ name: 'out', doc: 'a + b (+ c)' }],
  params: {},
  shape: (ins) => ({ out: sameVectors(ins, ['a', 'b'], ['c']) }),
  weights: () => [],
  forward(g, ins) {
    const ab = g.add(ins.a!, ins.b!);
    return { out: ins.c !== undefined ? g.add(ab, ins.c) : ab };
  },
});
