/** What the graph should output, for the loss: token ids (classes) or vectors, per step or per example. */
import { defineBlock } from './types.ts';
import { alignWithParam, sequenceParam, sizeParam, sourceElement, vocabParam } from './source-common.ts';

export const target = defineBlock({
  type: 'target',
  title: 'Target',
  category: 'sources',
  doc: 'The expected output, compared with a prediction by a loss. A sequence along its own time axis, or one value per example.',
  inputs: [],
  outputs: [{ name: 'out', doc: 'the expected values' }],
  params: {
    kind: { kind: 'enum', doc: 'class ids or float vectors', values: ['tokens', 'vector'], default: 'tokens' },
    vocab: vocabParam,
    size: sizeParam,
    sequence: sequenceParam,
    align_with: alignWithParam,
  },
  shape: (_ins, p) => ({ out: sourceElement(p.kind, p.vocab, p.size) }),
  weights: () => [],
  forward(g, _ins, _w, p) {
    const e = sourceElement(p.kind, p.vocab, p.size);
    return { out: g.input('out', e.shape, e.dtype) };
  },
});
