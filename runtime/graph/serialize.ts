/**
 * Writing a graph document: 2-space JSON in a fixed key order, so that saving the same graph always
 * gives the same bytes and diffs stay small. Edges, loops and positions are written on one line
 * each (they are short and many); everything else is expanded.
 */
import { getBlock } from '../../blocks/registry.ts';
import { DOC_KEYS, EDGE_KEYS, LOOP_KEYS, NODE_KEYS, POSITION_KEYS, TASK_KEYS, TRAINING_KEYS } from './fields.ts';
import type { GraphDoc } from './types.ts';

/** A value with its keys already in writing order, and whether to write it on one line. */
type Printable = { readonly entries: readonly (readonly [string, Printable])[]; readonly inline: boolean } | { readonly list: readonly Printable[] } | { readonly scalar: unknown };

/**
 * The text of a graph file: keys in the format's order (top: format, version, name, loops, nodes,
 * edges, task, training; node params in the block's param order, others after alphabetically),
 * 2-space indentation, a trailing newline. `parseGraph(serializeGraph(doc))` gives `doc` back.
 * Keys outside the format are written after the known ones (alphabetically) rather than dropped,
 * so that `parseGraph` refuses them visibly.
 */
export function serializeGraph(doc: GraphDoc): string {
  return `${print(documentPrintable(doc), '')}\n`;
}

function documentPrintable(doc: GraphDoc): Printable {
  return object(doc, DOC_KEYS, (key, v) => {
    if (key === 'nodes' && Array.isArray(v)) return { list: v.map(nodePrintable) };
    if (key === 'edges' && Array.isArray(v)) return { list: v.map((e) => object(e, EDGE_KEYS, plain, true)) };
    if (key === 'loops' && Array.isArray(v)) return { list: v.map((l) => object(l, LOOP_KEYS, plain, true)) };
    if (key === 'task') return object(v, TASK_KEYS, (k, pv) => (k === 'params' ? object(pv, [], plain) : plain(k, pv)));
    if (key === 'training') return object(v, TRAINING_KEYS, plain);
    return plain(key, v);
  });
}

function nodePrintable(node: unknown): Printable {
  const type = isRecord(node) && typeof node.type === 'string' ? node.type : '';
  const paramOrder = Object.keys(getBlock(type)?.params ?? {});
  return object(node, NODE_KEYS, (key, v) => {
    if (key === 'params') return object(v, paramOrder, plain);
    if (key === 'position') return object(v, POSITION_KEYS, plain, true);
    return plain(key, v);
  });
}

/** `value`'s keys: those in `order` first, in that order, then the rest alphabetically. */
function object(value: unknown, order: readonly string[], child: (key: string, v: unknown) => Printable, inline = false): Printable {
  if (!isRecord(value)) return { scalar: value };
  const known = order.filter((k) => Object.hasOwn(value, k) && value[k] !== undefined);
  const rest = Object.keys(value)
    .filter((k) => !order.includes(k) && value[k] !== undefined)
    .sort();
  return { entries: [...known, ...rest].map((k) => [k, child(k, value[k])] as const), inline };
}

/** Anything below the known structure: written as JSON.stringify would, keys in their own order. */
function plain(_key: string, v: unknown): Printable {
  if (Array.isArray(v)) return { list: v.map((x) => plain('', x)) };
  if (isRecord(v)) return { entries: Object.keys(v).filter((k) => v[k] !== undefined).map((k) => [k, plain(k, v[k])] as const), inline: false };
  return { scalar: v };
}

function print(p: Printable, indent: string): string {
  // JSON.stringify writes -0 as 0; keep the sign so that reading the file back gives the same value.
  if ('scalar' in p) return Object.is(p.scalar, -0) ? '-0' : (JSON.stringify(p.scalar) ?? 'null');
  const inner = `${indent}  `;
  if ('list' in p) {
    if (p.list.length === 0) return '[]';
    return `[\n${p.list.map((x) => inner + print(x, inner)).join(',\n')}\n${indent}]`;
  }
  if (p.entries.length === 0) return '{}';
  if (p.inline) return `{ ${p.entries.map(([k, v]) => `${JSON.stringify(k)}: ${print(v, '')}`).join(', ')} }`;
  return `{\n${p.entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${print(v, inner)}`).join(',\n')}\n${indent}}`;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
