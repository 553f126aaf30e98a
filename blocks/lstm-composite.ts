/** The LSTM drawn from primitive blocks, one linear per gate and per PyTorch bias so weights map exactly. */
import type { CompositeDef } from './types.ts';
import { CompositeBuilder, gateRows } from './composite-builder.ts';

/**
 * Gate k (i, f, g, o in PyTorch's order) = act(x_k + h_k) with x_k = W_ik x + b_ik and
 * h_k = W_hk h_prev + b_hk; c = f ⊙ c_prev + i ⊙ g; h = o ⊙ tanh(c).
 */
export function lstmComposite(hidden: number, bias: boolean): CompositeDef {
  const c = new CompositeBuilder();
  const gate = (name: string, k: number, act: 'sigmoid' | 'tanh'): string => {
    const rows = gateRows(k, hidden);
    const a = c.projection(`x_${name}`, 'x', rows, 'weight_ih', 'bias_ih', bias);
    const b = c.projection(`h_${name}`, 'h_prev', rows, 'weight_hh', 'bias_hh', bias);
    return c.node(name, act, {}, { in: c.node(`${name}_sum`, 'add', {}, { a, b }) });
  };
  const i = gate('i', 0, 'sigmoid');
  const f = gate('f', 1, 'sigmoid');
  const g = gate('g', 2, 'tanh');
  const o = gate('o', 3, 'sigmoid');
  const cell = c.node('c', 'add', {}, {
    a: c.node('c_f', 'multiply', {}, { a: f, b: 'c_prev' }),
    b: c.node('c_i', 'multiply', {}, { a: i, b: g }),
  });
  const h = c.node('h', 'multiply', {}, { a: o, b: c.node('tanh_c', 'tanh', {}, { in: cell }) });
  return c.build({ h, c: cell });
}
