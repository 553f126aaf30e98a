/**
 * Which CSV columns play which part — the sequence id, the time order, the features, the target —
 * and which graph nodes the features and the target feed. Written on the command line as
 *
 *     id=seq,time=t,features=f1+f2@x,target=label@y,per=sequence,kind=class
 *
 * Every key may be left out and is then inferred (see `resolveMapping`). Column names holding
 * `,` `=` `+` `@` or a quote are written in double quotes, a quote inside doubled: `features="a,b"+c`.
 */
import { unrollError, type Result, type UnrollError } from '../errors/catalogue.ts';
import { ID_NAME, parseNumber, TARGET_NAME, TIME_NAME, type ColumnInfo } from './columns.ts';
import type { CsvTable } from './csv-parse.ts';

/** A mapping as given: any part may be missing (inferred). */
export interface ColumnMapping {
  /** The column naming each row's sequence. */
  readonly id?: string;
  /** The column ordering the steps of a sequence, or `null` for the rows' order in the file. */
  readonly time?: string | null;
  /** The feature columns, in the order of the input vector's elements. */
  readonly features?: readonly string[];
  /** The column to predict. */
  readonly target?: string;
  /** The graph `input` node the features feed (the input stream's name; default `x`). */
  readonly input?: string;
  /** The graph `target` node the target feeds (the target stream's name; default `y`). */
  readonly output?: string;
  /** One target per sequence (its value on every row of the sequence) or one per step. */
  readonly per?: 'sequence' | 'step';
  /** Classes (cross-entropy, accuracy) or numbers (mse). */
  readonly kind?: 'class' | 'number';
}

/** A mapping with every part decided. */
export interface ResolvedMapping {
  readonly id: string;
  readonly time: string | null;
  readonly features: readonly string[];
  readonly target: string;
  readonly input: string;
  readonly output: string;
  readonly per: 'sequence' | 'step';
  readonly kind: 'class' | 'number';
  /** The parts that were inferred rather than given. */
  readonly inferred: readonly (keyof ColumnMapping)[];
}

/** At most this many classes: more distinct labels are more likely numbers to regress. */
export const MAX_CLASSES = 1000;
/** A whole-number target with at most this many values is taken for classes unless `kind` says otherwise. */
const CLASS_LIKE_VALUES = 20;
const NODE_ID = /^[A-Za-z_][A-Za-z0-9_-]*$/;
const KEYS = ['id', 'time', 'features', 'target', 'per', 'kind'] as const;

const mapError = (message: string): UnrollError => unrollError('E486', message);

/** Split `text` at `sep` outside double quotes. */
function splitOutside(text: string, sep: string): string[] {
  const parts: string[] = [];
  let quoted = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '"') quoted = !quoted;
    else if (!quoted && text[i] === sep) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

/** A column name as written: trimmed; a quoted one unquoted. */
function unquote(name: string): string | undefined {
  const s = name.trim();
  if (!s.startsWith('"')) return s.includes('"') ? undefined : s;
  if (s.length < 2 || !s.endsWith('"')) return undefined;
  const inner = s.slice(1, -1);
  // Inside quotes a quote is written twice; a single one is a mistake.
  return inner.replace(/""/g, '').includes('"') ? undefined : inner.replace(/""/g, '"');
}

/** `cols@node` → the columns and the node (undefined when no `@`). */
function withNode(value: string, key: string, errors: UnrollError[]): { cols: string[]; node: string | undefined } {
  const at = splitOutside(value, '@');
  if (at.length > 2) errors.push(mapError(`--map ${key}=${value}: one @ at most, before the graph node's id`));
  const node = at.length > 1 ? at.at(-1)!.trim() : undefined;
  if (node !== undefined && !NODE_ID.test(node)) errors.push(mapError(`--map ${key}=${value}: "${node}" after @ is not a node id (letters, digits, _ and -, not starting with a digit)`));
  const cols: string[] = [];
  for (const part of splitOutside(at[0]!, '+')) {
    const c = unquote(part);
    if (c === undefined || c === '') errors.push(mapError(`--map ${key}=${value}: ${JSON.stringify(part.trim())} is not a column name (quote names that hold , = + @ or ")`));
    else cols.push(c);
  }
  return { cols, node };
}

/**
 * Parse the `--map` syntax: comma-separated `key=value`, keys `id`, `time` (a column, or `none` for
 * row order), `features` (columns joined by `+`, then optionally `@node`), `target` (a column,
 * optionally `@node`), `per` (`sequence` | `step`), `kind` (`class` | `number`). E486 for anything else.
 */
export function parseMapping(text: string): Result<ColumnMapping> {
  const errors: UnrollError[] = [];
  const out: { -readonly [K in keyof ColumnMapping]: ColumnMapping[K] } = {};
  const seen = new Set<string>();
  for (const raw of splitOutside(text, ',')) {
    if (raw.trim() === '') continue;
    const eq = raw.indexOf('=');
    const key = (eq < 0 ? raw : raw.slice(0, eq)).trim();
    const value = eq < 0 ? '' : raw.slice(eq + 1).trim();
    if (!(KEYS as readonly string[]).includes(key)) {
      errors.push(mapError(`--map: unknown key "${key}" in "${raw.trim()}"; the keys are ${KEYS.join(', ')} (e.g. id=seq,time=t,features=a+b,target=label)`));
      continue;
    }
    if (seen.has(key)) errors.push(mapError(`--map: ${key} is given twice`));
    seen.add(key);
    if (value === '') {
      errors.push(mapError(`--map: ${key} has no value; write ${key}=…`));
      continue;
    }
    switch (key) {
      case 'id': {
        const c = unquote(value);
        if (c === undefined || c === '') errors.push(mapError(`--map id=${value}: not a column name`));
        else out.id = c;
        break;
      }
      case 'time': {
        const c = unquote(value);
        if (c === undefined || c === '') errors.push(mapError(`--map time=${value}: not a column name (or none, for the rows' order)`));
        else out.time = value === 'none' ? null : c;
        break;
      }
      case 'features': {
        const { cols, node } = withNode(value, key, errors);
        out.features = cols;
        if (node !== undefined) out.input = node;
        break;
      }
      case 'target': {
        const { cols, node } = withNode(value, key, errors);
        if (cols.length > 1) errors.push(mapError(`--map target=${value}: one target column, not ${cols.length}`));
        if (cols[0] !== undefined) out.target = cols[0];
        if (node !== undefined) out.output = node;
        break;
      }
      case 'per':
        if (value !== 'sequence' && value !== 'step') errors.push(mapError(`--map per=${value}: per is sequence (one target per sequence) or step (one per row)`));
        else out.per = value;
        break;
      case 'kind':
        if (value !== 'class' && value !== 'number') errors.push(mapError(`--map kind=${value}: kind is class (labels: cross-entropy, accuracy) or number (values: mse)`));
        else out.kind = value;
        break;
    }
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value: out };
}

const quoteName = (c: string): string => (/[,=+@"]/.test(c) || c !== c.trim() || c === 'none' ? `"${c.replace(/"/g, '""')}"` : c);

/** A mapping in the `--map` syntax (the inverse of `parseMapping`). */
export function formatMapping(m: ColumnMapping): string {
  const parts: string[] = [];
  if (m.id !== undefined) parts.push(`id=${quoteName(m.id)}`);
  if (m.time !== undefined) parts.push(`time=${m.time === null ? 'none' : quoteName(m.time)}`);
  if (m.features !== undefined) parts.push(`features=${m.features.map(quoteName).join('+')}${m.input !== undefined ? `@${m.input}` : ''}`);
  if (m.target !== undefined) parts.push(`target=${quoteName(m.target)}${m.output !== undefined ? `@${m.output}` : ''}`);
  if (m.per !== undefined) parts.push(`per=${m.per}`);
  if (m.kind !== undefined) parts.push(`kind=${m.kind}`);
  return parts.join(',');
}

/**
 * Decide every part of the mapping for a table: what is given is checked (E486 for a column that
 * does not exist or is used twice), what is not is inferred —
 * - target: a column named like `label`, `target`, `y`, `class`; else the last column;
 * - id: a column named like `id`, `seq`, `series`, `…_id`; else the leftmost whose values each fill
 *   one run of consecutive rows; none found is E486 (say `id=…`);
 * - time: a column named like `t`, `time`, `step`, `timestamp`; else the rows' order;
 * - features: every other column that holds numbers;
 * - kind: `class` for a target of text, or of whole numbers with at most 20 values; else `number`;
 * - per: `sequence` when the target is the same on every row of each sequence, else `step`;
 * - input `x`, output `y`.
 */
export function resolveMapping(file: string, table: CsvTable, columns: readonly ColumnInfo[], given: ColumnMapping = {}): Result<ResolvedMapping> {
  const errors: UnrollError[] = [];
  const byName = new Map(columns.map((c) => [c.name, c]));
  const list = table.columns.map((c) => JSON.stringify(c)).join(', ');
  const known = (what: string, name: string): boolean => {
    if (byName.has(name)) return true;
    errors.push(mapError(`${file} has no column ${JSON.stringify(name)} (the ${what} of the mapping); its columns are ${list}`));
    return false;
  };
  if (given.id !== undefined) known('id', given.id);
  if (typeof given.time === 'string') known('time', given.time);
  for (const f of given.features ?? []) known('features', f);
  if (given.target !== undefined) known('target', given.target);
  if (errors.length > 0) return { ok: false, errors };
  const inferred: (keyof ColumnMapping)[] = [];
  const taken = new Set<string>([given.id, typeof given.time === 'string' ? given.time : undefined, given.target, ...(given.features ?? [])].filter((c): c is string => c !== undefined));
  const free = (c: ColumnInfo): boolean => !taken.has(c.name);

  let target = given.target;
  if (target === undefined) {
    target = (columns.find((c) => free(c) && TARGET_NAME.test(c.name)) ?? [...columns].reverse().find(free))?.name;
    if (target === undefined) return { ok: false, errors: [mapError(`${file}: no column is left for the target; say which with target=COLUMN`)] };
    taken.add(target);
    inferred.push('target');
  }
  let id = given.id;
  if (id === undefined) {
    id = (columns.find((c) => free(c) && ID_NAME.test(c.name)) ?? columns.find((c) => free(c) && c.type === 'id'))?.name;
    if (id === undefined) {
      return {
        ok: false,
        errors: [mapError(`${file}: no column looks like a sequence id (a name like id or seq, or values that each fill one run of rows); say which column tells the sequences apart with id=COLUMN`)],
      };
    }
    taken.add(id);
    inferred.push('id');
  }
  let time = given.time;
  if (time === undefined) {
    time = columns.find((c) => free(c) && TIME_NAME.test(c.name))?.name ?? null;
    if (time !== null) taken.add(time);
    inferred.push('time');
  }
  let features = given.features;
  if (features === undefined) {
    features = columns.filter((c) => free(c) && c.numeric).map((c) => c.name);
    inferred.push('features');
    if (features.length === 0) {
      return { ok: false, errors: [mapError(`${file}: no column of numbers is left for the features (id ${id}, target ${target}${time !== null ? `, time ${time}` : ''}); say which with features=A+B`)] };
    }
  }
  if (features.length === 0) return { ok: false, errors: [mapError(`${file}: the mapping gives no feature columns`)] };

  // One column, one part.
  const parts: [string, string][] = [['id', id], ['target', target], ...(time !== null ? [['time', time] as [string, string]] : []), ...features.map((f) => ['features', f] as [string, string])];
  const roleOf = new Map<string, string>();
  for (const [role, col] of parts) {
    const before = roleOf.get(col);
    if (before !== undefined) errors.push(mapError(`${file}: column ${JSON.stringify(col)} is mapped twice (${before} and ${role}); each column plays one part`));
    else roleOf.set(col, role);
  }
  if (errors.length > 0) return { ok: false, errors };

  const targetInfo = byName.get(target)!;
  let kind = given.kind;
  if (kind === undefined) {
    kind = !targetInfo.numeric || (targetInfo.integer && targetInfo.distinct <= CLASS_LIKE_VALUES) ? 'class' : 'number';
    inferred.push('kind');
  }
  let per = given.per;
  if (per === undefined) {
    per = constantPerSequence(table, byName.get(id)!.index, targetInfo.index) ? 'sequence' : 'step';
    inferred.push('per');
  }
  if (given.input === undefined) inferred.push('input');
  if (given.output === undefined) inferred.push('output');
  const input = given.input ?? 'x';
  const output = given.output ?? 'y';
  if (input === output) return { ok: false, errors: [mapError(`the features and the target feed one node, ${input}; give them nodes of their own (features=…@x, target=…@y)`)] };
  return { ok: true, value: { id, time, features, target, input, output, per, kind, inferred } };
}

/** Whether the target column holds one value on every row of each sequence. */
function constantPerSequence(table: CsvTable, idCol: number, targetCol: number): boolean {
  const first = new Map<string, string>();
  for (const row of table.rows) {
    const key = row[idCol]!.trim();
    const v = row[targetCol]!.trim();
    const was = first.get(key);
    if (was === undefined) first.set(key, v);
    else if (was !== v && !(parseNumber(was) !== undefined && parseNumber(was) === parseNumber(v))) return false;
  }
  return true;
}
