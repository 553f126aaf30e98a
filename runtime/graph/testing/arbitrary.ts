/**
 * fast-check arbitraries for graph documents that `parseGraph` accepts: nodes of random registered
 * block types with random valid params, edges from existing output ports to existing input ports,
 * optional positions, loops over nodes or fixed steps, takes, task and training. Structurally
 * valid only: shapes, cycles and loop semantics are not considered (validation's job).
 * For tests of any layer; never imported by shipped code.
 */
import fc from 'fast-check';
import { blockRegistry } from '../../../blocks/registry.ts';
import type { ParamDef } from '../../../blocks/types.ts';
import { DIRECTIONS, FORBIDDEN_KEYS, LOOP_STEPS, MAX_NAME_LENGTH, TAKES, TRAINING_FIELDS, type TrainingField } from '../fields.ts';
import { GRAPH_FORMAT, GRAPH_FORMAT_VERSION, MAX_ID_LENGTH, type GraphDoc, type GraphEdge, type GraphLoop, type GraphNode, type ParamValueJson } from '../types.ts';

export interface ArbGraphOptions {
  /** Most nodes (default 10). */
  readonly maxNodes?: number;
  /** Most edges (default 16). */
  readonly maxEdges?: number;
  /** Most loops (default 3). */
  readonly maxLoops?: number;
}


const ID_FIRST = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_'.split('');
const ID_REST = [...ID_FIRST, ...'0123456789-'.split('')];

/** Ids matching `ID_PATTERN`, mostly short, sometimes the longest allowed. */
export function arbId(): fc.Arbitrary<string> {
  const short = fc
    .tuple(fc.constantFrom(...ID_FIRST), fc.string({ unit: fc.constantFrom(...ID_REST), maxLength: 8 }))
    .map(([a, b]) => a + b);
  const long = fc
    .tuple(fc.constantFrom(...ID_FIRST), fc.string({ unit: fc.constantFrom(...ID_REST), minLength: MAX_ID_LENGTH - 1, maxLength: MAX_ID_LENGTH - 1 }))
    .map(([a, b]) => a + b);
  return fc.oneof({ weight: 9, arbitrary: short }, { weight: 1, arbitrary: long });
}

/** A valid value for one block param; `nodeRef`s name one of `ids`. */
export function arbParamValue(def: ParamDef, ids: readonly string[]): fc.Arbitrary<ParamValueJson> | undefined {
  switch (def.kind) {
    case 'int':
    case 'optionalInt':
      return fc.oneof(fc.integer({ min: def.min, max: def.max }), fc.constantFrom(def.min, def.max));
    case 'number':
      return fc.double({ min: def.min, max: def.max, noNaN: true, noDefaultInfinity: true });
    case 'bool':
      return fc.boolean();
    case 'enum':
      return fc.constantFrom(...def.values);
    case 'nodeRef':
      return ids.length === 0 ? undefined : fc.constantFrom(...ids);
  }
}

const coordinate = fc
  .oneof(fc.integer({ min: -100_000, max: 100_000 }), fc.double({ min: -1e6, max: 1e6, noNaN: true, noDefaultInfinity: true }))
  ;

/** Strings of any UTF-16 content (lone surrogates, control characters, a mid-text BOM included). */
const anyString = (maxLength: number) => fc.string({ unit: 'binary', maxLength });

const scalar: fc.Arbitrary<ParamValueJson> = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  anyString(20),
);

function arbNode(id: string, type: string, ids: readonly string[], loopIds: readonly string[]): fc.Arbitrary<GraphNode> {
  const block = blockRegistry[type]!;
  const params: Record<string, fc.Arbitrary<ParamValueJson>> = {};
  for (const [name, def] of Object.entries(block.params)) {
    const arb = arbParamValue(def, ids);
    if (arb !== undefined) params[name] = arb;
  }
  const optional: Record<string, fc.Arbitrary<unknown>> = {
    params: fc.record(params, { requiredKeys: [], noNullPrototype: true }),
    position: fc.record({ x: coordinate, y: coordinate }, { noNullPrototype: true }),
  };
  if (loopIds.length > 0) optional.loop = fc.constantFrom(...loopIds);
  return fc.record(optional, { requiredKeys: [], noNullPrototype: true }).map((rest) => ({ id, type, ...rest }) as GraphNode);
}

function arbLoop(id: string, nodeIds: readonly string[]): fc.Arbitrary<GraphLoop> {
  const steps = fc.integer({ min: LOOP_STEPS.min, max: LOOP_STEPS.max }).map((s) => ({ steps: s }));
  const span = nodeIds.length === 0 ? steps : fc.oneof(fc.constantFrom(...nodeIds).map((over) => ({ over })), steps);
  return fc
    .tuple(span, fc.option(fc.constantFrom(...DIRECTIONS), { nil: undefined }))
    .map(([s, direction]) => ({ id, ...s, ...(direction === undefined ? {} : { direction }) }) as GraphLoop);
}

function arbTrainingValue(f: TrainingField): fc.Arbitrary<number | string> {
  if (f.kind === 'enum') return fc.constantFrom(...f.values);
  const max = f.max ?? 1e6;
  if (f.kind === 'integer') return fc.integer({ min: f.min, max });
  return fc
    .double({ min: f.min, max, minExcluded: f.exclusiveMin === true, maxExcluded: f.exclusiveMax === true, noNaN: true })
    ;
}

const arbTraining = fc.record(
  Object.fromEntries(Object.entries(TRAINING_FIELDS).map(([k, f]) => [k, arbTrainingValue(f)])),
  { requiredKeys: [], noNullPrototype: true },
);

const taskParamKey = fc.string({ maxLength: 12 }).filter((k) => !FORBIDDEN_KEYS.has(k));
const arbTask = fc.record(
  { name: anyString(30), params: fc.dictionary(taskParamKey, scalar, { maxKeys: 5, noNullPrototype: true }) },
  { requiredKeys: ['name'], noNullPrototype: true },
);

/** Graph documents `parseGraph` accepts (see the file comment for what "valid" covers). */
export function arbGraphDoc(options: ArbGraphOptions = {}): fc.Arbitrary<GraphDoc> {
  const { maxNodes = 10, maxEdges = 16, maxLoops = 3 } = options;
  const types = Object.keys(blockRegistry);
  const nodeHeads = fc.uniqueArray(fc.tuple(arbId(), fc.constantFrom(...types)), { maxLength: maxNodes, selector: ([id]) => id });
  return nodeHeads.chain((heads) => {
    const ids = heads.map(([id]) => id);
    // Loop ids live in their own namespace: sometimes reuse a node id to prove it.
    const loopId = ids.length > 0 ? fc.oneof(arbId(), fc.constantFrom(...ids)) : arbId();
    return fc.uniqueArray(loopId, { maxLength: maxLoops }).chain((loopIds) => {
      const outs = heads.flatMap(([id, t]) => blockRegistry[t]!.outputs.map((p) => `${id}.${p.name}`));
      const ins = heads.flatMap(([id, t]) => blockRegistry[t]!.inputs.map((p) => `${id}.${p.name}`));
      const edge: fc.Arbitrary<GraphEdge> | undefined =
        outs.length > 0 && ins.length > 0
          ? fc.record(
              { from: fc.constantFrom(...outs), to: fc.constantFrom(...ins), take: fc.constantFrom(...TAKES) },
              { requiredKeys: ['from', 'to'], noNullPrototype: true },
            )
          : undefined;
      // `loops` is required once a node may name a loop; otherwise sometimes absent, sometimes [].
      const loops = loopIds.length === 0 ? fc.constant([]) : fc.tuple(...loopIds.map((l) => arbLoop(l, ids)));
      const required = {
        format: fc.constant(GRAPH_FORMAT),
        version: fc.constant(GRAPH_FORMAT_VERSION),
        name: anyString(MAX_NAME_LENGTH / 2),
        nodes: heads.length === 0 ? fc.constant([]) : fc.tuple(...heads.map(([id, t]) => arbNode(id, t, ids, loopIds))),
        edges: edge === undefined ? fc.constant([]) : fc.array(edge, { maxLength: maxEdges }),
        ...(loopIds.length > 0 ? { loops } : {}),
      };
      const optional = { ...(loopIds.length === 0 ? { loops } : {}), task: arbTask, training: arbTraining };
      return fc
        .tuple(fc.record(required, { noNullPrototype: true }), fc.record(optional, { requiredKeys: [], noNullPrototype: true }))
        .map(([r, o]) => ({ ...r, ...o }) as GraphDoc);
    });
  });
}
