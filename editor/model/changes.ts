/**
 * Every edit of a graph is one of these changes: plain data, applied to an immer draft of the
 * document by `applyChange`. The history (history.ts) records the patches immer produces, so a
 * change of many elements (a paste, a multi-delete, a batch) is one undo step.
 *
 * A change either keeps the document a valid file (what `parseGraph` accepts: ids valid and unique,
 * edges between existing ports, params in range, references to existing nodes and loops) or is
 * refused with an `EditError` and leaves it untouched. That includes the file's size limits
 * (`LIMITS`: nodes, loops, edges), so Save never writes a file Open would refuse. Validation
 * errors (shapes, cycles) are allowed: they are what the editor shows.
 */
import type { Draft } from 'immer';
import { checkParam } from '../../blocks/params.ts';
import { getBlock } from '../../blocks/registry.ts';
import { checkTrainingValue, LOOP_STEPS, TRAINING_FIELDS } from '../../runtime/graph/fields.ts';
import { getTaskSchema, taskSchemas } from '../../runtime/tasks/schema-registry.ts';
import {
  LIMITS,
  splitEndpoint,
  type Direction,
  type GraphDoc,
  type GraphEdge,
  type GraphLoop,
  type GraphNode,
  type ParamValueJson,
  type Take,
  type TrainingSpec,
} from '../../runtime/graph/types.ts';
import { datasetParamsProblem, DATASET_TASK } from '../data/dataset-params.ts';
import { idProblem, uniqueId } from './ids.ts';

/** An edge named by its ends (an input port takes one wire, so this names at most one in a valid file). */
export interface EdgeRef {
  readonly from: string;
  readonly to: string;
}

export const edgeKey = (e: EdgeRef): string => `${e.from}->${e.to}`;

export interface Point {
  readonly x: number;
  readonly y: number;
}

/** Nodes, the wires among them and the loops they sit in: what copy puts on the clipboard. */
export interface Fragment {
  readonly nodes: readonly GraphNode[];
  readonly edges: readonly GraphEdge[];
  readonly loops: readonly GraphLoop[];
}

export type Change =
  | { readonly type: 'addNode'; readonly node: GraphNode }
  /** Wire `from` (an output "node.port") to `to` (an input "node.port"), replacing the wire `to` had. */
  | { readonly type: 'connect'; readonly from: string; readonly to: string; readonly take?: Take }
  /** Nodes with their wires, wires, and loops (their nodes stay, outside loops). */
  | { readonly type: 'deleteElements'; readonly nodes?: readonly string[]; readonly edges?: readonly EdgeRef[]; readonly loops?: readonly string[] }
  /** Absolute canvas positions, as own properties (build them with Object.fromEntries: `positions[id] = p` on `{}` loses an id `__proto__`). */
  | { readonly type: 'moveNodes'; readonly positions: Readonly<Record<string, Point>> }
  /** `value` undefined removes the param (the block's default applies). */
  | { readonly type: 'setParam'; readonly node: string; readonly param: string; readonly value: ParamValueJson | undefined }
  | { readonly type: 'renameNode'; readonly from: string; readonly to: string }
  | { readonly type: 'setLoop'; readonly nodes: readonly string[]; readonly loop: string | undefined }
  | { readonly type: 'addLoop'; readonly loop: GraphLoop; readonly nodes?: readonly string[] }
  /** Give `over` or `steps` (the other is dropped) and/or `direction`. */
  | { readonly type: 'editLoop'; readonly id: string; readonly over?: string; readonly steps?: number; readonly direction?: Direction }
  | { readonly type: 'renameLoop'; readonly from: string; readonly to: string }
  | { readonly type: 'setTake'; readonly edge: EdgeRef; readonly take: Take | undefined }
  /** Add a copy of `fragment` moved by `offset`; ids that are taken get `_2`, `_3`… */
  | { readonly type: 'paste'; readonly fragment: Fragment; readonly offset: Point }
  | { readonly type: 'setName'; readonly name: string }
  /** Train on task `name` of the task registry with `params` (only those set; absent ones take the task's defaults). */
  | { readonly type: 'setTask'; readonly name: string; readonly params?: Readonly<Record<string, ParamValueJson>> }
  /** Merge settings into the `training` section; a key given as undefined is removed (the trainer's default applies). */
  | { readonly type: 'setTraining'; readonly training: TrainingPatch }
  /** A whole new document (new, open, example). */
  | { readonly type: 'replace'; readonly doc: GraphDoc }
  /** Several changes as one step. */
  | { readonly type: 'batch'; readonly label: string; readonly changes: readonly Change[] };

/** Some `training` keys: a value sets the key, undefined removes it. */
export type TrainingPatch = { readonly [K in keyof TrainingSpec]?: TrainingSpec[K] | undefined };

/** A change that would break the file; the message says why. */
export class EditError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EditError';
  }
}

const refuse = (message: string): never => {
  throw new EditError(message);
};

/** What a change is called in the Undo/Redo menu. */
export function describeChange(c: Change): string {
  switch (c.type) {
    case 'addNode':
      return `add ${c.node.id}`;
    case 'connect':
      return `connect ${c.from} → ${c.to}`;
    case 'deleteElements': {
      const n = (c.nodes?.length ?? 0) + (c.edges?.length ?? 0) + (c.loops?.length ?? 0);
      return n === 1 ? `delete ${c.nodes?.[0] ?? (c.edges?.[0] ? 'wire' : `loop ${c.loops?.[0]}`)}` : `delete ${n} items`;
    }
    case 'moveNodes': {
      const ids = Object.keys(c.positions);
      return ids.length === 1 ? `move ${ids[0]}` : `move ${ids.length} nodes`;
    }
    case 'setParam':
      return `set ${c.node}.${c.param}`;
    case 'renameNode':
      return `rename ${c.from} to ${c.to}`;
    case 'setLoop':
      return c.loop === undefined ? 'take out of loop' : `put into loop ${c.loop}`;
    case 'addLoop':
      return `add loop ${c.loop.id}`;
    case 'editLoop':
      return `edit loop ${c.id}`;
    case 'renameLoop':
      return `rename loop ${c.from}`;
    case 'setTake':
      return `take ${c.take ?? 'all'}`;
    case 'paste':
      return `paste ${c.fragment.nodes.length} node${c.fragment.nodes.length === 1 ? '' : 's'}`;
    case 'setName':
      return 'rename graph';
    case 'setTask':
      return `set task ${c.name}`;
    case 'setTraining': {
      const keys = Object.keys(c.training);
      return keys.length === 1 ? `set training ${keys[0]}` : 'set training';
    }
    case 'replace':
      return `open ${c.doc.name}`;
    case 'batch':
      return c.label;
  }
}

type DraftDoc = Draft<GraphDoc>;
type DraftNode = Draft<GraphNode>;

function findNode(d: DraftDoc, id: string): DraftNode {
  return d.nodes.find((n) => n.id === id) ?? refuse(`there is no node ${id}`);
}

const hasNode = (d: DraftDoc, id: string): boolean => d.nodes.some((n) => n.id === id);
const hasLoop = (d: DraftDoc, id: string): boolean => (d.loops ?? []).some((l) => l.id === id);

/** A position rounded to whole pixels (files stay short and diff well). */
const at = (p: Point): { x: number; y: number } => {
  if (!Number.isFinite(p.x) || !Number.isFinite(p.y)) refuse('a position must be finite');
  return { x: Math.round(p.x), y: Math.round(p.y) };
};

/** `"node.port"` of an existing node's output (`out`) or input port. */
function checkEndpoint(d: DraftDoc, endpoint: string, side: 'out' | 'in'): { node: string; port: string } {
  const e = splitEndpoint(endpoint) ?? refuse(`${endpoint} is not "node.port"`);
  const node = findNode(d, e.node);
  const block = getBlock(node.type) ?? refuse(`${node.id} has an unknown block type`);
  const ports = side === 'out' ? block.outputs : block.inputs;
  if (!ports.some((p) => p.name === e.port)) refuse(`${node.id} (${node.type}) has no ${side === 'out' ? 'output' : 'input'} port ${e.port}`);
  return e;
}

function checkNodeParams(type: string, params: Readonly<Record<string, ParamValueJson>> | undefined, exists: (id: string) => boolean): void {
  const block = getBlock(type) ?? refuse(`there is no block type ${type}`);
  for (const [name, v] of Object.entries(params ?? {})) {
    const def = Object.hasOwn(block.params, name) ? block.params[name]! : refuse(`${type} has no param ${name}`);
    const why = checkParam(def, v);
    if (why !== undefined) refuse(`${name} ${why}`);
    if (def.kind === 'nodeRef' && !exists(v as string)) refuse(`${name} names ${String(v)}, which does not exist`);
  }
}

function checkLoopDef(d: DraftDoc, loop: GraphLoop): void {
  if ('over' in loop && !hasNode(d, loop.over)) refuse(`loop ${loop.id} runs over ${loop.over}, which does not exist`);
  if ('steps' in loop && (!Number.isInteger(loop.steps) || loop.steps < LOOP_STEPS.min || loop.steps > LOOP_STEPS.max)) {
    refuse(`steps must be a whole number from ${LOOP_STEPS.min} to ${LOOP_STEPS.max}`);
  }
}

/** Remove every trace of the nodes `gone`: their wires, references to them, loops over them. */
function removeNodes(d: DraftDoc, gone: ReadonlySet<string>): void {
  if (gone.size === 0) return;
  d.nodes = d.nodes.filter((n) => !gone.has(n.id));
  d.edges = d.edges.filter((e) => !gone.has(splitEndpoint(e.from)?.node ?? '') && !gone.has(splitEndpoint(e.to)?.node ?? ''));
  for (const n of d.nodes) clearRefs(n, gone);
  const dead = (d.loops ?? []).filter((l) => 'over' in l && gone.has(l.over)).map((l) => l.id);
  removeLoops(d, new Set(dead));
}

/** Drop nodeRef params of `n` that name one of `gone`. */
function clearRefs(n: DraftNode, gone: ReadonlySet<string>): void {
  const block = getBlock(n.type);
  if (n.params === undefined || block === undefined) return;
  for (const [name, v] of Object.entries(n.params)) {
    if (block.params[name]?.kind === 'nodeRef' && gone.has(v as string)) delete n.params[name];
  }
  if (Object.keys(n.params).length === 0) delete n.params;
}

function removeLoops(d: DraftDoc, gone: ReadonlySet<string>): void {
  if (gone.size === 0 || d.loops === undefined) return;
  d.loops = d.loops.filter((l) => !gone.has(l.id));
  if (d.loops.length === 0) delete d.loops;
  for (const n of d.nodes) if (n.loop !== undefined && gone.has(n.loop)) delete n.loop;
}

const count = new Intl.NumberFormat('en-US');

/** Refuse a document past the limits `parseGraph` enforces (a file the loader would not open). */
function checkLimits(d: DraftDoc): void {
  const lists = [
    ['nodes', d.nodes.length],
    ['loops', d.loops?.length ?? 0],
    ['edges', d.edges.length],
  ] as const;
  for (const [what, n] of lists) {
    if (n > LIMITS[what]) refuse(`a graph may have at most ${count.format(LIMITS[what])} ${what}; this would make ${count.format(n)}`);
  }
}

/**
 * Apply `c` to the draft. Returns a new document only for `replace` (immer takes a returned value
 * as the result). Throws `EditError` when the change would make the file invalid, including when
 * it would take the graph past the file limits.
 */
export function applyChange(d: DraftDoc, c: Change): GraphDoc | undefined {
  const replaced = applyOne(d, c);
  if (replaced === undefined) checkLimits(d);
  return replaced;
}

function applyOne(d: DraftDoc, c: Change): GraphDoc | undefined {
  switch (c.type) {
    case 'replace':
      return c.doc;
    case 'batch':
      for (const inner of c.changes) {
        if (inner.type === 'replace') refuse('a batch cannot replace the document');
        applyChange(d, inner);
      }
      return undefined;
    case 'addNode': {
      const n = c.node;
      const why = idProblem(n.id, (id) => hasNode(d, id));
      if (why !== undefined) refuse(`node id ${n.id}: ${why}`);
      checkNodeParams(n.type, n.params, (id) => hasNode(d, id));
      if (n.loop !== undefined && !hasLoop(d, n.loop)) refuse(`there is no loop ${n.loop}`);
      d.nodes.push({
        id: n.id,
        type: n.type,
        ...(n.params !== undefined && Object.keys(n.params).length > 0 ? { params: { ...n.params } } : {}),
        ...(n.position !== undefined ? { position: at(n.position) } : {}),
        ...(n.loop !== undefined ? { loop: n.loop } : {}),
      });
      return undefined;
    }
    case 'connect': {
      checkEndpoint(d, c.from, 'out');
      checkEndpoint(d, c.to, 'in');
      const edge: GraphEdge = { from: c.from, to: c.to, ...(c.take !== undefined ? { take: c.take } : {}) };
      const i = d.edges.findIndex((e) => e.to === c.to);
      if (i >= 0) {
        // An input port takes one wire: the new one takes the old one's place (and index).
        d.edges[i] = edge;
        d.edges = d.edges.filter((e, k) => k === i || e.to !== c.to);
      } else d.edges.push(edge);
      return undefined;
    }
    case 'deleteElements': {
      const gone = new Set(c.nodes ?? []);
      for (const id of gone) findNode(d, id);
      // Checked first: deleting a sequence source removes its loops, which may be selected too.
      for (const id of c.loops ?? []) if (!hasLoop(d, id)) refuse(`there is no loop ${id}`);
      const wires = new Set((c.edges ?? []).map(edgeKey));
      d.edges = d.edges.filter((e) => !wires.has(edgeKey(e)));
      removeNodes(d, gone);
      removeLoops(d, new Set(c.loops ?? []));
      return undefined;
    }
    case 'moveNodes':
      for (const [id, p] of Object.entries(c.positions)) findNode(d, id).position = at(p);
      return undefined;
    case 'setParam': {
      const n = findNode(d, c.node);
      if (c.value === undefined) {
        if (n.params !== undefined) {
          delete n.params[c.param];
          if (Object.keys(n.params).length === 0) delete n.params;
        }
        return undefined;
      }
      checkNodeParams(n.type, { [c.param]: c.value }, (id) => hasNode(d, id));
      n.params ??= {};
      n.params[c.param] = c.value;
      return undefined;
    }
    case 'renameNode': {
      if (c.from === c.to) return undefined;
      const n = findNode(d, c.from);
      const why = idProblem(c.to, (id) => hasNode(d, id));
      if (why !== undefined) refuse(`node id ${c.to}: ${why}`);
      n.id = c.to;
      const rename = (endpoint: string): string => {
        const e = splitEndpoint(endpoint);
        return e !== undefined && e.node === c.from ? `${c.to}.${e.port}` : endpoint;
      };
      for (const e of d.edges) {
        e.from = rename(e.from);
        e.to = rename(e.to);
      }
      for (const m of d.nodes) {
        const block = getBlock(m.type);
        for (const [name, v] of Object.entries(m.params ?? {})) {
          if (block?.params[name]?.kind === 'nodeRef' && v === c.from) m.params![name] = c.to;
        }
      }
      for (const l of d.loops ?? []) if ('over' in l && l.over === c.from) l.over = c.to;
      return undefined;
    }
    case 'setLoop': {
      if (c.loop !== undefined && !hasLoop(d, c.loop)) refuse(`there is no loop ${c.loop}`);
      for (const id of c.nodes) {
        const n = findNode(d, id);
        if (c.loop === undefined) delete n.loop;
        else n.loop = c.loop;
      }
      return undefined;
    }
    case 'addLoop': {
      const why = idProblem(c.loop.id, (id) => hasLoop(d, id));
      if (why !== undefined) refuse(`loop id ${c.loop.id}: ${why}`);
      checkLoopDef(d, c.loop);
      (d.loops ??= []).push({ ...c.loop });
      for (const id of c.nodes ?? []) findNode(d, id).loop = c.loop.id;
      return undefined;
    }
    case 'editLoop': {
      const i = (d.loops ?? []).findIndex((l) => l.id === c.id);
      if (i < 0) refuse(`there is no loop ${c.id}`);
      const old = d.loops![i]!;
      const direction = c.direction ?? old.direction;
      const next: GraphLoop =
        c.over !== undefined
          ? { id: old.id, over: c.over, ...(direction !== undefined ? { direction } : {}) }
          : c.steps !== undefined
            ? { id: old.id, steps: c.steps, ...(direction !== undefined ? { direction } : {}) }
            : { ...old, ...(direction !== undefined ? { direction } : {}) };
      checkLoopDef(d, next);
      d.loops![i] = next;
      return undefined;
    }
    case 'renameLoop': {
      if (c.from === c.to) return undefined;
      const loop = (d.loops ?? []).find((l) => l.id === c.from) ?? refuse(`there is no loop ${c.from}`);
      const why = idProblem(c.to, (id) => hasLoop(d, id));
      if (why !== undefined) refuse(`loop id ${c.to}: ${why}`);
      loop.id = c.to;
      for (const n of d.nodes) if (n.loop === c.from) n.loop = c.to;
      return undefined;
    }
    case 'setTake': {
      const e = d.edges.find((x) => x.from === c.edge.from && x.to === c.edge.to) ?? refuse(`there is no wire ${edgeKey(c.edge)}`);
      if (c.take === undefined) delete e.take;
      else e.take = c.take;
      return undefined;
    }
    case 'paste':
      paste(d, c.fragment, c.offset);
      return undefined;
    case 'setName':
      if (c.name.length > 200) refuse('a graph name has at most 200 characters');
      d.name = c.name;
      return undefined;
    case 'setTask':
      d.task = checkedTask(c.name, c.params);
      return undefined;
    case 'setTraining':
      setTraining(d, c.training);
      return undefined;
  }
}

/**
 * The task section for `name` and `params`, each param checked against the task's schema as
 * `createTask` checks it (E421/E422 there), so the file never names a param the task lacks.
 * Checks across params (`min_length ≤ max_length`) are left to training: changing two related
 * params one at a time passes through a state those checks refuse.
 */
function checkedTask(name: string, params: Readonly<Record<string, ParamValueJson>> | undefined): { name: string; params?: Record<string, ParamValueJson> } {
  // A file of the user's: not in the registry (it needs the file), its params checked on their own.
  if (name === DATASET_TASK) {
    const why = datasetParamsProblem(params);
    if (why !== undefined) refuse(why);
    return params !== undefined && Object.keys(params).length > 0 ? { name, params: { ...params } } : { name };
  }
  const def = getTaskSchema(name) ?? refuse(`there is no task "${name}": the tasks are ${Object.keys(taskSchemas).join(', ')}`);
  const out: Record<string, ParamValueJson> = {};
  for (const [key, value] of Object.entries(params ?? {})) {
    const pd = Object.hasOwn(def.params, key) ? def.params[key]! : refuse(`task ${name} has no param "${key}": its params are ${Object.keys(def.params).join(', ')}`);
    const why = checkParam(pd, value);
    if (why !== undefined) refuse(`task ${name} param ${key} ${why}`);
    Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  }
  return Object.keys(out).length > 0 ? { name, params: out } : { name };
}

/** Merge `patch` into `training`, each value checked as the graph file's schema checks it. */
function setTraining(d: DraftDoc, patch: TrainingPatch): void {
  const next: Record<string, unknown> = { ...d.training };
  for (const [key, value] of Object.entries(patch)) {
    if (!Object.hasOwn(TRAINING_FIELDS, key)) refuse(`training has no setting "${key}"`);
    if (value === undefined) {
      delete next[key];
      continue;
    }
    // A file cannot hold Infinity (JSON writes null), though the ranges without a maximum would take it.
    if (typeof value === 'number' && !Number.isFinite(value)) refuse(`training ${key} must be a finite number, got ${value}`);
    const problem = checkTrainingValue(TRAINING_FIELDS[key as keyof typeof TRAINING_FIELDS], value);
    if (problem !== undefined) refuse(`training ${key} ${problem.why}`);
    next[key] = value;
  }
  if (Object.keys(next).length === 0) delete d.training;
  else d.training = next as TrainingSpec;
}

/** Add `frag` to the draft: see the `paste` change. */
function paste(d: DraftDoc, frag: Fragment, offset: Point): void {
  const existedNode = new Set(d.nodes.map((n) => n.id));
  const existedLoop = new Set((d.loops ?? []).map((l) => l.id));
  const takenNodes = new Set(existedNode);
  const ids = new Map<string, string>();
  for (const n of frag.nodes) {
    if (ids.has(n.id)) refuse(`the pasted nodes repeat the id ${n.id}`);
    const id = uniqueId(n.id, (x) => takenNodes.has(x));
    takenNodes.add(id);
    ids.set(n.id, id);
  }
  // A reference to a pasted node follows its copy; to a node of this graph it stays; else it is dropped.
  const ref = (id: string): string | undefined => ids.get(id) ?? (existedNode.has(id) ? id : undefined);
  // Loops: one of this graph with the same id is joined; otherwise the loop comes along if it can.
  const loops = new Map<string, string | undefined>();
  for (const l of frag.loops) {
    if (existedLoop.has(l.id)) {
      loops.set(l.id, l.id);
      continue;
    }
    const over = 'over' in l ? ref(l.over) : undefined;
    if ('over' in l && over === undefined) {
      loops.set(l.id, undefined);
      continue;
    }
    const loop: GraphLoop = over !== undefined ? { id: l.id, over, ...(l.direction ? { direction: l.direction } : {}) } : { ...l };
    if ('steps' in loop) checkLoopDef(d, loop);
    (d.loops ??= []).push(loop);
    loops.set(l.id, l.id);
  }
  for (const n of frag.nodes) {
    const block = getBlock(n.type) ?? refuse(`there is no block type ${n.type}`);
    const params: Record<string, ParamValueJson> = {};
    for (const [name, v] of Object.entries(n.params ?? {})) {
      const def = Object.hasOwn(block.params, name) ? block.params[name]! : refuse(`${n.type} has no param ${name}`);
      const why = checkParam(def, v);
      if (why !== undefined) refuse(`${n.id}.${name} ${why}`);
      if (def.kind === 'nodeRef') {
        const to = ref(v as string);
        if (to !== undefined) params[name] = to;
      } else params[name] = v;
    }
    const loop = n.loop === undefined ? undefined : loops.has(n.loop) ? loops.get(n.loop) : existedLoop.has(n.loop) ? n.loop : undefined;
    const p = n.position ?? { x: 0, y: 0 };
    d.nodes.push({
      id: ids.get(n.id)!,
      type: n.type,
      ...(Object.keys(params).length > 0 ? { params } : {}),
      position: at({ x: p.x + offset.x, y: p.y + offset.y }),
      ...(loop !== undefined ? { loop } : {}),
    });
  }
  // Loops added for `over` sources that arrive with the paste are checked now that the nodes exist.
  for (const l of d.loops ?? []) checkLoopDef(d, l);
  for (const e of frag.edges) {
    const from = splitEndpoint(e.from);
    const to = splitEndpoint(e.to);
    if (from === undefined || to === undefined || !ids.has(from.node) || !ids.has(to.node)) continue;
    const edge = { from: `${ids.get(from.node)}.${from.port}`, to: `${ids.get(to.node)}.${to.port}`, ...(e.take ? { take: e.take } : {}) };
    checkEndpoint(d, edge.from, 'out');
    checkEndpoint(d, edge.to, 'in');
    if (d.edges.some((x) => x.to === edge.to)) continue;
    d.edges.push(edge);
  }
}

/** Loops the change names for deletion (in a batch too). */
function loopsNamed(c: Change): string[] {
  if (c.type === 'deleteElements') return [...(c.loops ?? [])];
  if (c.type === 'batch') return c.changes.flatMap(loopsNamed);
  return [];
}

/**
 * Loops that `change` removed without being asked to: a loop runs over a sequence source, and
 * deleting that source takes the loop with it (its blocks stay, outside loops). The editor says so.
 */
export function loopsDroppedWithSource(before: GraphDoc, after: GraphDoc, change: Change): { readonly id: string; readonly over: string }[] {
  if (change.type === 'replace' || before === after) return [];
  const kept = new Set((after.loops ?? []).map((l) => l.id));
  const nodes = new Set(after.nodes.map((n) => n.id));
  const named = new Set(loopsNamed(change));
  return (before.loops ?? []).flatMap((l) => ('over' in l && !kept.has(l.id) && !named.has(l.id) && !nodes.has(l.over) ? [{ id: l.id, over: l.over }] : []));
}
