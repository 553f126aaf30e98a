/** Gated recurrent unit (PyTorch nn.GRU layout, gates r, z, n), with both placements of the reset gate. */
import { defineBlock } from './types.ts';
import type { OpBuilder, Sym } from './ops.ts';
import { vector, vectorSize } from './shape.ts';
import { checkCellInputs, hiddenSizeParam, recurrentBiasParam, recurrentInitParam, recurrentWeights, stateExpectations } from './cell-common.ts';
import { gruComposite } from './gru-composite.ts';

/** Gates `[from, to)` of a stacked weight `[G·H, …]`, bias `[G·H]` or pre-activation `[G·H]`. */
const gates = (g: OpBuilder, s: Sym, from: number, to: number, hidden: number): Sym => g.slice(s, from * hidden, to * hidden, 0);

export const gru = defineBlock({
  type: 'gru',
  title: 'GRU cell',
  category: 'recurrent',
  doc:
    'Gated recurrent unit: a reset gate r and an update gate z; h = (1 − z) ⊙ n + z ⊙ h_prev with candidate ' +
    'n = tanh(W_in·x + b_in + r ⊙ (W_hn·h_prev + b_hn)). Close its loop through a delay. Open it to see the gates.',
  inputs: [
    { name: 'x', doc: 'input at this step', accepts: [{ kind: 'vector', seq: false }] },
    { name: 'h_prev', doc: 'state from the previous step (a delay) [hidden]', accepts: [{ kind: 'vector', seq: false }] },
  ],
  outputs: [{ name: 'h', doc: 'new state [hidden]' }],
  params: {
    hidden: hiddenSizeParam,
    reset: {
      kind: 'enum',
      doc:
        'where r acts: after (PyTorch/cuDNN) r ⊙ (W_hn·h + b_hn); before (the lecture, Cho 2014) W_hn·(r ⊙ h) + b_hn. ' +
        'Same weights either way',
      values: ['after', 'before'],
      default: 'after',
    },
    bias: recurrentBiasParam,
    init: recurrentInitParam,
  },
  expects: (p) => stateExpectations(p.hidden, ['h_prev']),
  shape(ins, p) {
    checkCellInputs(ins, p.hidden, ['h_prev']);
    return { h: vector(p.hidden) };
  },
  weights: (ins, p) => recurrentWeights(3, vectorSize(ins, 'x'), p.hidden, p.bias, p.init),
  forward(g, ins, w, p) {
    const H = p.hidden;
    const x = ins.x!;
    const h = ins.h_prev!;
    // Each term gets its own bias before they are summed, as in PyTorch and the composite.
    const xw = g.matmul(x, w.weight_ih!, { transB: true });
    const gi = p.bias ? g.add(xw, w.bias_ih!) : xw;
    const hiddenTerm = (v: Sym, from: number, to: number): Sym => {
      const y = g.matmul(v, gates(g, w.weight_hh!, from, to, H), { transB: true });
      return p.bias ? g.add(y, gates(g, w.bias_hh!, from, to, H)) : y;
    };
    const ghRZ = hiddenTerm(h, 0, 2);
    const r = g.sigmoid(g.add(gates(g, gi, 0, 1, H), gates(g, ghRZ, 0, 1, H)));
    const z = g.sigmoid(g.add(gates(g, gi, 1, 2, H), gates(g, ghRZ, 1, 2, H)));
    const recurrent = p.reset === 'after' ? g.mul(r, hiddenTerm(h, 2, 3)) : hiddenTerm(g.mul(r, h), 2, 3);
    const n = g.tanh(g.add(gates(g, gi, 2, 3, H), recurrent));
    return { h: g.add(g.mul(g.sub(g.fill(1, [H]), z), n), g.mul(z, h)) };
  },
  composite: (_ins, p) => gruComposite(p.hidden, p.bias, p.reset),
});
