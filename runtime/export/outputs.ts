/**
 * What an exported model returns: the predictions its losses score (the value on each loss's
 * `pred` wire, a sequence when that wire takes `all`), or, for a graph without a loss, every output
 * of the nodes whose outputs feed nothing. The PyTorch module and the ONNX graph return the same
 * values under the same names, `<node>.<port>`.
 */
import { splitEndpoint } from '../graph/types.ts';
import type { GraphAnalysis } from '../validate/types.ts';

/** One output of an exported model. */
export interface ExportOutput {
  /** `<node>.<port>`: the output's name in the ONNX graph and the key in PyTorch's result. */
  readonly name: string;
  readonly node: string;
  readonly port: string;
  /** From a looped node: its last step (`last`) or every step in position order (`all`, `[B, T, …]`). */
  readonly take?: 'last' | 'all';
  /** Time axis of an `all` output. */
  readonly axis?: string;
  /** Per-example shape of one step. */
  readonly shape: readonly number[];
}

const SOURCES = new Set(['input', 'target']);

export function exportOutputs(a: GraphAnalysis): ExportOutput[] {
  const out: ExportOutput[] = [];
  const seen = new Set<string>();
  const add = (node: string, port: string, take: 'last' | 'all' | undefined): void => {
    const name = `${node}.${port}`;
    if (seen.has(name)) return;
    seen.add(name);
    const type = a.outputTypes.get(name);
    const loopId = a.nodeLoop.get(node);
    const loop = loopId !== undefined ? a.loops.get(loopId) : undefined;
    const t = loop !== undefined ? (take ?? 'all') : undefined;
    out.push({
      name,
      node,
      port,
      ...(t !== undefined ? { take: t } : {}),
      ...(t === 'all' ? { axis: loop!.axis } : {}),
      shape: type?.shape ?? [],
    });
  };
  const losses = a.doc.nodes.filter((n) => n.type === 'loss');
  for (const l of losses) {
    const e = a.doc.edges.find((x) => x.to === `${l.id}.pred`);
    const from = e !== undefined ? splitEndpoint(e.from) : undefined;
    if (from !== undefined && !SOURCES.has(a.doc.nodes.find((n) => n.id === from.node)?.type ?? '')) add(from.node, from.port, e!.take);
  }
  if (losses.length > 0) return out;
  const feeding = new Set(a.doc.edges.map((e) => splitEndpoint(e.from)?.node));
  for (const n of a.doc.nodes) {
    if (SOURCES.has(n.type) || n.type === 'delay' || feeding.has(n.id)) continue;
    for (const [key] of a.outputTypes) if (key.startsWith(`${n.id}.`)) add(n.id, key.slice(n.id.length + 1), undefined);
  }
  return out;
}
