/** Warnings: things that do not stop training but are probably mistakes. Kept few on purpose. */
import { unrollError } from '../errors/catalogue.ts';
import { edgePath, fromEndpoint, nodePath, toEndpoint, type Ctx } from './context.ts';
import type { SourceAxes } from './sources.ts';

/** Every warning pass, in the order their warnings are listed. */
export function warn(ctx: Ctx, sources: SourceAxes): void {
  warnUnused(ctx, sources);
  warnIgnoredParams(ctx);
  warnTargetLeaks(ctx);
}

/** A node (not a loss) whose outputs feed nothing: it is computed for no effect (E218). A target
 *  some input carries as its teacher counts as used. */
function warnUnused(ctx: Ctx, sources: SourceAxes): void {
  for (const n of ctx.nodes) {
    if (n.block === undefined || n.type === 'loss' || n.block.outputs.length === 0) continue;
    if (ctx.outgoing[n.index]!.length > 0 || sources.teachers.has(n.index)) continue;
    ctx.warnings.push(unrollError('E218', `${n.id}'s outputs feed nothing; connect it or remove it`, { path: nodePath(n.index), nodes: [n.id] }));
  }
}

/** A delay whose `init` port is wired starts from that value, so an `init` param other than the
 *  default is never used (E220); a "learned" one would be a weight that never trains. */
function warnIgnoredParams(ctx: Ctx): void {
  for (const n of ctx.nodes) {
    if (n.type !== 'delay' || n.block === undefined || n.params.init === 'zeros') continue;
    const wire = ctx.incoming[n.index]!.find((e) => e.toPort === 'init');
    if (wire === undefined) continue;
    ctx.warnings.push(
      unrollError(
        'E220',
        `delay ${n.id}'s init param ("${String(n.params.init)}") is ignored because its init port is wired (from ${fromEndpoint(ctx, wire)}), which gives the first step's value: remove the init param`,
        { path: nodePath(n.index, 'params', 'init'), nodes: [n.id], ports: [`${n.id}.init`], edges: [wire.index] },
      ),
    );
  }
}

/** A target feeding anything but a loss's `target` port lets the model read the answer while
 *  training (E221). An input's `teacher` names a target without a wire, so it is not counted. */
function warnTargetLeaks(ctx: Ctx): void {
  for (const n of ctx.nodes) {
    if (n.type !== 'target' || n.block === undefined) continue;
    const leaks = ctx.outgoing[n.index]!.filter((e) => !(ctx.nodes[e.to]!.type === 'loss' && e.toPort === 'target'));
    if (leaks.length === 0) continue;
    const into = leaks.map((e) => toEndpoint(ctx, e));
    ctx.warnings.push(
      unrollError(
        'E221',
        `target ${n.id} feeds ${into.join(', ')}: the model would see the answer while training; targets feed only a loss's target port (for teacher forcing use an input with feedback)`,
        {
          path: edgePath(leaks[0]!.index),
          nodes: [n.id, ...leaks.map((e) => ctx.nodes[e.to]!.id).filter((id, i, all) => all.indexOf(id) === i)],
          ports: [`${n.id}.out`, ...into],
          edges: leaks.map((e) => e.index),
        },
      ),
    );
  }
}
