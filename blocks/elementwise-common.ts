/** What the elementwise blocks share: their vector ports and the rule that operands agree in shape. */
import type { InputPortDef, PortTypes, ValueType } from './types.ts';
import { requireSame, vector, vectorSize } from './shape.ts';

/** A per-step float vector port. */
export function vectorPort(name: string, doc: string, optional = false): InputPortDef {
  return { name, doc, accepts: [{ kind: 'vector', seq: false }], ...(optional ? { optional: true } : {}) };
}

/** Shape rule of a block whose output has the shape of its one vector input `in`. */
export function sameAsIn(ins: PortTypes): { out: ValueType } {
  return { out: vector(vectorSize(ins, 'in')) };
}

/**
 * The common type of the `required` ports and the connected `optional` ones (float vectors of one
 * size). Kinds are checked first so that a token wire reads as the wrong kind, not as a size mismatch.
 */
export function sameVectors(ins: PortTypes, required: readonly string[], optional: readonly string[] = []): ValueType {
  const ports = [...required, ...optional.filter((p) => ins[p] !== undefined)];
  for (const p of ports) vectorSize(ins, p);
  for (const p of ports.slice(1)) requireSame(ins, ports[0]!, p);
  return vector(vectorSize(ins, ports[0]!));
}
