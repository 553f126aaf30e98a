/**
 * Turning a block rule's refusal into a catalogue error that names the node, its ports as
 * "node.port", the source ports of the wires involved and the shapes on them.
 */
import { formatType } from '../../blocks/shape.ts';
import type { PortTypes } from '../../blocks/types.ts';
import { unrollError, type UnrollError } from '../errors/catalogue.ts';
import { fromEndpoint, nodePath, type Ctx, type EdgeRec, type NodeRec } from './context.ts';
import type { RuleResult } from './rule-call.ts';

/** The wire into each connected input port of a node, by port name. */
export type WireMap = Readonly<Record<string, EdgeRec>>;

/** The error for a failed rule call (`res.ok` is false). */
export function ruleError(ctx: Ctx, node: NodeRec, res: Exclude<RuleResult<unknown>, { ok: true }>, ins: PortTypes, wires: WireMap, rule: string): UnrollError {
  if ('bug' in res) {
    return unrollError('E219', `the ${rule} rule of block ${node.type} failed on node ${node.id}: ${res.bug}`, { path: nodePath(node.index), nodes: [node.id] });
  }
  const issue = res.issue;
  // The ports the block blames; if it blames none we know, every connected port is involved.
  let ports = issue.ports.filter((p) => ins[p] !== undefined || wires[p] !== undefined);
  if (ports.length === 0) ports = Object.keys(ins);
  const sources = ports.map((p) => wires[p]).filter((w): w is EdgeRec => w !== undefined);
  const describe = (p: string): string => {
    const t = ins[p];
    const w = wires[p];
    if (t === undefined) return `${node.id}.${p} is not connected`;
    return w !== undefined ? `${node.id}.${p} gets ${formatType(t)} from ${fromEndpoint(ctx, w)}` : `${node.id}.${p} is ${formatType(t)}`;
  };
  const nodes = [node.id];
  for (const w of sources) if (!nodes.includes(ctx.nodes[w.from]!.id)) nodes.push(ctx.nodes[w.from]!.id);
  return unrollError(
    issue.reason === 'kind' ? 'E201' : 'E200',
    `${node.id} (${node.type}) refuses its inputs: ${issue.message}${ports.length > 0 ? ` (${ports.map(describe).join('; ')})` : ''}`,
    {
      path: nodePath(node.index),
      nodes,
      ports: [...ports.map((p) => `${node.id}.${p}`), ...sources.map((w) => fromEndpoint(ctx, w))],
      edges: sources.map((w) => w.index),
    },
  );
}
