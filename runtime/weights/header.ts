/**
 * The JSON header of a safetensors file, checked entry by entry: what each tensor says (dtype,
 * shape, data_offsets) and whether the offsets tile the byte buffer exactly, as the reference
 * implementation demands. Every problem becomes a catalogue error with a JSON path into the header.
 */
import { unrollError, type ErrorCode, type UnrollError } from '../errors/catalogue.ts';
import { FORBIDDEN_KEYS, typeName } from '../graph/fields.ts';
import { isPlainObject } from '../graph/hostile.ts';
import { scanJson } from '../graph/json-scan.ts';
import { didYouMean, quote } from '../graph/report.ts';
import { jsonPath } from '../graph/types.ts';

/** The key that holds free-form string metadata instead of a tensor. */
export const METADATA_KEY = '__metadata__';

/** The keys of a tensor entry, all required. */
const ENTRY_KEYS: readonly string[] = ['dtype', 'shape', 'data_offsets'];

/** A header nests no deeper than this: root object → entry → shape array. */
const MAX_DEPTH = 3;

/** The most errors one read reports; past that the rest are noise from one root cause. */
export const MAX_WEIGHT_ERRORS = 100;

/** A float32 tensor the header describes, every field checked. Offsets are relative to the data. */
export interface TensorEntry {
  readonly name: string;
  readonly shape: readonly number[];
  readonly begin: number;
  readonly end: number;
}

export interface Header {
  readonly entries: readonly TensorEntry[];
  readonly metadata: Record<string, string>;
}

type Segments = readonly (string | number)[];

/** A capped error list; `path` undefined means the problem has no place in the header. */
export class Problems {
  readonly items: UnrollError[] = [];

  get full(): boolean {
    return this.items.length >= MAX_WEIGHT_ERRORS;
  }

  add(code: ErrorCode, message: string, path?: Segments): void {
    if (this.full) return;
    this.items.push(unrollError(code, message, path === undefined ? {} : { path: jsonPath(path) }));
  }
}

/** A value quoted for a message: numbers as written, strings quoted, anything else by its type. */
function show(v: unknown): string {
  if (typeof v === 'number') return String(v);
  if (typeof v === 'string') return quote(v);
  if (Array.isArray(v) && v.length <= 8 && v.every((x) => typeof x === 'number')) return `[${v.join(', ')}]`;
  return typeName(v);
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

/** Elements of a shape; Infinity when past 2^53 (no file holds that many bytes). */
export function elementCount(shape: readonly number[]): number {
  if (shape.includes(0)) return 0;
  let n = 1;
  for (const d of shape) {
    n *= d;
    if (n > Number.MAX_SAFE_INTEGER) return Infinity;
  }
  return n;
}

function describeStart(text: string): string {
  const c = text.codePointAt(0)!;
  if (c === 0xfeff) return 'a byte-order mark (U+FEFF)';
  const hex = `U+${c.toString(16).toUpperCase().padStart(4, '0')}`;
  return c <= 0x20 || c === 0x7f ? `${hex}` : `${JSON.stringify(String.fromCodePoint(c))} (${hex})`;
}

/**
 * Checks the header text against a data buffer of `dataBytes` bytes. Returns the entries and
 * metadata when there was no problem; otherwise adds errors and returns undefined.
 */
export function readHeader(text: string, dataBytes: number, maxTensorBytes: number, problems: Problems): Header | undefined {
  if (!text.startsWith('{')) {
    problems.add(
      'E405',
      text.length === 0
        ? 'the header is empty; a safetensors header is a JSON object and starts with "{"'
        : `the header starts with ${describeStart(text)}; a safetensors header is a JSON object and its first byte must be "{"`,
      [],
    );
    return undefined;
  }
  const scan = scanJson(text, MAX_DEPTH, true);
  if (scan !== undefined) {
    switch (scan.kind) {
      case 'syntax':
        problems.add('E404', `the header is not valid JSON: ${scan.message} of the header`, []);
        break;
      case 'duplicate':
        problems.add(
          'E404',
          `the key ${quote(String(scan.path[scan.path.length - 1]))} appears twice in one object (line ${scan.line}, column ${scan.column} of the header); readers disagree on which one counts`,
          scan.path,
        );
        break;
      case 'depth':
        problems.add('E409', 'a value nested deeper than a safetensors header goes: entries hold a dtype string and arrays of integers, metadata holds strings', scan.path);
        break;
    }
    return undefined;
  }
  // Valid JSON that starts with "{" is an object.
  const root = JSON.parse(text) as Record<string, unknown>;
  const metadata: Record<string, string> = {};
  const entries: TensorEntry[] = [];
  const ranges: TensorEntry[] = [];
  for (const name of Object.keys(root)) {
    if (problems.full) break;
    if (FORBIDDEN_KEYS.has(name)) {
      problems.add('E406', `the header has a tensor named ${quote(name)}, a key that could alter object prototypes; rename the tensor`, [name]);
      continue;
    }
    const value = root[name];
    if (name === METADATA_KEY) readMetadata(value, metadata, problems);
    else readEntry(name, value, dataBytes, maxTensorBytes, entries, ranges, problems);
  }
  checkCoverage(ranges, dataBytes, problems);
  return problems.items.length === 0 ? { entries, metadata } : undefined;
}

function readMetadata(value: unknown, metadata: Record<string, string>, problems: Problems): void {
  if (!isPlainObject(value)) {
    problems.add('E409', `${METADATA_KEY} is ${typeName(value)}; it must be an object whose values are strings`, [METADATA_KEY]);
    return;
  }
  for (const [k, v] of Object.entries(value)) {
    if (FORBIDDEN_KEYS.has(k)) problems.add('E406', `the metadata key ${quote(k)} could alter object prototypes; rename it`, [METADATA_KEY, k]);
    else if (typeof v !== 'string') problems.add('E409', `the metadata value of ${quote(k)} is ${typeName(v)}; metadata values are strings`, [METADATA_KEY, k]);
    else metadata[k] = v;
  }
}

function readEntry(
  name: string,
  value: unknown,
  dataBytes: number,
  maxTensorBytes: number,
  entries: TensorEntry[],
  ranges: TensorEntry[],
  problems: Problems,
): void {
  const t = `tensor ${quote(name)}`;
  if (!isPlainObject(value)) {
    problems.add('E409', `${t} is ${typeName(value)}; a tensor entry is an object with dtype, shape and data_offsets`, [name]);
    return;
  }
  let ok = true;
  for (const key of Object.keys(value)) {
    if (ENTRY_KEYS.includes(key)) continue;
    ok = false;
    if (FORBIDDEN_KEYS.has(key)) problems.add('E406', `${t} has the key ${quote(key)}, which could alter object prototypes`, [name, key]);
    else problems.add('E407', `${t} has the key ${quote(key)}, which safetensors does not have; an entry holds exactly dtype, shape and data_offsets${didYouMean(key, ENTRY_KEYS)}`, [name, key]);
  }
  for (const key of ENTRY_KEYS) {
    if (!Object.hasOwn(value, key)) {
      ok = false;
      problems.add('E408', `${t} has no ${JSON.stringify(key)}; an entry holds dtype, shape and data_offsets`, [name]);
    }
  }

  const dtype = value['dtype'];
  if (dtype !== undefined) {
    if (typeof dtype !== 'string') {
      ok = false;
      problems.add('E409', `${t} has dtype ${show(dtype)}; dtype is a string such as "F32"`, [name, 'dtype']);
    } else if (dtype !== 'F32') {
      ok = false;
      problems.add('E410', `${t} has dtype ${quote(dtype)}; Unroll reads only float32 ("F32") tensors: convert it before saving (in PyTorch, tensor.float())`, [name, 'dtype']);
    }
  }

  const shape = value['shape'];
  if (shape !== undefined) {
    if (!Array.isArray(shape)) {
      ok = false;
      problems.add('E409', `${t} has shape ${show(shape)}; a shape is an array of integers (an empty array for a scalar)`, [name, 'shape']);
    } else {
      shape.forEach((d: unknown, i) => {
        if (isCount(d)) return;
        ok = false;
        problems.add('E411', `${t} has ${show(d)} at shape[${i}]; shape entries are non-negative integers below 2^53`, [name, 'shape', i]);
      });
    }
  }

  const offsets = value['data_offsets'];
  let range: TensorEntry | undefined;
  if (offsets !== undefined) {
    if (!Array.isArray(offsets) || offsets.length !== 2) {
      problems.add('E412', `${t} has data_offsets ${show(offsets)}; they must be [begin, end], two byte offsets into the data`, [name, 'data_offsets']);
    } else {
      const [begin, end] = offsets as unknown[];
      const bad = [begin, end].findIndex((x) => !isCount(x));
      if (bad >= 0) {
        problems.add('E412', `${t} has ${show(offsets[bad])} at data_offsets[${bad}]; offsets are non-negative integers below 2^53`, [name, 'data_offsets', bad]);
      } else if ((begin as number) > (end as number)) {
        problems.add('E412', `${t} has data_offsets [${String(begin)}, ${String(end)}], which end before they begin; they must be [begin, end] with begin ≤ end`, [name, 'data_offsets']);
      } else {
        range = { name, shape: [], begin: begin as number, end: end as number };
      }
    }
  }
  if (range === undefined) return;
  ranges.push(range);
  const span = `data_offsets [${range.begin}, ${range.end}]`;
  if (range.end > dataBytes) {
    problems.add('E414', `${t} has ${span}, past the end of the data: the file holds ${dataBytes} bytes after its header`, [name, 'data_offsets']);
    return;
  }
  if (!ok || !Array.isArray(shape)) return;
  const dims = shape as number[];
  const count = elementCount(dims);
  const bytes = range.end - range.begin;
  if (count * 4 !== bytes) {
    const holds = Number.isFinite(count) ? `${count} float32 values = ${count * 4} bytes` : 'more float32 values than any file holds';
    problems.add('E413', `${t} has shape [${dims.join(', ')}], ${holds}, but its ${span} span ${bytes} bytes`, [name, 'data_offsets']);
    return;
  }
  if (bytes > maxTensorBytes) {
    problems.add('E402', `${t} holds ${bytes} bytes; Unroll reads tensors of at most ${maxTensorBytes} bytes`, [name, 'data_offsets']);
    return;
  }
  entries.push({ ...range, shape: dims.slice() });
}

/** Code-point order (the byte order of UTF-8, which the reference implementation sorts by). */
export function compareNames(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length) {
    const ca = a.codePointAt(i)!;
    const cb = b.codePointAt(i)!;
    if (ca !== cb) return ca - cb;
    i += ca > 0xffff ? 2 : 1;
  }
  return a.length - b.length;
}

/** Sorted by offsets, the tensors must tile the data: each begins where the one before ends, the last ends at its end. */
function checkCoverage(ranges: TensorEntry[], dataBytes: number, problems: Problems): void {
  ranges.sort((x, y) => x.begin - y.begin || x.end - y.end || compareNames(x.name, y.name));
  let cursor = 0;
  let holder: TensorEntry | undefined;
  for (const r of ranges) {
    if (problems.full) return;
    const t = `tensor ${quote(r.name)}`;
    if (r.begin < cursor && holder !== undefined) {
      problems.add(
        'E415',
        `${t} has data_offsets [${r.begin}, ${r.end}], which overlap tensor ${quote(holder.name)} at [${holder.begin}, ${holder.end}]; every byte belongs to one tensor`,
        [r.name, 'data_offsets'],
      );
    } else if (r.begin > cursor) {
      problems.add(
        'E416',
        `data bytes ${cursor} to ${r.begin} belong to no tensor: ${t} begins at ${r.begin} but the data before it ends at ${cursor}; safetensors leaves no gaps`,
        [r.name, 'data_offsets'],
      );
    }
    if (r.end > cursor || holder === undefined) {
      cursor = Math.max(cursor, r.end);
      holder = r;
    }
  }
  if (cursor < dataBytes) {
    problems.add(
      'E416',
      `the last ${dataBytes - cursor} bytes of the file (data bytes ${cursor} to ${dataBytes}) belong to no tensor; the tensors' data must end where the file ends`,
    );
  }
}
