/**
 * The indexed form of a graph document every validation pass works on: nodes by document index,
 * edges split into endpoints, wires in and out of every node, and the shared error lists.
 * Building it re-checks what the parser guarantees (so validation never throws on a document the
 * parser did not see) and drops what it cannot use.
 */
import type { AnyBlockDef } from '../../blocks/types.ts';
import { resolveParams } from '../../blocks/params.ts';
import { getBlock } from '../../blocks/registry.ts';
import { unrollError, type UnrollError } from '../errors/catalogue.ts';
import { jsonPath, splitEndpoint, type GraphDoc, type Take } from '../graph/types.ts';

export interface NodeRec {
  /** Position in `doc.nodes`; also the vertex number in every graph algorithm. */
  readonly index: number;
  readonly id: string;
  readonly type: string;
  /** Undefined for a type the registry does not have (reported). */
  readonly block: AnyBlockDef | undefined;
  /** Params with defaults filled in. */
  readonly params: Readonly<Record<string, unknown>>;
  /** The `loop` the document gives the node. */
  readonly declaredLoop: string | undefined;
}

export interface EdgeRec {
  /** Position in `doc.edges`. */
  readonly index: number;
  readonly from: number;
  readonly fromPort: string;
  readonly to: number;
  readonly toPort: string;
  readonly take: Take | undefined;
  /** An edge into a delay's `in` port: it carries a value to the next step, so it closes no cycle. */
  readonly recurrent: boolean;
}

export interface Ctx {
  readonly doc: GraphDoc;
  readonly nodes: readonly NodeRec[];
  readonly byId: ReadonlyMap<string, number>;
  /** The usable edges, in document order. */
  readonly edges: readonly EdgeRec[];
  /** The usable edge at each document index (undefined where the edge was refused). */
  readonly edgeAt: readonly (EdgeRec | undefined)[];
  /** Wires into each node, by node index, in document order. */
  readonly incoming: readonly (readonly EdgeRec[])[];
  /** Wires out of each node, by node index, in document order. */
  readonly outgoing: readonly (readonly EdgeRec[])[];
  readonly errors: UnrollError[];
  readonly warnings: UnrollError[];
  /** Nodes with an error of their own: they and everything downstream of them are not typed, so
   *  that one mistake gives one error rather than a cascade. */
  readonly broken: Uint8Array;
}

/** JSON paths into the document: `$.nodes[2].params.size`, `$.edges[4]`, `$.loops[0].over`. */
export const nodePath = (i: number, ...rest: (string | number)[]): string => jsonPath(['nodes', i, ...rest]);
export const edgePath = (k: number, ...rest: (string | number)[]): string => jsonPath(['edges', k, ...rest]);
export const loopPath = (k: number, ...rest: (string | number)[]): string => jsonPath(['loops', k, ...rest]);

/** `"node.port"` of an edge's source. */
export const fromEndpoint = (ctx: Ctx, e: EdgeRec): string => `${ctx.nodes[e.from]!.id}.${e.fromPort}`;
/** `"node.port"` of an edge's destination. */
export const toEndpoint = (ctx: Ctx, e: EdgeRec): string => `${ctx.nodes[e.to]!.id}.${e.toPort}`;

/** Index the document; report (with parser codes) whatever the parser should already have refused. */
export function indexGraph(doc: GraphDoc): Ctx {
  const errors: UnrollError[] = [];
  const nodes: NodeRec[] = [];
  const byId = new Map<string, number>();
  doc.nodes.forEach((n, index) => {
    const block = getBlock(n.type);
    if (block === undefined) errors.push(unrollError('E113', `node ${n.id} has type "${n.type}", which the block registry does not have`, { path: nodePath(index, 'type'), nodes: [n.id] }));
    if (byId.has(n.id)) errors.push(unrollError('E112', `two nodes are called ${n.id}`, { path: nodePath(index, 'id'), nodes: [n.id] }));
    else byId.set(n.id, index);
    const params = block !== undefined ? resolveParams(block.params, n.params) : { ...n.params };
    nodes.push({ index, id: n.id, type: n.type, block, params, declaredLoop: n.loop });
  });
  const broken = new Uint8Array(nodes.length);
  for (const n of nodes) if (n.block === undefined) broken[n.index] = 1;

  const edges: EdgeRec[] = [];
  doc.edges.forEach((e, index) => {
    const rec = edgeRec(e.from, e.to, e.take, index, nodes, byId, errors);
    if (rec !== undefined) edges.push(rec);
  });
  const incoming: EdgeRec[][] = nodes.map(() => []);
  const outgoing: EdgeRec[][] = nodes.map(() => []);
  for (const e of edges) {
    incoming[e.to]!.push(e);
    outgoing[e.from]!.push(e);
  }
  const edgeAt: (EdgeRec | undefined)[] = doc.edges.map(() => undefined);
  for (const e of edges) edgeAt[e.index] = e;
  return { doc, nodes, byId, edges, edgeAt, incoming, outgoing, errors, warnings: [], broken };
}

function edgeRec(
  from: string,
  to: string,
  take: Take | undefined,
  index: number,
  nodes: readonly NodeRec[],
  byId: ReadonlyMap<string, number>,
  errors: UnrollError[],
): EdgeRec | undefined {
  const a = splitEndpoint(from);
  const b = splitEndpoint(to);
  if (a === undefined || b === undefined) {
    errors.push(unrollError('E116', `edge ${from} → ${to}: each end must be "node.port"`, { path: edgePath(index), edges: [index] }));
    return undefined;
  }
  const fi = byId.get(a.node);
  const ti = byId.get(b.node);
  if (fi === undefined || ti === undefined) {
    const missing = fi === undefined ? a.node : b.node;
    errors.push(unrollError('E117', `edge ${from} → ${to} names node ${missing}, which does not exist`, { path: edgePath(index, fi === undefined ? 'from' : 'to'), edges: [index] }));
    return undefined;
  }
  const fb = nodes[fi]!.block;
  const tb = nodes[ti]!.block;
  // Unknown block types were reported already; their wires cannot be checked further.
  if (fb === undefined || tb === undefined) return undefined;
  const outOk = fb.outputs.some((p) => p.name === a.port);
  const inOk = tb.inputs.some((p) => p.name === b.port);
  if (!outOk || !inOk) {
    const [node, port, dir] = !outOk ? [a.node, a.port, 'output'] : [b.node, b.port, 'input'];
    errors.push(
      unrollError('E118', `edge ${from} → ${to}: ${nodes[!outOk ? fi : ti]!.type} node ${node} has no ${dir} port ${port}`, {
        path: edgePath(index, !outOk ? 'from' : 'to'),
        edges: [index],
        ports: [`${node}.${port}`],
      }),
    );
    return undefined;
  }
  return { index, from: fi, fromPort: a.port, to: ti, toPort: b.port, take, recurrent: tb.type === 'delay' && b.port === 'in' };
}
