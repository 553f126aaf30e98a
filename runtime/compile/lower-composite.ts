/**
 * Lowering a gated cell through its composite: the inner primitive blocks run their own forward,
 * each inner weight being its row range of the outer (PyTorch-layout) weight, so gradients land
 * in the same tensors as the fused cell's.
 */
import type { OpBuilder, Sym } from '../../blocks/ops.ts';
import { walkComposite } from '../../blocks/composite-walk.ts';
import type { CompositeDef } from '../../blocks/types.ts';

/** Outer output symbols of composite `def` given its outer inputs and outer weights (by name). */
export function lowerComposite(g: OpBuilder, def: CompositeDef, ins: Readonly<Record<string, Sym>>, weights: Readonly<Record<string, Sym>>): Record<string, Sym> {
  return walkComposite(def, ins, weights, {
    typeOf: (s) => ({ dtype: s.dtype, shape: s.shape }),
    rows: (outer, start, end) => (start === 0 && end === outer.shape[0] ? outer : g.slice(outer, start, end, 0)),
    run: (block, params, portSyms, inner) => block.forward(g, portSyms, inner, params),
  });
}
