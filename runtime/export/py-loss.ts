/**
 * The `loss` method of the generated PyTorch module: each loss node of the graph as Unroll's
 * lowering computes it (runtime/compile/lower-loss.ts), per example. Cross-entropy per position;
 * mse and bce summed over features (divided by their number for `mean`); over a sequence, the
 * mean or sum of the steps, or only the last step (`at: last`).
 */
import { splitEndpoint } from '../graph/types.ts';
import { unrollError, type UnrollError } from '../errors/catalogue.ts';
import type { GraphAnalysis } from '../validate/types.ts';
import type { ExportOutput } from './outputs.ts';
import { pyIdent, pyString } from './names.ts';

export function lossLines(a: GraphAnalysis, outputs: readonly ExportOutput[], sourceVar: (id: string) => string, errors: UnrollError[]): string[] {
  const lines: string[] = ['losses = {}'];
  const typeOf = new Map(a.doc.nodes.map((n) => [n.id, n.type]));
  for (const l of a.doc.nodes.filter((n) => n.type === 'loss')) {
    const p = a.params.get(l.id) ?? {};
    const predEdge = a.doc.edges.find((e) => e.to === `${l.id}.pred`);
    const tgtEdge = a.doc.edges.find((e) => e.to === `${l.id}.target`);
    const pred = predEdge !== undefined ? splitEndpoint(predEdge.from) : undefined;
    const tgt = tgtEdge !== undefined ? splitEndpoint(tgtEdge.from) : undefined;
    const out = outputs.find((o) => pred !== undefined && o.name === `${pred.node}.${pred.port}`);
    if (out === undefined || tgt === undefined || typeOf.get(tgt.node) !== 'target' && typeOf.get(tgt.node) !== 'input') {
      errors.push(unrollError('E460', `loss ${l.id} must score a block's output against a target source to be exported`, { nodes: [l.id] }));
      continue;
    }
    const predType = a.edgeTypes[a.doc.edges.indexOf(predEdge!)];
    const seq = predType?.seq !== undefined;
    const width = predType?.shape[0] ?? 1;
    const v = pyIdent(`loss_${l.id}`);
    const P = `outputs[${pyString(out.name)}]`;
    const T = sourceVar(tgt.node);
    lines.push(`# ${l.id}: ${String(p.kind)}, ${String(p.reduction)}${seq ? `, at ${String(p.at)} step` : ''}`);
    if (p.kind === 'cross_entropy') {
      lines.push(`${v} = F.cross_entropy(${P}.reshape(-1, ${width}), ${T}.reshape(-1), reduction="none").reshape(${T}.shape)`);
    } else {
      const d = p.kind === 'bce' ? `F.binary_cross_entropy_with_logits(${P}, ${T}, reduction="none")` : `(${P} - ${T}) ** 2`;
      lines.push(`${v} = torch.sum(${d}, dim=-1)${p.reduction === 'mean' && width > 1 ? ` / ${width}` : ''}`);
    }
    if (seq) lines.push(p.at === 'last' ? `${v} = ${v}[:, -1]` : `${v} = torch.${p.reduction === 'mean' ? 'mean' : 'sum'}(${v}, dim=1)`);
    lines.push(`losses[${pyString(l.id)}] = ${v}`);
  }
  lines.push('return losses');
  return lines;
}
