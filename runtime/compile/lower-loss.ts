/**
 * A loss node becomes one per-example scalar. Sequences are scored position by position (no
 * stacked copy of the predictions), so padding can be masked per position: a mean counts each
 * example's real steps, and `at: last` picks each example's own last step.
 */
import type { Sym } from '../../blocks/ops.ts';
import type { UnrolledNode } from '../unroll/types.ts';
import type { Lowering } from './lower.ts';

export function lowerLoss(L: Lowering, u: UnrolledNode, params: Readonly<Record<string, unknown>>): void {
  const { g } = L;
  const predSrc = u.inputs.pred;
  const tgtSrc = u.inputs.target;
  if (predSrc === undefined || tgtSrc === undefined) throw new Error(`lowering: loss ${u.node} is not fully connected`);
  const predType = L.delivered(u.node, 'pred');
  const axis = predType?.seq;
  const width = predType?.shape[0] ?? 1;
  const targetNode = L.sourceNode(tgtSrc);

  let preds: Sym[];
  let targets: Sym[];
  if (axis === undefined) {
    preds = [L.resolve(u, 'pred', predSrc)];
    targets = [L.resolve(u, 'target', tgtSrc)];
  } else {
    if (predSrc.kind === 'stack') {
      preds = predSrc.items.map((it) => L.resolve(u, 'pred', { kind: 'node', key: it.key, port: it.port }));
    } else {
      const whole = L.resolve(u, 'pred', predSrc);
      preds = Array.from({ length: whole.shape[0]! }, (_, p) => g.index(whole, p, 0));
    }
    if (targetNode !== undefined) {
      targets = preds.map((_, p) => L.data(targetNode, p));
    } else {
      const whole = L.resolve(u, 'target', tgtSrc);
      targets = preds.map((_, p) => g.index(whole, p, 0));
    }
  }

  const mean = params.reduction === 'mean';
  const perStep = preds.map((pred, p) => {
    const tgt = targets[p]!;
    if (params.kind === 'cross_entropy') return g.crossEntropy(pred, tgt);
    let l: Sym;
    if (params.kind === 'bce') l = g.sum(g.bceLogits(pred, tgt));
    else {
      const d = g.sub(pred, tgt);
      l = g.sum(g.mul(d, d));
    }
    return mean && width > 1 ? g.scale(l, 1 / width) : l;
  });

  let total: Sym;
  const masked = axis !== undefined && L.options.masked.has(axis);
  if (axis === undefined) total = perStep[0]!;
  else if (params.at === 'last') total = masked ? L.selectLast(axis, perStep) : perStep[perStep.length - 1]!;
  else {
    const terms = masked ? perStep.map((l, p) => g.mul(L.axisFeed('mask', axis, p), l)) : perStep;
    total = terms.reduce((a, b) => g.add(a, b));
    if (mean) total = masked ? g.mul(total, L.axisFeed('invlen', axis)) : g.scale(total, 1 / perStep.length);
  }
  L.losses.push(total.id);
  L.outputs.set(`${u.key}.value`, total.id);
  L.predictions.push({ loss: u.node, target: targetNode ?? '', syms: preds.map((s) => s.id), seq: axis !== undefined, width });
}
