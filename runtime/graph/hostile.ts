/**
 * One walk over every value of a document, before its structure is read, for what is refused
 * wherever it appears (inside unknown keys too): nesting deeper than `LIMITS.depth`, keys that
 * reach prototypes, infinite numbers, strings longer than `LIMITS.stringLength`, and values JSON
 * cannot hold (an object handed in from code may contain anything, cycles included).
 * Iterative with an explicit stack; a value budget bounds the work on objects built in memory.
 */
import { FORBIDDEN_KEYS, textLength, typeName } from './fields.ts';
import { LIMITS } from './types.ts';
import type { ErrorList, PathSegments } from './report.ts';

/** Most values one document may hold: an 8 MiB file cannot hold more, so only objects built in
 *  code (or graphs of shared sub-objects) ever reach it. */
export const MAX_VALUES = LIMITS.fileBytes;

interface Entry {
  readonly value: unknown;
  readonly key: string | number | undefined;
  readonly parent: Entry | undefined;
  /** Containers from the root down to this value, this one included if it is a container. */
  readonly depth: number;
}

function pathOf(e: Entry): PathSegments {
  const out: (string | number)[] = [];
  for (let cur: Entry | undefined = e; cur?.key !== undefined; cur = cur.parent) out.push(cur.key);
  return out.reverse();
}

/** A plain object as `JSON.parse` makes them (or one without a prototype). */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** Adds an error for every hostile spot; returns true when there was none. */
export function checkHostile(root: unknown, errors: ErrorList): boolean {
  const before = errors.items.length;
  const stack: Entry[] = [{ value: root, key: undefined, parent: undefined, depth: 0 }];
  let visited = 0;
  while (stack.length > 0 && !errors.full) {
    const e = stack.pop()!;
    if (++visited > MAX_VALUES) {
      errors.add('E100', `the document holds more than ${MAX_VALUES} values; a graph file holds far fewer`, []);
      break;
    }
    const v = e.value;
    switch (typeof v) {
      case 'string':
        // UTF-16 units never undercount characters, so only long strings need counting.
        if (v.length > LIMITS.stringLength && textLength(v) > LIMITS.stringLength) tooLong(errors, textLength(v), pathOf(e));
        continue;
      case 'number':
        if (!Number.isFinite(v)) errors.add('E104', `${v} is not a finite number; JSON numbers must be finite`, pathOf(e));
        continue;
      case 'boolean':
        continue;
      case 'object':
        if (v === null) continue;
        break;
      default:
        errors.add('E106', `${typeName(v)} is not a JSON value`, pathOf(e));
        continue;
    }
    const depth = e.depth + 1;
    if (depth > LIMITS.depth) {
      errors.add('E102', `the JSON nests more than ${LIMITS.depth} levels deep here; a graph nests about 5`, pathOf(e));
      continue;
    }
    if (Array.isArray(v)) {
      if (v.length > MAX_VALUES) {
        errors.add('E100', `an array of ${v.length} items; a graph file holds far fewer`, pathOf(e));
        continue;
      }
      const children: Entry[] = [];
      for (let i = 0; i < v.length && !errors.full; i++) {
        const item: unknown = v[i];
        if (item === undefined) errors.add('E106', 'an empty array slot is not a JSON value', [...pathOf(e), i]);
        else children.push({ value: item, key: i, parent: e, depth });
      }
      pushReversed(stack, children);
      continue;
    }
    if (!isPlainObject(v)) {
      errors.add('E106', 'an object that is not plain JSON data (a class instance, date or map)', pathOf(e));
      continue;
    }
    const children: Entry[] = [];
    for (const key of Object.keys(v)) {
      if (FORBIDDEN_KEYS.has(key)) {
        errors.add('E103', `the key "${key}" is not allowed anywhere in a graph (it could alter object prototypes)`, [...pathOf(e), key]);
        continue;
      }
      if (key.length > LIMITS.stringLength && textLength(key) > LIMITS.stringLength) {
        tooLong(errors, textLength(key), pathOf(e), 'a key');
        continue;
      }
      // An undefined property is how code writes "absent"; JSON.stringify drops it too.
      const item = v[key];
      if (item !== undefined) children.push({ value: item, key, parent: e, depth });
    }
    pushReversed(stack, children);
  }
  return errors.items.length === before;
}

/** Children go on the stack last-first so that they are visited, and reported, in document order. */
function pushReversed(stack: Entry[], children: readonly Entry[]): void {
  for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
}

function tooLong(errors: ErrorList, length: number, path: PathSegments, what = 'a string'): void {
  errors.add('E122', `${what} of ${length} characters; strings may be at most ${LIMITS.stringLength}`, path);
}
