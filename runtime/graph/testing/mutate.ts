/**
 * Breaking valid graph documents on purpose, for tests: generic mutations (anything may come out,
 * valid or not) and structural ones that must be refused with a known code by both `parseGraph` and
 * the JSON Schema.
 */
import fc from 'fast-check';
import { blockRegistry } from '../../../blocks/registry.ts';
import type { ErrorCode } from '../../errors/catalogue.ts';
import { serializeGraph } from '../serialize.ts';
import type { GraphDoc } from '../types.ts';
import { arbGraphDoc } from './arbitrary.ts';

type Path = readonly (string | number)[];
type Json = unknown;

/** A deep copy through JSON: generated documents are plain JSON. */
export function cloneJson<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

/** Every path in `v` (root included), containers before their contents. */
export function allPaths(v: Json, at: Path = []): Path[] {
  const out: Path[] = [at];
  if (Array.isArray(v)) v.forEach((x, i) => out.push(...allPaths(x, [...at, i])));
  else if (typeof v === 'object' && v !== null) for (const [k, x] of Object.entries(v)) out.push(...allPaths(x, [...at, k]));
  return out;
}

export function getAt(v: Json, path: Path): Json {
  let cur = v;
  for (const s of path) cur = (cur as Record<string | number, Json>)[s];
  return cur;
}

/** Replaces the value at `path` (not the root) in place. */
export function setAt(v: Json, path: Path, value: Json): void {
  const parent = getAt(v, path.slice(0, -1)) as Record<string | number, Json>;
  parent[path[path.length - 1]!] = value;
}

/** Removes the key or array item at `path` (not the root) in place. */
export function deleteAt(v: Json, path: Path): void {
  const parent = getAt(v, path.slice(0, -1));
  const last = path[path.length - 1]!;
  if (Array.isArray(parent)) parent.splice(last as number, 1);
  else delete (parent as Record<string, Json>)[last as string];
}

const isObj = (v: Json): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A JSON value of a different kind than `v`. */
function retyped(v: Json, pick: number): Json {
  const options: Json[] = [42, 'text', true, null, [], {}, [1, 'a'], { k: 1 }];
  const kind = (x: Json) => (Array.isArray(x) ? 'array' : x === null ? 'null' : typeof x);
  const others = options.filter((o) => kind(o) !== kind(v));
  return others[pick % others.length];
}

/** One arbitrary mutation of a valid document, as text (what `parseGraph` reads) and, when it is
 *  still an object, as that object (what `checkGraphObject` reads). */
export interface Mutated {
  readonly kind: string;
  readonly text: string;
  readonly object?: Json;
}

/** Valid documents broken in one random way; the result may or may not still be valid. */
export function arbMutatedGraph(): fc.Arbitrary<Mutated> {
  const kinds = ['drop-key', 'add-key', 'retype', 'swap-ids', 'break-endpoint', 'truncate', 'insert-chars'] as const;
  return fc
    .tuple(arbGraphDoc({ maxNodes: 6, maxEdges: 8 }), fc.constantFrom(...kinds), fc.nat(), fc.nat(), fc.string({ unit: 'binary', maxLength: 6 }))
    .map(([doc, kind, a, b, junk]) => mutate(doc, kind, a, b, junk));
}

function mutate(doc: GraphDoc, kind: string, a: number, b: number, junk: string): Mutated {
  const text = serializeGraph(doc);
  if (kind === 'truncate') return { kind, text: text.slice(0, a % text.length) };
  if (kind === 'insert-chars') {
    const at = a % (text.length + 1);
    return { kind, text: text.slice(0, at) + junk + text.slice(at) };
  }
  const d = cloneJson(doc) as Json;
  const paths = allPaths(d);
  if (kind === 'drop-key') {
    const keyed = paths.filter((p) => p.length > 0);
    deleteAt(d, keyed[a % keyed.length]!);
  } else if (kind === 'add-key') {
    const objects = paths.filter((p) => isObj(getAt(d, p)));
    (getAt(d, objects[a % objects.length]!) as Record<string, Json>)[junk || 'extra'] = b;
  } else if (kind === 'retype') {
    const p = paths[a % paths.length]!;
    const v = retyped(getAt(d, p), b);
    if (p.length === 0) return { kind, text: JSON.stringify(v), object: v };
    setAt(d, p, v);
  } else if (kind === 'swap-ids') {
    const nodes = (d as { nodes: { id: string }[] }).nodes;
    if (nodes.length >= 2) {
      const i = a % nodes.length;
      const j = b % nodes.length;
      [nodes[i]!.id, nodes[j]!.id] = [nodes[j]!.id, nodes[i]!.id];
    }
  } else if (kind === 'break-endpoint') {
    const edges = (d as { edges: { from: string; to: string }[] }).edges;
    if (edges.length > 0) edges[a % edges.length]![b % 2 === 0 ? 'from' : 'to'] = junk;
  }
  return { kind, text: JSON.stringify(d, null, 2), object: d };
}

/** Mutation classes that `parseGraph` always refuses with a known code, and the schema refuses too. */
export const STRUCTURAL_CLASSES = ['unknown-key', 'wrong-type', 'missing-key', 'bad-id', 'param-range'] as const;
export type StructuralClass = (typeof STRUCTURAL_CLASSES)[number];

export interface StructuralMutation {
  readonly doc: Json;
  /** The code `parseGraph` must report (among others it may add). */
  readonly code: ErrorCode;
  readonly where: string;
}

/** A valid document broken in one way of class `cls`. */
export function arbStructuralMutation(cls: StructuralClass): fc.Arbitrary<StructuralMutation> {
  return fc.tuple(arbGraphDoc({ maxNodes: 6, maxEdges: 8 }), fc.nat(), fc.nat()).map(([doc, a, b]) => structural(cls, cloneJson(doc) as unknown as Record<string, Json>, a, b));
}

/** Paths to the format's own objects (where any extra key is refused) and what an extra key there gives. */
function formatObjects(d: Record<string, Json>): { path: Path; code: ErrorCode }[] {
  const out: { path: Path; code: ErrorCode }[] = [{ path: [], code: 'E105' }];
  (d.nodes as Record<string, Json>[]).forEach((n, i) => {
    out.push({ path: ['nodes', i], code: 'E105' });
    if (n.params !== undefined) out.push({ path: ['nodes', i, 'params'], code: 'E114' });
    if (n.position !== undefined) out.push({ path: ['nodes', i, 'position'], code: 'E105' });
  });
  (d.edges as Json[]).forEach((_, i) => out.push({ path: ['edges', i], code: 'E105' }));
  ((d.loops ?? []) as Json[]).forEach((_, i) => out.push({ path: ['loops', i], code: 'E105' }));
  if (d.task !== undefined) out.push({ path: ['task'], code: 'E105' });
  if (d.training !== undefined) out.push({ path: ['training'], code: 'E105' });
  return out;
}

/** Paths to present string, number or boolean values of the format, each with a value of another type. */
function typedValues(d: Record<string, Json>): { path: Path; value: Json }[] {
  const out: { path: Path; value: Json }[] = [{ path: ['name'], value: 7 }, { path: ['nodes'], value: {} }, { path: ['edges'], value: 'none' }];
  (d.nodes as Record<string, Json>[]).forEach((n, i) => {
    out.push({ path: ['nodes', i, 'id'], value: 3 }, { path: ['nodes', i, 'type'], value: ['rnn'] });
    if (n.position !== undefined) out.push({ path: ['nodes', i, 'position', 'x'], value: '12' });
    if (n.loop !== undefined) out.push({ path: ['nodes', i, 'loop'], value: false });
  });
  (d.edges as Json[]).forEach((_, i) => out.push({ path: ['edges', i, 'from'], value: null }, { path: ['edges', i, 'to'], value: 1 }));
  ((d.loops ?? []) as Json[]).forEach((_, i) => out.push({ path: ['loops', i, 'id'], value: true }));
  if (d.task !== undefined) out.push({ path: ['task', 'name'], value: 0 });
  for (const k of Object.keys((d.training ?? {}) as object)) out.push({ path: ['training', k], value: k === 'optimizer' ? 1 : 'fast' });
  return out;
}

/** Paths to required keys that are present. */
function requiredKeys(d: Record<string, Json>): Path[] {
  const out: Path[] = [['format'], ['version'], ['name'], ['nodes'], ['edges']];
  (d.nodes as Record<string, Json>[]).forEach((n, i) => {
    out.push(['nodes', i, 'id'], ['nodes', i, 'type']);
    if (n.position !== undefined) out.push(['nodes', i, 'position', 'x'], ['nodes', i, 'position', 'y']);
  });
  (d.edges as Json[]).forEach((_, i) => out.push(['edges', i, 'from'], ['edges', i, 'to']));
  ((d.loops ?? []) as Json[]).forEach((_, i) => out.push(['loops', i, 'id']));
  if (d.task !== undefined) out.push(['task', 'name']);
  return out;
}

const BAD_IDS = ['1abc', 'has space', 'dot.ted', '', 'é', 'x'.repeat(65)];

function structural(cls: StructuralClass, d: Record<string, Json>, a: number, b: number): StructuralMutation {
  const nodes = d.nodes as Record<string, Json>[];
  switch (cls) {
    case 'unknown-key': {
      const objs = formatObjects(d);
      const { path, code } = objs[a % objs.length]!;
      (getAt(d, path) as Record<string, Json>)[`notAKey${b % 10}`] = 1;
      return { doc: d, code, where: JSON.stringify(path) };
    }
    case 'wrong-type': {
      const vals = typedValues(d);
      const { path, value } = vals[a % vals.length]!;
      setAt(d, path, value);
      return { doc: d, code: 'E106', where: JSON.stringify(path) };
    }
    case 'missing-key': {
      const keys = requiredKeys(d);
      const path = keys[a % keys.length]!;
      deleteAt(d, path);
      return { doc: d, code: 'E107', where: JSON.stringify(path) };
    }
    case 'bad-id': {
      const loops = (d.loops ?? []) as Record<string, Json>[];
      const owners = [...nodes, ...loops];
      const bad = BAD_IDS[b % BAD_IDS.length]!;
      if (owners.length === 0) nodes.push({ id: bad, type: Object.keys(blockRegistry)[0]! });
      else owners[a % owners.length]!.id = bad;
      return { doc: d, code: 'E111', where: bad };
    }
    case 'param-range': {
      // A ranged (int/number) param pushed past its maximum, on an existing node if one has such a param.
      const ranged = (type: unknown) => {
        const block = typeof type === 'string' ? blockRegistry[type] : undefined;
        return Object.entries(block?.params ?? {}).filter(([, def]) => 'max' in def);
      };
      let target = nodes.find((n) => ranged(n.type).length > 0);
      if (target === undefined) {
        const type = Object.keys(blockRegistry).find((t) => ranged(t).length > 0)!;
        target = { id: freshId(nodes), type };
        nodes.push(target);
      }
      const [name, def] = ranged(target.type)[a % ranged(target.type).length]!;
      const max = (def as { max: number }).max;
      target.params = { ...(target.params as object), [name]: b % 2 === 0 ? max + 1 : max * 2 + 0.5 };
      return { doc: d, code: 'E115', where: `${String(target.type)}.${name}` };
    }
  }
}

function freshId(nodes: readonly Record<string, Json>[]): string {
  let i = 0;
  while (nodes.some((n) => n.id === `fresh${i}`)) i++;
  return `fresh${i}`;
}
