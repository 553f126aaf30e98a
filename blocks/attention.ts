/** Attention: a softmax-weighted sum of a sequence of vectors, the weights chosen by a query (Bahdanau / Luong). */
import { defineBlock } from './types.ts';
import type { WeightDef } from './types.ts';
import type { Sym } from './ops.ts';
import { MAX_HIDDEN } from './cell-common.ts';
import { readOutputs, readPorts, readSizes, weightedRead } from './attention-common.ts';

export const attention = defineBlock({
  type: 'attention',
  title: 'Attention',
  category: 'attention',
  doc:
    'Scores every key against the query, turns the scores into weights with a softmax over time, and returns ' +
    'the weighted sum of the values (the context) and the weights. Scores: dot qᵀk, scaled_dot qᵀk/√d, ' +
    'or additive (Bahdanau) vᵀ tanh(W_q q + W_k k).',
  inputs: [
    { name: 'query', doc: 'what to look for, e.g. the decoder’s previous state [dq]', accepts: [readPorts.query] },
    { name: 'keys', doc: 'the whole sequence scored against the query, e.g. every encoder state (take: all) [T × dk]', accepts: [readPorts.keys] },
    { name: 'values', doc: 'the whole sequence averaged, along the keys’ time axis (often the keys themselves) [T × dv]', accepts: [readPorts.values] },
  ],
  outputs: [
    { name: 'context', doc: 'Σ_t a_t values_t [dv]' },
    { name: 'weights', doc: 'the attention weights a_t, one per key, summing to 1' },
  ],
  params: {
    score: { kind: 'enum', doc: 'how a key is scored against the query', values: ['dot', 'scaled_dot', 'additive'], default: 'additive' },
    size: { kind: 'int', doc: 'additive only: size of the hidden layer the query and keys are projected to', default: 64, min: 1, max: MAX_HIDDEN },
  },
  shape(ins, p) {
    const { read, weights } = readOutputs(readSizes(ins, p.score !== 'additive'));
    return { context: read, weights };
  },
  weights(ins, p): WeightDef[] {
    const s = readSizes(ins, p.score !== 'additive');
    if (p.score !== 'additive') return [];
    return [
      { name: 'W_q', shape: [p.size, s.query], init: { kind: 'glorot' }, doc: 'query projection [size, dq]' },
      { name: 'W_k', shape: [p.size, s.key], init: { kind: 'glorot' }, doc: 'key projection [size, dk]' },
      { name: 'v', shape: [p.size], init: { kind: 'glorot' }, doc: 'scoring vector [size]: e_t = vᵀ tanh(W_q q + W_k k_t)' },
    ];
  },
  forward(g, ins, w, p, masks) {
    const q = ins.query!;
    const keys = ins.keys!; // [T, dk]
    let scores: Sym;
    if (p.score === 'additive') {
      const hidden = g.tanh(g.add(g.matmul(keys, w.W_k!, { transB: true }), g.matmul(q, w.W_q!, { transB: true })));
      scores = g.matmul(hidden, w.v!);
    } else {
      scores = g.matmul(keys, q);
      if (p.score === 'scaled_dot') scores = g.scale(scores, 1 / Math.sqrt(keys.shape[1]!));
    }
    const { read, weights } = weightedRead(g, scores, ins.values!, masks?.keys);
    return { context: read, weights };
  },
});
