/**
 * The `dataset` task: training on a file of the user's own, a UTF-8 text or a CSV of sequences.
 * It is not in the task registry (no params alone can make it): the trainer builds it from a
 * `DataSource` — the file's bytes, its name, reader params and a column mapping — which the CLI
 * (`unroll train G --data FILE --map …`) and the editor hand to the worker alike. A graph may keep
 * the reader params in its task section, `"task": {"name": "dataset", "params": {…}}`; the
 * source's own params win over them. Every failure is a list of catalogue errors; nothing is
 * half-loaded.
 */
import { checkParam, resolveParams } from '../../blocks/params.ts';
import { unrollError, type Result, type UnrollError } from '../errors/catalogue.ts';
import { jsonPath, type ParamValueJson } from '../graph/types.ts';
import type { Task, TaskParams } from '../tasks/types.ts';
import { inferColumns, previewRows, type ColumnInfo } from './columns.ts';
import { parseCsv, type Delimiter } from './csv-parse.ts';
import { createCsvTask, type CsvSummary } from './csv-task.ts';
import { parseMapping, resolveMapping, type ColumnMapping, type ResolvedMapping } from './mapping.ts';
import { checkDataSize, decodeUtf8, DATA_FILE_LIMIT } from './text-bytes.ts';
import { DATASET_PARAMS, readerOfName, type DatasetSummary } from './dataset-schema.ts';
import { createTextTask, type TextSummary } from './text-task.ts';

export { DATASET_PARAMS, DATASET_TASK, describeDataStream, describeDataStreams, readerOfName, sourceParamsFor, type DatasetSummary } from './dataset-schema.ts';

/** A file as bytes: what the CLI reads from disk and the editor from a dropped File. */
export interface DataFile {
  /** The file's name (its extension picks the reader when `reader` is `auto`); messages name it. */
  readonly name: string;
  readonly bytes: Uint8Array;
}

/** A file and how to read it: what `TrainerSetup.data` and the worker's `LoadOptions.data` carry. */
export interface DataSource extends DataFile {
  /** Params of the dataset task (`DATASET_PARAMS`); they win over the graph's `task.params`. */
  readonly params?: Readonly<Record<string, ParamValueJson>>;
  /** The CSV column mapping, in the `--map` syntax or as an object; wins over the `map` param. */
  readonly map?: string | ColumnMapping;
  /** Bytes a file may have (default `DATA_FILE_LIMIT`, 64 MiB). */
  readonly limit?: number;
}

const CSV_TEST_FRACTION = 0.2;
const DELIMITERS: Readonly<Record<string, Delimiter | 'auto'>> = { auto: 'auto', comma: ',', semicolon: ';', tab: '\t' };

/** Resolved params of a source: checked (E421/E422 with paths below `pathPrefix`), defaults filled in. */
export interface DatasetParams {
  readonly reader: 'csv' | 'text';
  readonly params: TaskParams;
  readonly mapping: ColumnMapping;
}

/**
 * Merge the graph's task params (when its task is `dataset`) with the source's, check them, and
 * decide the reader. E421 for an unknown param, E422 for a bad value, E486 for a bad `map`, E488
 * when the reader is `auto` and the name has no known extension.
 */
export function resolveDatasetParams(source: DataSource, graphParams: Readonly<Record<string, ParamValueJson>> = {}, pathPrefix = '$.task'): Result<DatasetParams> {
  const given: Record<string, ParamValueJson> = { ...graphParams, ...source.params };
  const errors: UnrollError[] = [];
  const path = (key: string): string => pathPrefix + jsonPath(['params', key]).slice(1);
  for (const [key, value] of Object.entries(given)) {
    if (key === 'map') {
      if (typeof value !== 'string') errors.push(unrollError('E422', `task dataset param map must be a string like "id=seq,features=a+b,target=label", got ${JSON.stringify(value)}`, { path: path(key) }));
      continue;
    }
    const pd = Object.hasOwn(DATASET_PARAMS, key) ? DATASET_PARAMS[key] : undefined;
    if (pd === undefined) {
      errors.push(unrollError('E421', `task dataset has no param "${key}": its params are ${[...Object.keys(DATASET_PARAMS), 'map'].join(', ')}`, { path: path(key) }));
      continue;
    }
    const why = checkParam(pd, value);
    if (why !== undefined) errors.push(unrollError('E422', `task dataset param ${key} ${why}`, { path: path(key) }));
  }
  if (errors.length > 0) return { ok: false, errors };
  const resolved = resolveParams(DATASET_PARAMS, given) as Record<string, number | string | boolean>;
  const reader = resolved.reader === 'auto' ? readerOfName(source.name) : (resolved.reader as 'csv' | 'text');
  if (reader === undefined) {
    return {
      ok: false,
      errors: [unrollError('E488', `cannot tell how to read ${source.name}: name it .csv, .tsv or .txt, or set the dataset task's param reader to "csv" or "text"`)],
    };
  }
  if (reader === 'csv' && !Object.hasOwn(given, 'test_fraction')) resolved.test_fraction = CSV_TEST_FRACTION;
  if (reader === 'csv' && resolved.delimiter === 'auto' && source.name.toLowerCase().endsWith('.tsv')) resolved.delimiter = 'tab';
  resolved.reader = reader;
  let mapping: ColumnMapping = {};
  const map = source.map ?? (typeof given.map === 'string' ? given.map : undefined);
  if (typeof map === 'string') {
    const parsed = parseMapping(map);
    if (!parsed.ok) return parsed;
    mapping = parsed.value;
  } else if (map !== undefined) mapping = map;
  if (reader === 'text' && Object.keys(mapping).length > 0) {
    return { ok: false, errors: [unrollError('E486', `${source.name} is read as text, which has no columns to map: leave out --map, or read it as csv`)] };
  }
  return { ok: true, value: { reader, params: resolved, mapping } };
}

/** Size, then UTF-8: the text of a source or why not. */
function sourceText(source: DataFile & { readonly limit?: number }): Result<string> {
  const size = checkDataSize(source.name, source.bytes.length, source.limit ?? DATA_FILE_LIMIT);
  if (!size.ok) return size;
  return decodeUtf8(source.name, source.bytes);
}

/**
 * Build the dataset task from a source. The reader's errors come back whole (every bad row up to
 * a count, each with its line); a task comes back only when the whole file was read.
 */
export function createDatasetTask(source: DataSource, graphParams?: Readonly<Record<string, ParamValueJson>>, pathPrefix = '$.task'): Result<{ task: Task; summary: DatasetSummary }> {
  const resolved = resolveDatasetParams(source, graphParams, pathPrefix);
  if (!resolved.ok) return resolved;
  const { reader, params, mapping } = resolved.value;
  const text = sourceText(source);
  if (!text.ok) return text;
  if (reader === 'text') {
    const p = { unit: params.unit as 'char' | 'word', length: Number(params.length), vocabSize: Number(params.vocab_size), testFraction: Number(params.test_fraction) };
    const echo: TaskParams = { reader, unit: p.unit, length: p.length, vocab_size: p.vocabSize, test_fraction: p.testFraction };
    return createTextTask(source.name, text.value, p, echo);
  }
  const table = parseCsv(source.name, text.value, DELIMITERS[String(params.delimiter)]!);
  if (!table.ok) return table;
  const columns = inferColumns(table.value);
  const o = { mapping, testFraction: Number(params.test_fraction), seed: Number(params.seed), normalize: params.normalize === true };
  const echo: TaskParams = { reader, test_fraction: o.testFraction, seed: o.seed, delimiter: String(params.delimiter), normalize: o.normalize };
  return createCsvTask(source.name, table.value, o, echo, columns);
}

/** What the editor shows of a CSV before training: the first rows, the columns' types, the mapping. */
export interface CsvPreview {
  readonly reader: 'csv';
  readonly name: string;
  readonly bytes: number;
  readonly delimiter: Delimiter;
  readonly columns: readonly ColumnInfo[];
  /** The first rows, each with its line. */
  readonly rows: readonly { readonly line: number; readonly fields: readonly string[] }[];
  readonly rowCount: number;
  /** The mapping with every part decided (given parts kept, the rest inferred), when it can be. */
  readonly mapping?: ResolvedMapping;
  /** What the file gives the graph once mapped: counts, classes, normalisation, and the streams' shapes. */
  readonly summary?: CsvSummary;
  /** Why the mapping or the rows do not make a task yet (E485–E487); the preview itself still stands. */
  readonly problems: readonly UnrollError[];
}

export interface TextPreview {
  readonly reader: 'text';
  readonly name: string;
  readonly bytes: number;
  readonly summary?: TextSummary;
  readonly problems: readonly UnrollError[];
}

export type DataPreview = CsvPreview | TextPreview;

/**
 * Read a file for a preview: errors that make the file unreadable (size, encoding, broken CSV,
 * unknown reader, bad params) fail the result; problems of the mapping or of values come back in
 * `problems` beside the rows, so a mapping dialog can show both and let the user fix the mapping.
 */
export function previewData(source: DataSource, graphParams?: Readonly<Record<string, ParamValueJson>>, rows = 10): Result<DataPreview> {
  const resolved = resolveDatasetParams(source, graphParams);
  if (!resolved.ok) return resolved;
  const text = sourceText(source);
  if (!text.ok) return text;
  const { reader, params, mapping } = resolved.value;
  const made = createDatasetTask(source, graphParams);
  const problems = made.ok ? [] : made.errors;
  const done = made.ok ? { summary: made.value.summary } : {};
  if (reader === 'text') {
    if (!made.ok && made.errors.some((e) => e.code === 'E481')) return made;
    return { ok: true, value: { reader, name: source.name, bytes: source.bytes.length, ...(done as { summary?: TextSummary }), problems } };
  }
  const table = parseCsv(source.name, text.value, DELIMITERS[String(params.delimiter)]!);
  if (!table.ok) return table;
  const columns = inferColumns(table.value);
  const m = resolveMapping(source.name, table.value, columns, mapping);
  return {
    ok: true,
    value: {
      reader,
      name: source.name,
      bytes: source.bytes.length,
      delimiter: table.value.delimiter,
      columns,
      rows: previewRows(table.value, rows),
      rowCount: table.value.rows.length,
      ...(m.ok ? { mapping: m.value } : {}),
      ...(done as { summary?: CsvSummary }),
      problems,
    },
  };
}
