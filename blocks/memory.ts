/** Key-value memory read (memory networks): softmax addressing over keys · query (or, with `linear`, the raw scores), weighted sum of values. */
import { defineBlock } from './types.ts';
import { readOutputs, readPorts, readSizes, weightedRead } from './attention-common.ts';

export const memory = defineBlock({
  type: 'memory',
  title: 'Memory read',
  category: 'attention',
  doc:
    'Key-value memory: addresses the memory by a softmax over keys · query and returns the weighted sum of the ' +
    'values. Several hops in a loop make a memory network; a transformer layer is many of these.',
  inputs: [
    { name: 'query', doc: 'the question or controller state [d]', accepts: [readPorts.query] },
    { name: 'keys', doc: 'what each memory slot is addressed by [T × d]', accepts: [readPorts.keys] },
    { name: 'values', doc: 'what each memory slot returns, along the keys’ axis [T × dv]', accepts: [readPorts.values] },
  ],
  outputs: [
    { name: 'read', doc: 'Σ_t p_t values_t [dv]' },
    { name: 'weights', doc: 'the addressing weights p_t, one per slot, summing to 1' },
  ],
  params: {
    linear: {
      kind: 'bool',
      doc: 'no softmax: the addressing weights are the raw scores keys · query (MemN2N’s linear start; training.linearStart sets it for the first steps)',
      default: false,
    },
  },
  shape: (ins) => readOutputs(readSizes(ins, true)),
  weights: () => [],
  forward: (g, ins, _w, p, masks) => {
    const scores = g.matmul(ins.keys!, ins.query!);
    if (!p.linear) return weightedRead(g, scores, ins.values!, masks?.keys);
    // Padded slots must read nothing: zero their scores (there is no softmax to push them to 0).
    const weights = masks?.keys === undefined ? scores : g.mul(scores, masks.keys);
    return { read: g.matmul(weights, ins.values!), weights };
  },
});
