/** Warnings: things that do not stop training but are probably mistakes. Kept few on purpose. */
import { unrollError } from '../errors/catalogue.ts';
import { nodePath, type Ctx } from './context.ts';
import type { SourceAxes } from './sources.ts';

/** A node (not a loss) whose outputs feed nothing: it is computed for no effect (E218). A target
 *  some input carries as its teacher counts as used. */
export function warnUnused(ctx: Ctx, sources: SourceAxes): void {
  for (const n of ctx.nodes) {
    if (n.block === undefined || n.type === 'loss' || n.block.outputs.length === 0) continue;
    if (ctx.outgoing[n.index]!.length > 0 || sources.teachers.has(n.index)) continue;
    ctx.warnings.push(unrollError('E218', `${n.id}'s outputs feed nothing; connect it or remove it`, { path: nodePath(n.index), nodes: [n.id] }));
  }
}
