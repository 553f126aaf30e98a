/** Evaluates a composite (a cell drawn from primitive blocks) for one example, for testing it against the fused block. */
import type { CompositeDef, ValueType } from '../../blocks/types.ts';
import { walkComposite } from '../../blocks/composite-walk.ts';
import { evaluateBlock } from './block.ts';

/**
 * Outer output values of `def` by port. `ins` are the outer inputs (float vectors, one example);
 * `weights` the outer block's weights by name (row-major); each inner weight is its row range of
 * the outer one, its shape taken from the inner block's own weight definitions. Inner nodes run
 * in topological order, each through its block's shape rule and forward.
 */
export function evaluateComposite(
  def: CompositeDef,
  ins: Readonly<Record<string, Float64Array>>,
  weights: Readonly<Record<string, Float64Array>>,
): Record<string, Float64Array> {
  const types = new Map<Float64Array, ValueType>();
  const typeOf = (v: Float64Array): ValueType => types.get(v) ?? { dtype: 'float', shape: [v.length] };
  return walkComposite(def, ins, weights, {
    typeOf,
    rows: (outer, start, end, inner) => {
      const rowSize = inner.shape.slice(1).reduce((a, b) => a * b, 1);
      return outer.subarray(start * rowSize, end * rowSize);
    },
    run: (block, params, values, innerWeights) => {
      const portTypes = Object.fromEntries(Object.entries(values).map(([p, v]) => [p, typeOf(v)]));
      const outTypes = block.shape(portTypes, params);
      const outs = evaluateBlock(block, params, { types: portTypes, values }, innerWeights);
      for (const [port, v] of Object.entries(outs)) types.set(v, outTypes[port]!);
      return outs;
    },
  });
}
