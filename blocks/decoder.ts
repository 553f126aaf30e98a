/** The output layer: logits over the vocabulary (or output features) from a state vector. */
import { defineBlock } from './types.ts';
import { vector, vectorSize } from './shape.ts';
import { MAX_VOCAB } from './source-common.ts';
import { linear } from './linear.ts';
import { shareParam } from './share.ts';

export const decoder = defineBlock({
  type: 'decoder',
  title: 'Decoder',
  category: 'encdec',
  doc:
    'The output layer (the lecture’s Dec): logits = W·x + b, one per class. Feed it to a cross-entropy loss; ' +
    'its argmax is what a feedback input carries to the next step when generating.',
  inputs: [{ name: 'in', doc: 'state to read out, e.g. an RNN’s h', accepts: [{ kind: 'vector', seq: false }] }],
  outputs: [{ name: 'out', doc: 'logits [size] (not normalised)' }],
  params: {
    size: { kind: 'int', doc: 'number of outputs: the vocabulary size for tokens', default: 12, min: 1, max: MAX_VOCAB },
    bias: { kind: 'bool', doc: 'learn a bias', default: true },
    share: shareParam,
  },
  shape(ins, p) {
    vectorSize(ins, 'in');
    return { out: vector(p.size) };
  },
  weights: (ins, p) => linear.weights(ins, p),
  forward: (g, ins, w, p) => linear.forward(g, ins, w, p),
});
