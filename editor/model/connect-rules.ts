/**
 * Whether a wire may be drawn, and why not: the rules come from the block registry (the ports a
 * block has and the kinds each input accepts, what its params make it expect) and from validation
 * run on the graph with the new wire (shape and kind errors that wire would cause).
 * Cycles are allowed here: a delay-free cycle is a validation error the editor shows, not a refusal.
 */
import { produce } from 'immer';
import { resolveParams } from '../../blocks/params.ts';
import { getBlock } from '../../blocks/registry.ts';
import { elementKind, formatType } from '../../blocks/shape.ts';
import type { ValueType } from '../../blocks/types.ts';
import type { UnrollError } from '../../runtime/errors/catalogue.ts';
import type { GraphDoc } from '../../runtime/graph/types.ts';
import { describeAccepts } from '../../runtime/validate/port-forms.ts';
import type { GraphAnalysis } from '../../runtime/validate/types.ts';
import { analyzeGraph } from '../../runtime/validate/validate.ts';
import { applyChange, EditError } from './changes.ts';

export type ConnectionCheck = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/** Errors a wire that is itself wrong causes: wrong kind, a sequence where it cannot go, a size that fixes. */
const WIRE_CODES = new Set(['E200', 'E201', 'E207', 'E213']);

const no = (reason: string): ConnectionCheck => ({ ok: false, reason });

/** The element kind a value type has, as port definitions name it. */
function kindOf(t: ValueType): string {
  return elementKind(t) ?? `${t.dtype}[${t.shape.join(', ')}]`;
}

/**
 * May `from` ("node.port", an output) be wired to `to` ("node.port", an input) in `doc`?
 * `analysis` is the current validation of `doc` (for the types already known at `from`).
 */
export function checkConnection(doc: GraphDoc, analysis: GraphAnalysis | undefined, from: string, to: string): ConnectionCheck {
  const [fromNode, fromPort] = split(from);
  const [toNode, toPort] = split(to);
  const src = doc.nodes.find((n) => n.id === fromNode);
  const dst = doc.nodes.find((n) => n.id === toNode);
  if (src === undefined || dst === undefined) return no('one end of the wire is not a node of this graph');
  const srcBlock = getBlock(src.type);
  const dstBlock = getBlock(dst.type);
  if (srcBlock === undefined || dstBlock === undefined) return no('unknown block type');
  if (!srcBlock.outputs.some((p) => p.name === fromPort)) return no(`${from} is not an output port: a wire starts at an output (right side)`);
  const input = dstBlock.inputs.find((p) => p.name === toPort);
  if (input === undefined) return no(`${to} is not an input port: a wire ends at an input (left side)`);
  if (doc.edges.some((e) => e.from === from && e.to === to)) return no(`${from} is already wired to ${to}`);

  // Kinds from the registry: the type already inferred at the output against what the input accepts.
  const produced = analysis?.outputTypes.get(from);
  if (produced !== undefined) {
    const kind = elementKind(produced);
    if (kind === undefined || !input.accepts.some((a) => a.kind === kind)) {
      const hint =
        (kind === 'tokens' || kind === 'bag') && input.accepts.some((a) => a.kind === 'vector')
          ? `: put an encoder (kind ${kind === 'bag' ? 'bag' : 'embedding'}) between them`
          : '';
      return no(`${to} takes ${describeAccepts(input.accepts)}, but ${from} delivers ${kindOf(produced)} ${formatType(produced)}${hint}`);
    }
    // What the block's params fix at this port (a cell's state is [hidden]).
    const expected = dstBlock.expects?.(resolveParams(dstBlock.params, dst.params))[toPort];
    if (expected !== undefined && produced.seq === undefined && kind === elementKind(expected)) {
      const same = expected.shape.length === produced.shape.length && expected.shape.every((d, i) => d === produced.shape[i]);
      if (!same) return no(`${to} must be ${formatType(expected)} (${dst.id}'s params fix it), but ${from} delivers ${formatType(produced)}`);
    }
  }

  // Validation with the wire: errors of the wire itself that were not there before.
  let trial: GraphDoc;
  try {
    trial = produce(doc, (d) => {
      applyChange(d, { type: 'connect', from, to });
    });
  } catch (e) {
    if (e instanceof EditError) return no(e.message);
    throw e;
  }
  const index = trial.edges.findIndex((e) => e.from === from && e.to === to);
  let after: GraphAnalysis;
  try {
    after = analyzeGraph(trial);
  } catch {
    return { ok: true };
  }
  const before = new Set((analysis?.errors ?? []).map(signature));
  const caused = after.errors.find(
    (e) => WIRE_CODES.has(e.code) && !before.has(signature(e)) && e.edges !== undefined && e.edges.includes(index) && blamesOnlyTheWire(e, index),
  );
  return caused === undefined ? { ok: true } : no(caused.message);
}

/** A kind error of the wire, or a size mismatch with the receiving block's params (not with another wire). */
function blamesOnlyTheWire(e: UnrollError, index: number): boolean {
  if (e.code !== 'E200') return true;
  return e.edges!.length === 1 && e.edges![0] === index;
}

const signature = (e: UnrollError): string => `${e.code} ${e.message}`;

function split(endpoint: string): [string, string] {
  const dot = endpoint.indexOf('.');
  return dot < 0 ? [endpoint, ''] : [endpoint.slice(0, dot), endpoint.slice(dot + 1)];
}
