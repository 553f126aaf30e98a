/** The parameter budget (E214): a model is refused before anything is allocated for its weights. */
import type { WeightDef } from '../../blocks/types.ts';
import { unrollError } from '../errors/catalogue.ts';
import { nodePath, type Ctx } from './context.ts';

/** Default `ValidateOptions.maxParameters`: 2^28 float32 values, 1 GiB. */
export const DEFAULT_MAX_PARAMETERS = 2 ** 28;

/** Elements of a tensor of this shape. */
export const elements = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** `1234567` → `1,234,567`, the same in every locale. */
export const groupDigits = (n: number): string => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');

/** Total trainable parameters; reports E214 (naming the three biggest weights) above `max`. */
export function checkParameterBudget(ctx: Ctx, weights: ReadonlyMap<string, readonly WeightDef[]>, max: number): number {
  const all: { node: number; key: string; shape: readonly number[]; count: number }[] = [];
  for (const n of ctx.nodes) {
    for (const w of weights.get(n.id) ?? []) all.push({ node: n.index, key: `${n.id}.${w.name}`, shape: w.shape, count: elements(w.shape) });
  }
  const total = all.reduce((s, w) => s + w.count, 0);
  if (total <= max) return total;
  // Stable sort: equal sizes stay in document order.
  const biggest = [...all].sort((a, b) => b.count - a.count).slice(0, 3);
  const list = biggest.map((w) => `${w.key} [${w.shape.join(', ')}] (${groupDigits(w.count)})`).join(', ');
  ctx.errors.push(
    unrollError('E214', `the model has ${groupDigits(total)} trainable parameters, more than the ${groupDigits(max)} Unroll allocates; the biggest weights: ${list}. Make those layers smaller`, {
      path: nodePath(biggest[0]!.node),
      nodes: [...new Set(biggest.map((w) => ctx.nodes[w.node]!.id))],
    }),
  );
  return total;
}
