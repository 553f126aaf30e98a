/** z⁻¹: the only way to close a cycle. Its output at step t is its input at step t−1. */
import { defineBlock } from './types.ts';
import { ShapeIssue, vector, vectorSize } from './shape.ts';
import { MAX_HIDDEN } from './cell-common.ts';

export const delay = defineBlock({
  type: 'delay',
  title: 'Delay z⁻¹',
  category: 'recurrent',
  doc:
    'Output at step t = input at step t−1. At the first step: zeros, a learned vector, random values, or whatever ' +
    'arrives at the init port (how a decoder starts from the encoder’s last state).',
  inputs: [
    { name: 'in', doc: 'value to hand to the next step', accepts: [{ kind: 'vector', seq: false }] },
    { name: 'init', doc: 'value at the first step (overrides the init param)', accepts: [{ kind: 'vector', seq: false }], optional: true },
  ],
  outputs: [{ name: 'out', doc: 'the input of the previous step' }],
  params: {
    init: { kind: 'enum', doc: 'first-step value when the init port is not connected', values: ['zeros', 'learned', 'random'], default: 'zeros' },
    size: { kind: 'optionalInt', doc: 'state size; inferred from the ports when absent', min: 1, max: MAX_HIDDEN },
  },
  // Validation resolves a delay's type before its consumers (its `in` wire closes a cycle), from
  // the init port, the size param, or what its consumers expect; it passes that type as `in`.
  shape(ins, p) {
    // Only float vectors can be carried over; check kinds before sizes so tokens read as the wrong kind.
    if (ins.in !== undefined) vectorSize(ins, 'in');
    if (ins.init !== undefined) vectorSize(ins, 'init');
    const t = ins.in ?? ins.init ?? (p.size !== undefined ? vector(p.size) : undefined);
    if (t === undefined) throw new ShapeIssue('kind', ['out'], 'cannot tell the size of this delay: set its size param or connect its init port');
    if (ins.in !== undefined && ins.init !== undefined) {
      const a = vectorSize(ins, 'in');
      const b = vectorSize(ins, 'init');
      if (a !== b) throw new ShapeIssue('mismatch', ['in', 'init'], `ports in [${a}] and init [${b}] must have the same shape`);
    }
    if (p.size !== undefined && t.shape[0] !== p.size) {
      throw new ShapeIssue('mismatch', [ins.in !== undefined ? 'in' : 'init'], `the delay's size is ${p.size} but its input is [${t.shape.join(', ')}]`);
    }
    return { out: { dtype: 'float', shape: [...t.shape] } };
  },
  weights(ins, p) {
    // A wired init port decides the first step; a learned vector would never be read (validation warns).
    if (p.init !== 'learned' || ins.init !== undefined) return [];
    const n = ins.in !== undefined ? vectorSize(ins, 'in') : (p.size ?? 1);
    return [{ name: 'init', shape: [n], init: { kind: 'zeros' }, doc: 'learned first-step state' }];
  },
  // The unroller wires step t's output to step t−1's input; within one step a delay passes its input through.
  forward: (_g, ins) => ({ out: ins.in! }),
});
