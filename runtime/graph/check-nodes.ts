/** Checking `nodes`: each node's keys, id, block type, params against the block's schema, position. */
import { checkParam } from '../../blocks/params.ts';
import { blockRegistry, getBlock } from '../../blocks/registry.ts';
import type { AnyBlockDef } from '../../blocks/types.ts';
import { typeName } from './fields.ts';
import { NODE_KEYS, POSITION_KEYS } from './fields.ts';
import { asArray, asObject, asString, checkId, checkKeys, isParamValue, own, required, setOwn, type Obj } from './check-util.ts';
import { didYouMean, quote, type ErrorList, type PathSegments } from './report.ts';
import type { GraphNode } from './types.ts';

/** What later checks (edges, loops, references) need to know about the nodes. */
export interface NodeIndex {
  /** Every node id as written (valid or not, so a bad id gives one error, not one per edge), to its
   *  block (undefined when the type is unknown: its ports cannot be checked). */
  readonly byId: ReadonlyMap<string, AnyBlockDef | undefined>;
  /** `nodeRef` params and `loop` keys, checked once every node and loop is known. */
  readonly nodeRefs: readonly { readonly id: string; readonly path: PathSegments }[];
  readonly loopRefs: readonly { readonly id: string; readonly path: PathSegments }[];
}

/** The checked nodes (undefined where a node was refused) and what later checks need. */
export function checkNodes(value: unknown, errors: ErrorList): { nodes: readonly GraphNode[] | undefined; index: NodeIndex } {
  const byId = new Map<string, AnyBlockDef | undefined>();
  const firstAt = new Map<string, number>();
  const nodeRefs: { id: string; path: PathSegments }[] = [];
  const loopRefs: { id: string; path: PathSegments }[] = [];
  const index = { byId, nodeRefs, loopRefs };
  const list = asArray(value, ['nodes'], 'nodes', errors);
  if (list === undefined) return { nodes: undefined, index };
  const out: GraphNode[] = [];
  for (let i = 0; i < list.length && !errors.full; i++) {
    const path = ['nodes', i];
    const node = asObject(list[i], path, 'a node', errors);
    if (node === undefined) continue;
    checkKeys(node, NODE_KEYS, path, 'a node', errors);
    const result: Obj = {};
    const idValue = required(node, 'id', path, 'a node', errors);
    const id = idValue === undefined ? undefined : asString(idValue, [...path, 'id'], 'a node id', errors);
    if (id !== undefined) {
      checkId(id, [...path, 'id'], 'node id', errors);
      const first = firstAt.get(id);
      if (first !== undefined) errors.add('E112', `node id ${quote(id)} is already used by $.nodes[${first}]`, [...path, 'id']);
      else firstAt.set(id, i);
    }
    const typeValue = required(node, 'type', path, 'a node', errors);
    const type = typeValue === undefined ? undefined : asString(typeValue, [...path, 'type'], 'a node type', errors);
    let block: AnyBlockDef | undefined;
    if (type !== undefined) {
      block = getBlock(type);
      if (block === undefined) {
        errors.add('E113', `there is no block type ${quote(type)}${didYouMean(type, Object.keys(blockRegistry))}`, [...path, 'type']);
      }
    }
    if (id !== undefined && !byId.has(id)) byId.set(id, block);
    // Every key is copied in the order written; only known keys reach `result`.
    for (const k of Object.keys(node)) {
      const v = node[k];
      if (v === undefined) continue;
      if (k === 'id' || k === 'type') result[k] = v;
      else if (k === 'params') {
        const params = checkParams(v, block, [...path, 'params'], nodeRefs, errors);
        if (params !== undefined) result.params = params;
      } else if (k === 'position') {
        const pos = checkPosition(v, [...path, 'position'], errors);
        if (pos !== undefined) result.position = pos;
      } else if (k === 'loop') {
        const loop = asString(v, [...path, 'loop'], 'a node loop', errors);
        if (loop !== undefined) {
          loopRefs.push({ id: loop, path: [...path, 'loop'] });
          result.loop = loop;
        }
      }
    }
    out.push(result as unknown as GraphNode);
  }
  return { nodes: out, index };
}

/** A node's params: every key in the block's schema, every value accepted by `checkParam`. */
function checkParams(
  value: unknown,
  block: AnyBlockDef | undefined,
  path: PathSegments,
  nodeRefs: { id: string; path: PathSegments }[],
  errors: ErrorList,
): Obj | undefined {
  const params = asObject(value, path, 'params', errors);
  if (params === undefined) return undefined;
  const out: Obj = {};
  for (const name of Object.keys(params)) {
    const v = own(params, name);
    if (v === undefined) continue;
    const at = [...path, name];
    if (!isParamValue(v)) {
      // Checked before checkParam, whose messages print the value: an array here may be megabytes.
      errors.add('E115', `a param must be a number, string or boolean, got ${typeName(v)}`, at);
      continue;
    }
    if (block !== undefined) {
      const def = Object.hasOwn(block.params, name) ? block.params[name] : undefined;
      if (def === undefined) {
        const names = Object.keys(block.params);
        const list = names.length === 0 ? 'it has no params' : `its params are ${names.join(', ')}`;
        errors.add('E114', `${block.type} has no param ${quote(name)}${didYouMean(name, names)}; ${list}`, at);
        continue;
      }
      const why = checkParam(def, v);
      if (why !== undefined) {
        errors.add('E115', `${block.type} param ${name} ${why}`, at);
        continue;
      }
      if (def.kind === 'nodeRef') nodeRefs.push({ id: v as string, path: at });
    }
    setOwn(out, name, v);
  }
  return out;
}

function checkPosition(value: unknown, path: PathSegments, errors: ErrorList): Obj | undefined {
  const pos = asObject(value, path, 'a position', errors);
  if (pos === undefined) return undefined;
  checkKeys(pos, POSITION_KEYS, path, 'a position', errors);
  const out: Obj = {};
  for (const k of POSITION_KEYS) {
    const v = required(pos, k, path, 'a position', errors);
    if (v === undefined) continue;
    if (typeof v === 'number') out[k] = v;
    else errors.add('E106', `position ${k} must be a number, got ${typeName(v)}`, [...path, k]);
  }
  return out;
}
