/** Long short-term memory cell (PyTorch nn.LSTM layout, gates i, f, g, o). */
import { defineBlock } from './types.ts';
import type { Init, WeightDef } from './types.ts';
import type { OpBuilder, Sym } from './ops.ts';
import { vector, vectorSize } from './shape.ts';
import { checkCellInputs, hiddenSizeParam, recurrentBiasParam, recurrentInitParam, recurrentWeights, stateExpectations } from './cell-common.ts';
import { lstmComposite } from './lstm-composite.ts';

/** Gate k's rows `[k·H, (k+1)·H)` of the stacked pre-activations `[4H]`. */
const gateRows = (g: OpBuilder, s: Sym, k: number, hidden: number): Sym => g.slice(s, k * hidden, (k + 1) * hidden, 0);

/** `w` with its forget-gate rows `[H, 2H)` initialised by `forget` and the other rows as before. */
function withForgetRows(w: WeightDef, hidden: number, forget: Init): WeightDef {
  return {
    ...w,
    init: { kind: 'rows', parts: [{ rows: hidden, init: w.init }, { rows: hidden, init: forget }, { rows: 2 * hidden, init: w.init }] },
  };
}

export const lstm = defineBlock({
  type: 'lstm',
  title: 'LSTM cell',
  category: 'recurrent',
  doc:
    'Long short-term memory: input, forget and output gates around a cell state c; c = f ⊙ c_prev + i ⊙ g, ' +
    'h = o ⊙ tanh(c). Close both loops (h and c) through delays. Open it to see the gates.',
  inputs: [
    { name: 'x', doc: 'input at this step', accepts: [{ kind: 'vector', seq: false }] },
    { name: 'h_prev', doc: 'hidden state from the previous step (a delay) [hidden]', accepts: [{ kind: 'vector', seq: false }] },
    { name: 'c_prev', doc: 'cell state from the previous step (a delay) [hidden]', accepts: [{ kind: 'vector', seq: false }] },
  ],
  outputs: [
    { name: 'h', doc: 'new hidden state [hidden], what the next layer reads' },
    { name: 'c', doc: 'new cell state [hidden], the memory carried to the next step' },
  ],
  params: {
    hidden: hiddenSizeParam,
    bias: recurrentBiasParam,
    init: recurrentInitParam,
    forget_bias: {
      kind: 'number',
      doc: 'when not 0: start the forget gate’s bias_ih rows at this value (and its bias_hh rows at 0) so the cell remembers from the start; 0 keeps PyTorch’s init',
      default: 0,
      min: -10,
      max: 10,
    },
  },
  expects: (p) => stateExpectations(p.hidden, ['h_prev', 'c_prev']),
  shape(ins, p) {
    checkCellInputs(ins, p.hidden, ['h_prev', 'c_prev']);
    return { h: vector(p.hidden), c: vector(p.hidden) };
  },
  weights(ins, p) {
    const ws = recurrentWeights(4, vectorSize(ins, 'x'), p.hidden, p.bias, p.init);
    if (p.forget_bias === 0) return ws;
    return ws.map((w) =>
      w.name === 'bias_ih'
        ? withForgetRows(w, p.hidden, { kind: 'constant', value: p.forget_bias })
        : w.name === 'bias_hh'
          ? withForgetRows(w, p.hidden, { kind: 'zeros' })
          : w,
    );
  },
  forward(g, ins, w, p) {
    const H = p.hidden;
    // Each term gets its own bias before they are summed, as in PyTorch and the composite.
    let gi = g.matmul(ins.x!, w.weight_ih!, { transB: true });
    let gh = g.matmul(ins.h_prev!, w.weight_hh!, { transB: true });
    if (p.bias) {
      gi = g.add(gi, w.bias_ih!);
      gh = g.add(gh, w.bias_hh!);
    }
    const pre = (k: number): Sym => g.add(gateRows(g, gi, k, H), gateRows(g, gh, k, H));
    const i = g.sigmoid(pre(0));
    const f = g.sigmoid(pre(1));
    const cand = g.tanh(pre(2));
    const o = g.sigmoid(pre(3));
    const c = g.add(g.mul(f, ins.c_prev!), g.mul(i, cand));
    return { h: g.mul(o, g.tanh(c)), c };
  },
  composite: (_ins, p) => lstmComposite(p.hidden, p.bias),
});
