/** The training objective: cross-entropy, mean squared error or binary cross-entropy, at every step or the last. */
import { defineBlock } from './types.ts';
import type { ValueType } from './types.ts';
import { ShapeIssue, formatType, portType, scalar } from './shape.ts';

const vectorOrSeq = [
  { kind: 'vector', seq: false },
  { kind: 'vector', seq: true },
] as const;

export const loss = defineBlock({
  type: 'loss',
  title: 'Loss',
  category: 'loss',
  doc:
    'Compares a prediction with a target. Cross-entropy takes logits and class ids; MSE and BCE (on logits) take vectors. ' +
    'On sequences it applies at every step or only the last, averaged (mean) or summed over steps and features.',
  inputs: [
    { name: 'pred', doc: 'prediction (logits for cross-entropy and BCE)', accepts: vectorOrSeq },
    {
      name: 'target',
      doc: 'expected class ids or vectors',
      accepts: [...vectorOrSeq, { kind: 'tokens', seq: false }, { kind: 'tokens', seq: true }],
    },
  ],
  outputs: [{ name: 'value', doc: 'the loss of one example (the trainer averages over the batch)' }],
  params: {
    kind: { kind: 'enum', doc: 'which loss', values: ['cross_entropy', 'mse', 'bce'], default: 'cross_entropy' },
    reduction: { kind: 'enum', doc: 'average or add over steps and features', values: ['mean', 'sum'], default: 'mean' },
    at: { kind: 'enum', doc: 'on sequences: every step, or only the last', values: ['every', 'last'], default: 'every' },
  },
  shape(ins, p) {
    const pred = portType(ins, 'pred');
    const tgt = portType(ins, 'target');
    if (pred.dtype !== 'float' || pred.shape.length !== 1) {
      throw new ShapeIssue('kind', ['pred'], `port pred takes a vector (or a sequence of vectors), got ${formatType(pred)}`);
    }
    const both = `pred ${formatType(pred)} and target ${formatType(tgt)}`;
    if (pred.seq !== tgt.seq) {
      // The usual slip is a target on its own axis, or a whole sequence compared with one value.
      const source = pred.seq ?? 'the sequence source of the prediction';
      const hint = `set align_with on the target (to ${source}) to run them along one axis, or use take "last"`;
      throw new ShapeIssue('mismatch', ['pred', 'target'], `ports ${both} must both be sequences along the same axis, or both single values: ${hint}`);
    }
    const n = pred.shape[0]!;
    if (p.kind === 'cross_entropy') {
      if (tgt.dtype !== 'int' || tgt.shape.length !== 0) {
        throw new ShapeIssue('kind', ['target'], `cross-entropy needs class ids at target, got ${formatType(tgt)}`);
      }
      if (tgt.vocab !== n) throw new ShapeIssue('mismatch', ['pred', 'target'], `ports ${both}: cross-entropy needs one logit per class (${tgt.vocab})`);
    } else {
      const want: ValueType = { dtype: 'float', shape: [n] };
      if (tgt.dtype !== 'float' || tgt.shape.length !== 1 || tgt.shape[0] !== n) {
        throw new ShapeIssue('mismatch', ['pred', 'target'], `ports ${both}: ${p.kind} needs a target shaped like the prediction ${formatType(want)}`);
      }
    }
    return { value: scalar };
  },
  weights: () => [],
  forward(g, ins, _w, p) {
    let pred = ins.pred!;
    let tgt = ins.target!;
    const isSeq = pred.shape.length === 2;
    if (isSeq && p.at === 'last') {
      const last = pred.shape[0]! - 1;
      pred = g.index(pred, last);
      tgt = g.index(tgt, last);
    }
    // per-position losses: [T] or [] for cross-entropy, [T, n] or [n] for mse/bce
    let per;
    if (p.kind === 'cross_entropy') per = g.crossEntropy(pred, tgt);
    else if (p.kind === 'bce') per = g.bceLogits(pred, tgt);
    else {
      const d = g.sub(pred, tgt);
      per = g.mul(d, d);
    }
    const count = per.shape.reduce((a, b) => a * b, 1);
    const total = g.sum(per);
    return { value: p.reduction === 'mean' && count > 1 ? g.scale(total, 1 / count) : total };
  },
});
