/**
 * Weight tying across nodes: a `nodeRef` param with `ties` (the encoder's and decoder's `share`)
 * makes its node read the named node's weights instead of owning its own. The tensor is stored and
 * trained once, under the owner's key `<owner>.<weight>`; every node that reads it adds its part of
 * the gradient, exactly as the copies of one node in an unrolled loop do.
 */
import type { WeightDef } from '../../blocks/types.ts';
import { unrollError } from '../errors/catalogue.ts';
import { nodePath, type Ctx } from './context.ts';

/** Each tying node's borrowed weights: weight name → the owner's key `<owner>.<weight>`. */
export type Shares = ReadonlyMap<string, Readonly<Record<string, string>>>;

export interface ShareResult {
  /** The weights each node owns (and so stores): its block's weights less the ones it borrows. */
  readonly owned: ReadonlyMap<string, readonly WeightDef[]>;
  readonly shares: Shares;
}

/**
 * Resolve `ties` params against the typed weights. Errors: E230 when the named node is the node
 * itself or owns no weight of that name (a linear decoder without the weight, a delay), E231 when
 * the shapes differ, E232 when the named node itself borrows it (name the owner: tying is one
 * level deep, which also rules out cycles). Nodes that were not typed (an error upstream) are
 * skipped: their weights are unknown and their own error says why.
 */
export function resolveShares(ctx: Ctx, weights: ReadonlyMap<string, readonly WeightDef[]>): ShareResult {
  const borrowed = new Map<string, Record<string, string>>();
  const refs: { node: number; param: string; owner: string; names: readonly string[] }[] = [];
  for (const n of ctx.nodes) {
    for (const [param, def] of Object.entries(n.block?.params ?? {})) {
      const owner = n.params[param];
      if (def.kind !== 'nodeRef' || def.ties === undefined || typeof owner !== 'string') continue;
      refs.push({ node: n.index, param, owner, names: def.ties });
    }
  }
  const borrows = new Set(refs.map((r) => ctx.nodes[r.node]!.id));
  for (const r of refs) {
    const n = ctx.nodes[r.node]!;
    const own = weights.get(n.id);
    const theirs = weights.get(r.owner);
    // Not typed (its own error, or one upstream, says why), or naming no node (the parser's E117).
    if (own === undefined || !ctx.byId.has(r.owner) || (theirs === undefined && r.owner !== n.id)) continue;
    const at = { path: nodePath(n.index, 'params', r.param), nodes: [n.id, r.owner] };
    if (r.owner === n.id) {
      ctx.errors.push(unrollError('E230', `node ${n.id} ${r.param}s the weights of itself: name another node, or remove ${r.param}`, { ...at, nodes: [n.id] }));
      continue;
    }
    if (borrows.has(r.owner)) {
      const next = refs.find((o) => ctx.nodes[o.node]!.id === r.owner)!;
      ctx.errors.push(unrollError('E232', `node ${n.id} ${r.param}s the weights of ${r.owner}, which itself ${next.param}s those of ${next.owner}: name the owner, ${next.owner}`, at));
      continue;
    }
    const table: Record<string, string> = {};
    for (const name of r.names) {
      const mine = own.find((w) => w.name === name);
      if (mine === undefined) continue;
      const other = theirs?.find((w) => w.name === name);
      if (other === undefined) {
        const has = theirs!.map((w) => w.name);
        const what = has.length > 0 ? `it has ${has.join(', ')}` : 'it has no weights';
        ctx.errors.push(unrollError('E230', `node ${n.id} ${r.param}s the ${name} of ${r.owner}, but ${r.owner} (${ctx.nodes[ctx.byId.get(r.owner)!]!.type}) has no weight ${name}: ${what}`, at));
        continue;
      }
      if (other.shape.join() !== mine.shape.join()) {
        ctx.errors.push(
          unrollError('E231', `node ${n.id} ${r.param}s ${r.owner}.${name} [${other.shape.join(', ')}], but its own ${name} would be [${mine.shape.join(', ')}]: the shapes must be equal`, at),
        );
        continue;
      }
      table[name] = `${r.owner}.${name}`;
    }
    if (Object.keys(table).length > 0) borrowed.set(n.id, table);
  }
  const owned = new Map<string, readonly WeightDef[]>();
  for (const [id, ws] of weights) {
    const b = borrowed.get(id);
    owned.set(id, b === undefined ? ws : ws.filter((w) => b[w.name] === undefined));
  }
  return { owned, shares: borrowed };
}
