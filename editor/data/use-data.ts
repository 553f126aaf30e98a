/**
 * What "Use this data" does to the open graph, as one undoable change: the task becomes `dataset`
 * with the reader params and the whole column mapping (so the saved graph trains on the same file
 * the same way from the CLI: `unroll train G --data FILE`), and the `input` and `target` nodes the
 * data feeds take the sizes the file gives (`sourceParamsFor`), as does the decoder whose
 * prediction the loss compares with that target (its classes or values).
 */
import { paramDefault } from '../../blocks/params.ts';
import { getBlock } from '../../blocks/registry.ts';
import { sourceParamsFor, type DatasetSummary } from '../../runtime/data/dataset-schema.ts';
import { formatMapping, type ColumnMapping, type ResolvedMapping } from '../../runtime/data/mapping.ts';
import { splitEndpoint, type GraphDoc, type ParamValueJson } from '../../runtime/graph/types.ts';
import type { StreamSpec } from '../../runtime/tasks/types.ts';
import type { Change } from '../model/changes.ts';
import { DATASET_TASK } from './dataset-params.ts';

/** The graph's source nodes the data may feed, in document order. */
export interface GraphSources {
  /** Ids of `input` nodes (the features, or the text's tokens). */
  readonly inputs: readonly string[];
  /** Ids of `target` nodes (the labels or values to predict, or the next token). */
  readonly targets: readonly string[];
}

export function graphSources(doc: GraphDoc): GraphSources {
  return { inputs: doc.nodes.filter((n) => n.type === 'input').map((n) => n.id), targets: doc.nodes.filter((n) => n.type === 'target').map((n) => n.id) };
}

/** `preferred` when the graph has such a node, else its first one of the kind (undefined: none). */
export function pickNode(ids: readonly string[], preferred: string | undefined): string | undefined {
  return preferred !== undefined && ids.includes(preferred) ? preferred : ids[0];
}

/** A mapping as the task section keeps it: every part given, none marked inferred. */
export function givenMapping(m: ResolvedMapping): ColumnMapping {
  return { id: m.id, time: m.time, features: [...m.features], target: m.target, input: m.input, output: m.output, per: m.per, kind: m.kind };
}

/** One param of one node that the data changes (`to` undefined: the param is removed, its default applies). */
export interface NodeUpdate {
  readonly node: string;
  readonly param: string;
  /** The value in the graph now (undefined: not set, the block's default applies). */
  readonly from: ParamValueJson | undefined;
  readonly to: ParamValueJson | undefined;
  /** The value the block uses when the param is not set. */
  readonly fallback: ParamValueJson | undefined;
}

/** The params of `node` that differ from `want` (a value, or undefined for the default), compared by effect. */
function differences(doc: GraphDoc, nodeId: string, want: Readonly<Record<string, ParamValueJson | undefined>>): NodeUpdate[] {
  const node = doc.nodes.find((n) => n.id === nodeId);
  const block = node !== undefined ? getBlock(node.type) : undefined;
  if (node === undefined || block === undefined) return [];
  const out: NodeUpdate[] = [];
  for (const [param, to] of Object.entries(want)) {
    const def = block.params[param];
    if (def === undefined) continue;
    const fallback = paramDefault(def);
    const from = node.params !== undefined && Object.hasOwn(node.params, param) ? node.params[param] : undefined;
    if ((from ?? fallback) !== (to ?? fallback)) out.push({ node: nodeId, param, from, to, fallback });
  }
  return out;
}

/** What a source node must hold to carry `stream`: its params, and `sequence` back to its default for a sequence. */
function sourceWant(stream: StreamSpec): Record<string, ParamValueJson | undefined> {
  const want: Record<string, ParamValueJson | undefined> = sourceParamsFor(stream);
  if (stream.sequence) want.sequence = undefined;
  return want;
}

/** Decoders whose output a loss compares with `target`'s (wired straight to the loss's `pred`). */
function decodersFor(doc: GraphDoc, target: string): string[] {
  const losses = doc.edges.filter((e) => splitEndpoint(e.from)?.node === target && splitEndpoint(e.to)?.port === 'target').map((e) => splitEndpoint(e.to)!.node);
  const out: string[] = [];
  for (const loss of losses) {
    const pred = doc.edges.find((e) => e.to === `${loss}.pred`);
    const dec = pred !== undefined ? splitEndpoint(pred.from)?.node : undefined;
    if (dec !== undefined && doc.nodes.find((n) => n.id === dec)?.type === 'decoder' && !out.includes(dec)) out.push(dec);
  }
  return out;
}

/** Which node each of the data's streams feeds. */
export interface StreamNodes {
  readonly input: string | undefined;
  readonly target: string | undefined;
}

/**
 * The param changes that make the graph's nodes fit the data: the input node carries the input
 * stream, the target node the target stream, and the decoder the loss compares with that target
 * gives as many outputs as the target has classes (or values).
 */
export function nodeUpdates(doc: GraphDoc, streams: readonly StreamSpec[], nodes: StreamNodes): NodeUpdate[] {
  const out: NodeUpdate[] = [];
  const input = streams.find((s) => s.role === 'input');
  const target = streams.find((s) => s.role === 'target');
  if (input !== undefined && nodes.input !== undefined) out.push(...differences(doc, nodes.input, sourceWant(input)));
  if (target !== undefined && nodes.target !== undefined) {
    out.push(...differences(doc, nodes.target, sourceWant(target)));
    const size = target.kind === 'tokens' ? target.vocab : target.size;
    if (size !== undefined) for (const dec of decodersFor(doc, nodes.target)) out.push(...differences(doc, dec, { size }));
  }
  return out;
}

/** The dataset params the graph has now (none when its task is another), without `map`. */
export function currentDatasetParams(doc: GraphDoc): Record<string, ParamValueJson> {
  if (doc.task?.name !== DATASET_TASK) return {};
  const { map: _map, ...rest } = doc.task.params ?? {};
  return { ...rest };
}

/**
 * The task section's params for a file: the graph's dataset params (the reader left to the file's
 * name), the options chosen in the dialog over them, and for a CSV the whole mapping.
 */
export function taskParamsFor(doc: GraphDoc, options: Readonly<Record<string, ParamValueJson>>, mapping: ColumnMapping | undefined): Record<string, ParamValueJson> {
  const { reader: _reader, ...base } = currentDatasetParams(doc);
  const params: Record<string, ParamValueJson> = { ...base, ...options };
  if (mapping !== undefined) params.map = formatMapping(mapping);
  return params;
}

/** The one change "Use this data" dispatches. */
export function useDataChange(doc: GraphDoc, file: string, summary: DatasetSummary, options: Readonly<Record<string, ParamValueJson>>, nodes: StreamNodes): Change {
  const mapping = summary.reader === 'csv' ? givenMapping(summary.mapping) : undefined;
  const changes: Change[] = [{ type: 'setTask', name: DATASET_TASK, params: taskParamsFor(doc, options, mapping) }];
  for (const u of nodeUpdates(doc, summary.streams, nodes)) changes.push({ type: 'setParam', node: u.node, param: u.param, value: u.to });
  return { type: 'batch', label: `use data ${file}`, changes };
}
