/** Node and loop ids: always valid (`ID_PATTERN`, at most MAX_ID_LENGTH) and unique. */
import { ID_PATTERN, MAX_ID_LENGTH } from '../../runtime/graph/types.ts';

export function isValidId(id: string): boolean {
  return id.length > 0 && id.length <= MAX_ID_LENGTH && ID_PATTERN.test(id);
}

/** Why `id` cannot name a node (or loop) of a graph whose ids are `taken`, or undefined. */
export function idProblem(id: string, taken: (id: string) => boolean): string | undefined {
  if (id.length === 0) return 'a name is required';
  if (id.length > MAX_ID_LENGTH) return `at most ${MAX_ID_LENGTH} characters`;
  if (!ID_PATTERN.test(id)) return 'letters, digits, _ and - only, not starting with a digit or -';
  if (taken(id)) return `${id} is already used`;
  return undefined;
}

/** The short names blocks get when added (the lecture's letters where it has them). */
const SHORT: Readonly<Record<string, string>> = { input: 'x', target: 'y', encoder: 'enc', decoder: 'dec', delay: 'z', one_minus: 'one_minus' };

/** A base id for a new node of block `type`. */
export function baseIdFor(type: string): string {
  return Object.hasOwn(SHORT, type) ? SHORT[type]! : type;
}

/** `base` made valid, then made unique by `_2`, `_3`… (an existing `_N` suffix is replaced). */
export function uniqueId(base: string, taken: (id: string) => boolean): string {
  let stem = base.replace(/[^A-Za-z0-9_-]/g, '_');
  if (!/^[A-Za-z_]/.test(stem)) stem = `_${stem}`;
  stem = stem.slice(0, MAX_ID_LENGTH);
  if (!taken(stem)) return stem;
  stem = stem.replace(/_\d+$/, '') || '_';
  for (let n = 2; ; n++) {
    const suffix = `_${n}`;
    const candidate = stem.slice(0, MAX_ID_LENGTH - suffix.length) + suffix;
    if (!taken(candidate)) return candidate;
  }
}
