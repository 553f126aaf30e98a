/**
 * Fused lowering of the gated cells: the two matmuls (with their biases, as PyTorch adds them)
 * stay ordinary ops, the gate arithmetic becomes one `lstm_cell` / `gru_cell` op per step.
 */
import type { OpBuilder, Sym } from '../../blocks/ops.ts';

export interface FusedCell {
  readonly outputs: Readonly<Record<string, Sym>>;
  /** The fused op, whose saved gate activations the diagnostics read. */
  readonly cellOp: number;
}

/** `x·W_ihᵀ + b_ih` and `h·W_hhᵀ + b_hh`: PyTorch's two terms, each with its own bias. */
function terms(g: OpBuilder, ins: Readonly<Record<string, Sym>>, w: Readonly<Record<string, Sym>>, hPrev: Sym): [Sym, Sym] {
  let gi = g.matmul(ins.x!, w.weight_ih!, { transB: true });
  let gh = g.matmul(hPrev, w.weight_hh!, { transB: true });
  if (w.bias_ih !== undefined) gi = g.add(gi, w.bias_ih);
  if (w.bias_hh !== undefined) gh = g.add(gh, w.bias_hh);
  return [gi, gh];
}

/** The fused form of `type` (lstm, gru with reset after), or undefined when the block has none. */
export function fusedCell(
  g: OpBuilder,
  type: string,
  ins: Readonly<Record<string, Sym>>,
  w: Readonly<Record<string, Sym>>,
  params: Readonly<Record<string, unknown>>,
): FusedCell | undefined {
  const H = params.hidden as number;
  if (type === 'lstm') {
    const [gi, gh] = terms(g, ins, w, ins.h_prev!);
    const hc = g.lstmCell(g.add(gi, gh), ins.c_prev!);
    return { outputs: { h: g.slice(hc, 0, H), c: g.slice(hc, H, 2 * H) }, cellOp: hc.id };
  }
  if (type === 'gru' && params.reset === 'after') {
    const [gi, gh] = terms(g, ins, w, ins.h_prev!);
    const h = g.gruCell(gi, gh, ins.h_prev!);
    return { outputs: { h }, cellOp: h.id };
  }
  return undefined;
}
