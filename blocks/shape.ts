/**
 * Helpers for shape rules. A rule refuses its inputs by throwing `ShapeIssue`, which names the
 * ports involved; validation turns it into a catalogue error naming the wires and nodes.
 */
import type { ElementKind, PortTypes, ValueType } from './types.ts';

/** Why a block refuses the types at its ports. `ports` are this block's port names. */
export class ShapeIssue extends Error {
  readonly ports: readonly string[];
  /** `mismatch`: two or more ports disagree, or a port disagrees with a param (E200);
   *  `kind`: a port got the wrong kind of value, e.g. tokens where a vector is needed (E201). */
  readonly reason: 'mismatch' | 'kind';
  constructor(reason: 'mismatch' | 'kind', ports: readonly string[], message: string) {
    super(message);
    this.name = 'ShapeIssue';
    this.reason = reason;
    this.ports = ports;
  }
}

/** `[64]`, `int[] < 12`, `seq(src) [64]`: how types are written in messages. */
export function formatType(t: ValueType): string {
  const dims = `[${t.shape.join(', ')}]`;
  const elem = t.dtype === 'int' ? `int${dims}${t.vocab !== undefined ? ` < ${t.vocab}` : ''}` : dims;
  return t.seq !== undefined ? `seq(${t.seq}) ${elem}` : elem;
}

/** The element kind of a type, ignoring whether it is a sequence. */
export function elementKind(t: ValueType): ElementKind | undefined {
  if (t.dtype === 'int') return t.shape.length === 0 ? 'tokens' : t.shape.length === 1 ? 'bag' : undefined;
  return t.shape.length === 0 ? 'scalar' : t.shape.length === 1 ? 'vector' : t.shape.length === 2 ? 'matrix' : undefined;
}

export const vector = (n: number): ValueType => ({ dtype: 'float', shape: [n] });
export const scalar: ValueType = { dtype: 'float', shape: [] };
export const tokens = (vocab: number): ValueType => ({ dtype: 'int', shape: [], vocab });

export function sameType(a: ValueType, b: ValueType): boolean {
  return (
    a.seq === b.seq &&
    a.dtype === b.dtype &&
    a.vocab === b.vocab &&
    a.shape.length === b.shape.length &&
    a.shape.every((d, i) => d === b.shape[i])
  );
}

/** The type at a connected port (validation guarantees required ports are connected). */
export function portType(ins: PortTypes, port: string): ValueType {
  const t = ins[port];
  if (t === undefined) throw new ShapeIssue('kind', [port], `port ${port} is not connected`);
  return t;
}

/** Size of the float vector at `port` (one step's element); throws if it is not a float vector. */
export function vectorSize(ins: PortTypes, port: string): number {
  const t = portType(ins, port);
  if (t.dtype !== 'float' || t.shape.length !== 1 || t.seq !== undefined) {
    throw new ShapeIssue('kind', [port], `port ${port} takes a vector, got ${formatType(t)}`);
  }
  return t.shape[0]!;
}

/** Element size of a whole sequence of vectors at `port`, with its axis. */
export function sequenceOfVectors(ins: PortTypes, port: string): { axis: string; size: number } {
  const t = portType(ins, port);
  if (t.dtype !== 'float' || t.shape.length !== 1 || t.seq === undefined) {
    throw new ShapeIssue('kind', [port], `port ${port} takes a sequence of vectors, got ${formatType(t)}`);
  }
  return { axis: t.seq, size: t.shape[0]! };
}

/** Vocabulary size of the token ids (or bag of ids) at `port`. */
export function tokenVocab(ins: PortTypes, port: string): number {
  const t = portType(ins, port);
  if (t.dtype !== 'int' || t.vocab === undefined || t.seq !== undefined) {
    throw new ShapeIssue('kind', [port], `port ${port} takes token ids, got ${formatType(t)}`);
  }
  return t.vocab;
}

/** Refuse unless the vector at `port` has `size` elements, naming the param that fixes it. */
export function requireVector(ins: PortTypes, port: string, size: number, because: string): void {
  const got = vectorSize(ins, port);
  if (got !== size) {
    throw new ShapeIssue('mismatch', [port], `port ${port} must be [${size}] (${because}), got [${got}]`);
  }
}

/** Refuse unless ports `a` and `b` carry identical types; the message names both ports and shapes. */
export function requireSame(ins: PortTypes, a: string, b: string): ValueType {
  const ta = portType(ins, a);
  const tb = portType(ins, b);
  if (!sameType(ta, tb)) {
    throw new ShapeIssue('mismatch', [a, b], `ports ${a} ${formatType(ta)} and ${b} ${formatType(tb)} must have the same shape`);
  }
  return ta;
}
