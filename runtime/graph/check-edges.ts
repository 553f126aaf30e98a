/** Checking `edges`: keys, `"node.port"` endpoints naming existing nodes and ports of the right direction, `take`. */
import { EDGE_KEYS, TAKES } from './fields.ts';
import { asArray, asObject, asString, checkKeys, required, type Obj } from './check-util.ts';
import type { NodeIndex } from './check-nodes.ts';
import { didYouMean, quote, type ErrorList, type PathSegments } from './report.ts';
import { splitEndpoint, type GraphEdge } from './types.ts';

/** The checked edges (undefined when `edges` is not an array); endpoints are checked against `nodes`. */
export function checkEdges(value: unknown, nodes: NodeIndex, errors: ErrorList): readonly GraphEdge[] | undefined {
  const list = asArray(value, ['edges'], 'edges', errors);
  if (list === undefined) return undefined;
  const out: GraphEdge[] = [];
  for (let i = 0; i < list.length && !errors.full; i++) {
    const path = ['edges', i];
    const edge = asObject(list[i], path, 'an edge', errors);
    if (edge === undefined) continue;
    checkKeys(edge, EDGE_KEYS, path, 'an edge', errors);
    const result: Obj = {};
    for (const end of ['from', 'to'] as const) {
      const v = required(edge, end, path, 'an edge', errors);
      const s = v === undefined ? undefined : asString(v, [...path, end], `edge ${end}`, errors);
      if (s !== undefined) checkEndpoint(s, end, [...path, end], nodes, errors);
    }
    for (const k of Object.keys(edge)) {
      const v = edge[k];
      if (v === undefined) continue;
      if (k === 'from' || k === 'to') result[k] = v;
      else if (k === 'take') {
        if (typeof v === 'string' && (TAKES as readonly string[]).includes(v)) result.take = v;
        else errors.add('E106', `take must be "last" or "all", got ${typeof v === 'string' ? quote(v) : JSON.stringify(v)}`, [...path, 'take']);
      }
    }
    out.push(result as unknown as GraphEdge);
  }
  return out;
}

/** `from` must name an output port, `to` an input port, of an existing node. */
function checkEndpoint(endpoint: string, end: 'from' | 'to', path: PathSegments, nodes: NodeIndex, errors: ErrorList): void {
  const edgeName = `edge $.edges[${path[1]}]`;
  const split = splitEndpoint(endpoint);
  if (split === undefined) {
    errors.add('E116', `${edgeName} ${end} ${quote(endpoint)} must be "node.port", e.g. "enc.out"`, path);
    return;
  }
  const { node, port } = split;
  if (!nodes.byId.has(node)) {
    const verb = end === 'from' ? 'comes from' : 'goes to';
    errors.add('E117', `${edgeName} ${verb} node ${quote(node)}, which does not exist${didYouMean(node, nodes.byId.keys())}`, path);
    return;
  }
  const block = nodes.byId.get(node);
  if (block === undefined) return; // unknown block type, already reported: its ports are unknown
  const want = end === 'from' ? block.outputs : block.inputs;
  const other = end === 'from' ? block.inputs : block.outputs;
  if (want.some((p) => p.name === port)) return;
  const kind = end === 'from' ? 'output' : 'input';
  const names = want.map((p) => p.name);
  const has = names.length === 0 ? `a ${block.type} has no ${kind} ports` : `its ${kind} ports are ${names.join(', ')}`;
  if (other.some((p) => p.name === port)) {
    const must = end === 'from' ? 'an edge starts at an output port' : 'an edge ends at an input port';
    errors.add('E118', `${edgeName}: ${quote(port)} is an ${end === 'from' ? 'input' : 'output'} port of ${node} (${block.type}); ${must}: ${has}`, path);
  } else {
    errors.add('E118', `${edgeName}: ${node} (${block.type}) has no ${kind} port ${quote(port)}${didYouMean(port, names)}; ${has}`, path);
  }
}

