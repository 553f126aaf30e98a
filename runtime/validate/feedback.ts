/**
 * What an input's `feedback` node must be. When generating, a decoder input carries the argmax of
 * the feedback node's first output at the previous step (a vector input: that output itself), so
 * the node must run step by step along the input's own axis (E215) and give one score per token
 * of the input's vocabulary, or a vector of the input's size (E200). Checked once loops and types
 * are known; inputs whose references were refused already (sources.ts) are skipped.
 */
import { formatType } from '../../blocks/shape.ts';
import type { ValueType } from '../../blocks/types.ts';
import { unrollError } from '../errors/catalogue.ts';
import { nodePath, type Ctx } from './context.ts';
import type { LoopAssignment } from './loops.ts';
import type { SourceAxes } from './sources.ts';
import { IMPLICIT_LOOP_ID } from './types.ts';

/** Report every feedback node in the wrong place or of the wrong size. */
export function checkFeedback(ctx: Ctx, la: LoopAssignment, sources: SourceAxes, outputTypes: ReadonlyMap<string, ValueType>): void {
  for (const n of ctx.nodes) {
    if (n.type !== 'input' || typeof n.params.feedback !== 'string' || ctx.broken[n.index] === 1) continue;
    const fi = ctx.byId.get(n.params.feedback);
    const axis = sources.axisOf[n.index];
    if (fi === undefined || axis === undefined) continue; // refused by resolveSourceAxes
    const f = ctx.nodes[fi]!;
    const port = f.block?.outputs[0]?.name;
    if (port === undefined || ctx.broken[fi] === 1) continue; // f's own error says what is wrong with it
    const fail = (code: 'E200' | 'E215', message: string): void => {
      ctx.errors.push(unrollError(code, message, { path: nodePath(n.index, 'params', 'feedback'), nodes: [n.id, f.id], ports: [`${f.id}.${port}`, `${n.id}.out`] }));
    };
    const carries = `when generating, input ${n.id} carries ${n.params.kind === 'tokens' ? `the argmax of ${f.id}.${port}` : `${f.id}.${port}`} at the previous step`;
    const loop = la.loops[la.loopOf[fi]!];
    if (loop === undefined) {
      fail('E215', `${carries}, but ${f.id} is outside every loop: feedback names a node of a loop over ${axis}, the axis ${n.id} runs along`);
      continue;
    }
    if (loop.axis === undefined) continue; // the loop's own error was reported
    if (loop.axis !== axis) {
      const name = loop.id === IMPLICIT_LOOP_ID ? 'the implicit loop' : `loop ${loop.id}`;
      fail('E215', `${carries}, but ${f.id} is in ${name}, which runs along ${loop.axis}, not ${axis}: feedback names a node of a loop over ${axis}, the axis ${n.id} runs along`);
      continue;
    }
    const got = outputTypes.get(`${f.id}.${port}`);
    if (got === undefined) continue; // f was not typed: its own error (or an upstream one) was reported
    const [want, what] = n.params.kind === 'tokens' ? [n.params.vocab, 'vocab'] : [n.params.size, 'size'];
    if (got.dtype !== 'float' || got.shape.length !== 1 || got.seq !== undefined) {
      fail('E215', `${carries}, but ${f.id}.${port} gives ${formatType(got)}, not a vector of ${String(want)} (${n.id}'s ${what}): feedback names the node that makes the prediction, e.g. a decoder`);
    } else if (got.shape[0] !== want) {
      fail('E200', `${carries}, so ${f.id}.${port} must give [${String(want)}] (${n.id}'s ${what}), but it gives ${formatType(got)}: point feedback at the node that makes the prediction (e.g. a decoder), or set ${n.id}'s ${what} to ${got.shape[0]}`);
    }
  }
}
