/** Small helpers shared by the structural checks of a graph document. */
import { FORBIDDEN_KEYS, typeName } from './fields.ts';
import { didYouMean, type ErrorList, type PathSegments } from './report.ts';
import { isPlainObject } from './hostile.ts';
import { ID_PATTERN, MAX_ID_LENGTH } from './types.ts';

export type Obj = Record<string, unknown>;
export { isPlainObject };

/** `o[k]` only when `k` is `o`'s own key: never a value inherited from a prototype. */
export function own(o: Obj, k: string): unknown {
  return Object.hasOwn(o, k) ? o[k] : undefined;
}

/** Sets an own data property without ever running a setter (`__proto__` included). */
export function setOwn(o: Obj, k: string, v: unknown): void {
  Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
}

/** E105 for every key of `o` not in `allowed`. Forbidden keys were already refused (E103). */
export function checkKeys(o: Obj, allowed: readonly string[], path: PathSegments, what: string, errors: ErrorList): void {
  for (const k of Object.keys(o)) {
    if (allowed.includes(k) || FORBIDDEN_KEYS.has(k) || o[k] === undefined) continue;
    errors.add('E105', `${what} has no key ${JSON.stringify(k)}${didYouMean(k, allowed)} (its keys are ${allowed.join(', ')})`, [...path, k]);
  }
}

/** The value of a required key, or undefined after an E107. */
export function required(o: Obj, k: string, path: PathSegments, what: string, errors: ErrorList): unknown {
  const v = own(o, k);
  if (v === undefined) errors.add('E107', `${what} needs the key "${k}"`, [...path, k]);
  return v;
}

/** `v` as an object, or undefined after an E106. */
export function asObject(v: unknown, path: PathSegments, what: string, errors: ErrorList): Obj | undefined {
  if (isPlainObject(v)) return v;
  errors.add('E106', `${what} must be an object, got ${typeName(v)}`, path);
  return undefined;
}

/** `v` as an array, or undefined after an E106. */
export function asArray(v: unknown, path: PathSegments, what: string, errors: ErrorList): readonly unknown[] | undefined {
  if (Array.isArray(v)) return v;
  errors.add('E106', `${what} must be an array, got ${typeName(v)}`, path);
  return undefined;
}

/** `v` as a string, or undefined after an E106. */
export function asString(v: unknown, path: PathSegments, what: string, errors: ErrorList): string | undefined {
  if (typeof v === 'string') return v;
  errors.add('E106', `${what} must be a string, got ${typeName(v)}`, path);
  return undefined;
}

/** E111 unless `id` is a valid node or loop id. */
export function checkId(id: string, path: PathSegments, what: string, errors: ErrorList): void {
  if (id.length > MAX_ID_LENGTH) {
    errors.add('E111', `${what} is ${id.length} characters long; ids may be at most ${MAX_ID_LENGTH}`, path);
  } else if (!ID_PATTERN.test(id)) {
    errors.add('E111', `${what} ${JSON.stringify(id)} must start with a letter or _ and hold only letters, digits, _ and -`, path);
  }
}

/** A param or task value: number, string or boolean. */
export function isParamValue(v: unknown): v is number | string | boolean {
  return typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean';
}
