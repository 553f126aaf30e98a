/** The GRU drawn from primitive blocks, one linear per gate and per PyTorch bias so weights map exactly. */
import type { CompositeDef } from './types.ts';
import { CompositeBuilder, gateRows } from './composite-builder.ts';

/**
 * r = σ(x_r + h_r), z = σ(x_z + h_z), n = tanh(x_n + r ⊙ h_n) (reset after) or
 * tanh(x_n + W_hn (r ⊙ h) + b_hn) (reset before), h = (1 − z) ⊙ n + z ⊙ h_prev, where
 * x_k = W_ik x + b_ik and h_k = W_hk h_prev + b_hk are gate k's rows of the stacked tensors.
 */
export function gruComposite(hidden: number, bias: boolean, reset: 'after' | 'before'): CompositeDef {
  const c = new CompositeBuilder();
  const ih = (id: string, k: number): string => c.projection(id, 'x', gateRows(k, hidden), 'weight_ih', 'bias_ih', bias);
  const hh = (id: string, k: number, source = 'h_prev'): string => c.projection(id, source, gateRows(k, hidden), 'weight_hh', 'bias_hh', bias);

  const r = c.node('r', 'sigmoid', {}, { in: c.node('r_sum', 'add', {}, { a: ih('x_r', 0), b: hh('h_r', 0) }) });
  const z = c.node('z', 'sigmoid', {}, { in: c.node('z_sum', 'add', {}, { a: ih('x_z', 1), b: hh('h_z', 1) }) });
  const xn = ih('x_n', 2);
  const recurrent =
    reset === 'after'
      ? c.node('r_h_n', 'multiply', {}, { a: r, b: hh('h_n', 2) })
      : hh('h_n', 2, c.node('r_h', 'multiply', {}, { a: r, b: 'h_prev' }));
  const n = c.node('n', 'tanh', {}, { in: c.node('n_sum', 'add', {}, { a: xn, b: recurrent }) });
  const fresh = c.node('new_part', 'multiply', {}, { a: c.node('one_minus_z', 'one_minus', {}, { in: z }), b: n });
  const kept = c.node('keep_part', 'multiply', {}, { a: z, b: 'h_prev' });
  return c.build({ h: c.node('h', 'add', {}, { a: fresh, b: kept }) });
}
