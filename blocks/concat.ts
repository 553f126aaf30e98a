/** Joins two or three vectors end to end, e.g. a word embedding and an attention context. */
import { defineBlock } from './types.ts';
import { vector, vectorSize } from './shape.ts';
import { vectorPort } from './elementwise-common.ts';

export const concat = defineBlock({
  type: 'concat',
  title: 'Concat',
  category: 'elementwise',
  doc: 'Concatenation [a; b; c] of vectors of any sizes: the output has as many elements as all inputs together.',
  inputs: [vectorPort('a', 'first part'), vectorPort('b', 'second part'), vectorPort('c', 'optional third part', true)],
  outputs: [{ name: 'out', doc: '[a; b; c]' }],
  params: {},
  shape(ins) {
    const c = ins.c !== undefined ? vectorSize(ins, 'c') : 0;
    return { out: vector(vectorSize(ins, 'a') + vectorSize(ins, 'b') + c) };
  },
  weights: () => [],
  forward: (g, ins) => ({ out: g.concat(ins.c !== undefined ? [ins.a!, ins.b!, ins.c] : [ins.a!, ins.b!]) }),
});
