/** Resolving a node's params against its block's schema: defaults filled in, each value checked. */
import type { ParamDef, ParamSchema } from './types.ts';

/** The value a param takes when the file does not set it. */
export function paramDefault(def: ParamDef): number | string | boolean | undefined {
  return 'default' in def ? def.default : undefined;
}

/** Why `value` is not acceptable for `def`, or undefined when it is. */
export function checkParam(def: ParamDef, value: unknown): string | undefined {
  switch (def.kind) {
    case 'int':
    case 'optionalInt':
      if (typeof value !== 'number' || !Number.isInteger(value)) return `must be an integer, got ${JSON.stringify(value)}`;
      if (value < def.min || value > def.max) return `must be between ${def.min} and ${def.max}, got ${value}`;
      return undefined;
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) return `must be a number, got ${JSON.stringify(value)}`;
      if (value < def.min || value > def.max) return `must be between ${def.min} and ${def.max}, got ${value}`;
      return undefined;
    case 'bool':
      return typeof value === 'boolean' ? undefined : `must be true or false, got ${JSON.stringify(value)}`;
    case 'enum':
      return typeof value === 'string' && def.values.includes(value)
        ? undefined
        : `must be one of ${def.values.map((v) => `"${v}"`).join(', ')}, got ${JSON.stringify(value)}`;
    case 'nodeRef':
      return typeof value === 'string' ? undefined : `must be a node id, got ${JSON.stringify(value)}`;
  }
}

/** Params with defaults filled in. Assumes values were checked with `checkParam`. */
export function resolveParams(schema: ParamSchema, given: Readonly<Record<string, unknown>> | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, def] of Object.entries(schema)) {
    const v = given !== undefined && Object.hasOwn(given, name) ? given[name] : paramDefault(def);
    if (v !== undefined) out[name] = v;
  }
  return out;
}
