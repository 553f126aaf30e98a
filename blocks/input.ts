/** Where data enters: a sequence (or one value) of token ids, vectors, or bags of ids per example. */
import { defineBlock } from './types.ts';
import { alignWithParam, sequenceParam, sizeParam, sourceElement, vocabParam } from './source-common.ts';

export const input = defineBlock({
  type: 'input',
  title: 'Input',
  category: 'sources',
  doc:
    'Data in. With sequence on, it is a sequence along its own time axis; loops run over it. ' +
    'With feedback set, it is the decoder input: the target shifted right by one step (a start token first) while ' +
    'training, and the argmax of the feedback node at the previous step while generating.',
  inputs: [],
  outputs: [{ name: 'out', doc: 'the data: one element per step, or the whole sequence outside loops' }],
  params: {
    kind: { kind: 'enum', doc: 'token ids, float vectors, or bags of ids (a sentence for a memory)', values: ['tokens', 'vector', 'bag'], default: 'tokens' },
    vocab: vocabParam,
    size: sizeParam,
    sequence: sequenceParam,
    align_with: alignWithParam,
    feedback: { kind: 'nodeRef', doc: 'decoder whose previous prediction this input carries when generating' },
    teacher: { kind: 'nodeRef', doc: 'target this input carries shifted by one step while training (default: the target the feedback node is trained against)' },
  },
  shape: (_ins, p) => ({ out: sourceElement(p.kind, p.vocab, p.size) }),
  weights: () => [],
  forward(g, _ins, _w, p) {
    const e = sourceElement(p.kind, p.vocab, p.size);
    return { out: g.input('out', e.shape, e.dtype) };
  },
});
