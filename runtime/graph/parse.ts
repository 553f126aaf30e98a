/**
 * Reading a graph document: from a file's bytes or text (`parseGraph`) or from JSON already parsed,
 * e.g. pasted from the clipboard (`checkGraphObject`). The result is the document exactly as written
 * (no defaults filled in) or every error found, each with a catalogue code and a JSON path.
 *
 * Order of checks, cheapest and most fundamental first, so a hostile file costs little:
 * size → UTF-8 → nesting depth → JSON syntax → duplicate keys → counts of nodes/edges/loops → a walk for forbidden
 * keys, infinite numbers, over-long strings → format and version (migrating older files) → structure
 * and references. A failure at one stage stops the later ones, whose findings would be noise.
 */
import { unrollError, type Result, type UnrollError } from '../errors/catalogue.ts';
import { checkEdges } from './check-edges.ts';
import { checkNodes } from './check-nodes.ts';
import { checkLoops, checkTask, checkTraining } from './check-sections.ts';
import { checkKeys, own, required, type Obj } from './check-util.ts';
import { DOC_KEYS, MAX_NAME_LENGTH, textLength, typeName } from './fields.ts';
import { checkHostile, isPlainObject } from './hostile.ts';
import { documentText } from './json-text.ts';
import { scanJson } from './json-scan.ts';
import { migrateDocument } from './migrate.ts';
import { ErrorList, didYouMean, quote } from './report.ts';
import { GRAPH_FORMAT, GRAPH_FORMAT_VERSION, LIMITS, jsonPath, type GraphDoc } from './types.ts';

export { MAX_ERRORS } from './report.ts';

/**
 * Parse a graph file. Accepts UTF-8 bytes or a string (a leading byte-order mark is ignored).
 * Never throws: every refusal is a list of catalogue errors (E100–E123) with JSON paths.
 */
export function parseGraph(input: string | Uint8Array): Result<GraphDoc> {
  try {
    const errors = new ErrorList();
    const text = documentText(input, errors);
    if (text === undefined) return { ok: false, errors: errors.items };
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      // Engines word (and place) JSON errors differently; our own scan says where, the same everywhere.
      const problem = scanJson(text, Infinity);
      const message = problem?.kind === 'syntax' ? problem.message : `not valid JSON: ${e instanceof Error ? e.message : String(e)}`;
      return { ok: false, errors: [unrollError('E101', message, { path: '$' })] };
    }
    // JSON.parse keeps the last of two equal keys; a file must not mean something other than it says.
    const duplicate = scanJson(text, Infinity, true);
    if (duplicate?.kind === 'duplicate') {
      const key = duplicate.path[duplicate.path.length - 1];
      const message = `the key ${JSON.stringify(key)} appears twice in one object (line ${duplicate.line}, column ${duplicate.column}); keep one`;
      return { ok: false, errors: [unrollError('E124', message, { path: jsonPath(duplicate.path) })] };
    }
    return checkGraphObject(value);
  } catch (e) {
    return unexpected('E101', e);
  }
}

/**
 * Check a value that is already JSON data (the clipboard, a test, the editor's store) as a graph
 * document. Returns a fresh copy holding only the format's keys, or the errors. Never throws, even
 * on cyclic objects, getters or proxies.
 */
export function checkGraphObject(value: unknown): Result<GraphDoc> {
  try {
    const errors = new ErrorList();
    const doc = check(value, errors);
    return doc !== undefined && errors.empty ? { ok: true, value: doc } : { ok: false, errors: errors.items };
  } catch (e) {
    return unexpected('E106', e);
  }
}

function check(value: unknown, errors: ErrorList): GraphDoc | undefined {
  if (!isPlainObject(value)) {
    const got = typeof value === 'object' && value !== null && !Array.isArray(value) ? 'an object that is not plain JSON data' : typeName(value);
    errors.add('E106', `a graph is a JSON object, got ${got}`, []);
    return undefined;
  }
  // Counts first: a document with a million nodes is refused without looking at any of them.
  for (const key of ['nodes', 'edges', 'loops'] as const) {
    const list = own(value, key);
    if (Array.isArray(list) && list.length > LIMITS[key]) {
      errors.add('E119', `${list.length} ${key}; a graph may have at most ${LIMITS[key]}`, [key]);
    }
  }
  if (!errors.empty || !checkHostile(value, errors)) return undefined;
  const raw = checkHeader(value, errors);
  if (raw === undefined) return undefined;
  return checkBody(raw, errors);
}

/** `format` and `version`; an older file comes back migrated. Undefined when reading must stop. */
function checkHeader(doc: Obj, errors: ErrorList): Obj | undefined {
  const format = own(doc, 'format');
  if (format === undefined) {
    errors.add('E107', `a graph needs "format": "${GRAPH_FORMAT}"`, ['format']);
  } else if (format !== GRAPH_FORMAT) {
    // Some other JSON file: its other keys would only produce noise.
    const got = typeof format === 'string' ? quote(format) : typeName(format);
    errors.add(typeof format === 'string' ? 'E108' : 'E106', `"format" must be "${GRAPH_FORMAT}", got ${got}: this is not an Unroll graph`, ['format']);
    return undefined;
  }
  const version = own(doc, 'version');
  if (version === undefined) {
    errors.add('E107', `a graph needs "version": ${GRAPH_FORMAT_VERSION}`, ['version']);
    return doc; // read it as the current version to report what else is wrong
  }
  if (typeof version !== 'number') {
    errors.add('E106', `"version" must be a number, got ${typeName(version)}`, ['version']);
    return undefined;
  }
  if (!Number.isInteger(version) || version < 1) {
    errors.add('E110', `"version" must be a positive integer, got ${version}`, ['version']);
    return undefined;
  }
  if (version > GRAPH_FORMAT_VERSION) {
    errors.add(
      'E109',
      `made by a newer version of Unroll (file version ${version}; this build reads up to version ${GRAPH_FORMAT_VERSION})`,
      ['version'],
    );
    return undefined;
  }
  if (version === GRAPH_FORMAT_VERSION) return doc;
  const migrated = migrateDocument(doc);
  if (!migrated.ok) {
    for (const e of migrated.errors) errors.items.push(e);
    return undefined;
  }
  // A migration step is our code, but its output is checked like any input.
  return checkHostile(migrated.value, errors) ? migrated.value : undefined;
}

/** Everything below the header, then the references between sections. */
function checkBody(doc: Obj, errors: ErrorList): GraphDoc | undefined {
  checkKeys(doc, DOC_KEYS, [], 'a graph', errors);
  for (const k of ['name', 'nodes', 'edges'] as const) required(doc, k, [], 'a graph', errors);
  const name = own(doc, 'name');
  if (name !== undefined) {
    if (typeof name !== 'string') errors.add('E106', `"name" must be a string, got ${typeName(name)}`, ['name']);
    else if (textLength(name) > MAX_NAME_LENGTH) errors.add('E122', `the name is ${textLength(name)} characters; at most ${MAX_NAME_LENGTH}`, ['name']);
  }
  const loops = own(doc, 'loops') === undefined ? undefined : checkLoops(own(doc, 'loops'), errors);
  const nodes = own(doc, 'nodes') === undefined ? undefined : checkNodes(own(doc, 'nodes'), errors);
  const loopIds = loops?.ids ?? new Set<string>();
  const nodeIds = nodes?.index.byId ?? new Map<string, unknown>();
  for (const ref of loops?.overRefs ?? []) {
    if (!nodeIds.has(ref.id)) errors.add('E117', `the loop runs over node ${quote(ref.id)}, which does not exist${didYouMean(ref.id, nodeIds.keys())}`, ref.path);
  }
  for (const ref of nodes?.index.loopRefs ?? []) {
    if (!loopIds.has(ref.id)) errors.add('E120', `the node sits in loop ${quote(ref.id)}, which does not exist${didYouMean(ref.id, loopIds)}`, ref.path);
  }
  for (const ref of nodes?.index.nodeRefs ?? []) {
    if (!nodeIds.has(ref.id)) errors.add('E117', `the param names node ${quote(ref.id)}, which does not exist${didYouMean(ref.id, nodeIds.keys())}`, ref.path);
  }
  const edges = own(doc, 'edges') === undefined || nodes === undefined ? undefined : checkEdges(own(doc, 'edges'), nodes.index, errors);
  const task = own(doc, 'task') === undefined ? undefined : checkTask(own(doc, 'task'), errors);
  const training = own(doc, 'training') === undefined ? undefined : checkTraining(own(doc, 'training'), errors);
  if (!errors.empty) return undefined;

  // Only reached for a valid document: the copy keeps the file's key order, and only the format's keys.
  const sections: Obj = { loops: loops?.loops, nodes: nodes?.nodes, edges, task, training };
  const out: Obj = {};
  for (const k of Object.keys(doc)) {
    if (doc[k] === undefined) continue;
    out[k] = k === 'format' || k === 'version' || k === 'name' ? doc[k] : sections[k];
  }
  return out as unknown as GraphDoc;
}

/** A throw from inside the checks: a bug or an exotic object (a proxy, a getter). Still an error, not a crash. */
function unexpected(code: 'E101' | 'E106', e: unknown): Result<never> {
  let why = 'unknown failure';
  try {
    why = e instanceof Error ? e.message : String(e);
  } catch {
    // an exotic thrown value whose conversion to text throws too: keep the generic wording
  }
  const errors: UnrollError[] = [unrollError(code, `the document could not be read: ${why}`, { path: '$' })];
  return { ok: false, errors };
}
