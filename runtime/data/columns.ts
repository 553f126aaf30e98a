/**
 * What each CSV column holds, inferred from its values: numbers, categories (any text), or
 * sequence ids (values that each fill one run of consecutive rows, or a name like `id`, `seq`).
 */
import type { CsvTable } from './csv-parse.ts';

export type ColumnType = 'numeric' | 'categorical' | 'id';

export interface ColumnInfo {
  readonly name: string;
  /** 0-based position in the header. */
  readonly index: number;
  readonly type: ColumnType;
  /** Non-empty values that read as finite numbers. */
  readonly numbers: number;
  /** Non-empty values. */
  readonly filled: number;
  /** Most values read as numbers (at least 90% of the non-empty ones): usable as a feature. */
  readonly numeric: boolean;
  /** Every number in it is whole. */
  readonly integer: boolean;
  /** Distinct values (trimmed). */
  readonly distinct: number;
  /** Every value's rows form one run of consecutive rows. */
  readonly grouped: boolean;
  /** Up to five distinct values, in the order they first appear. */
  readonly examples: readonly string[];
}

const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** The finite number a field holds (surrounding spaces allowed), or undefined: `abc`, `NaN`, `1e999`, `0x10`, `` are not numbers. */
export function parseNumber(field: string): number | undefined {
  const s = field.trim();
  if (!NUMBER.test(s)) return undefined;
  const v = Number(s);
  return Number.isFinite(v) ? v : undefined;
}

/** Names that say "this column tells the sequences apart". */
export const ID_NAME = /^(?:id|seq|sequence|series|sample|group|session|episode|run|subject|user|track)(?:[ _-]?(?:id|no|num|number|index))?$|[ _-]id$/i;
/** Names that say "this column orders the steps". */
export const TIME_NAME = /^(?:t|time|step|steps|timestep|time_step|timestamp|date|datetime|tick|frame|index|idx|position|pos|order)$/i;
/** Names that say "this column is what to predict". */
export const TARGET_NAME = /^(?:label|labels|target|targets|y|class|category|output|outcome|answer)$/i;

/** Infer every column's type from all its values. */
export function inferColumns(table: CsvTable): ColumnInfo[] {
  return table.columns.map((name, index) => {
    let numbers = 0;
    let filled = 0;
    let integer = true;
    let grouped = true;
    const runs = new Set<string>();
    const examples: string[] = [];
    let previous: string | undefined;
    for (const row of table.rows) {
      const raw = row[index]!;
      const v = raw.trim();
      if (v !== '') {
        filled++;
        const x = parseNumber(v);
        if (x !== undefined) {
          numbers++;
          if (!Number.isInteger(x)) integer = false;
        }
      }
      if (v !== previous) {
        if (runs.has(v)) grouped = false;
        else {
          runs.add(v);
          if (examples.length < 5) examples.push(v);
        }
        previous = v;
      }
    }
    const distinct = runs.size;
    const numeric = filled > 0 && numbers >= 0.9 * filled;
    // Ids: named so, or grouped runs of at least two rows on average, and not fractional numbers.
    const idLike = ID_NAME.test(name) || (grouped && distinct >= 2 && distinct * 2 <= table.rows.length && !(numeric && !integer));
    const type: ColumnType = idLike ? 'id' : numeric ? 'numeric' : 'categorical';
    return { name, index, type, numbers, filled, numeric, integer: integer && numbers > 0, distinct, grouped, examples };
  });
}

/** The first `count` data rows with their line numbers: what a preview shows. */
export function previewRows(table: CsvTable, count = 10): { line: number; fields: readonly string[] }[] {
  return table.rows.slice(0, count).map((fields, i) => ({ line: table.lines[i]!, fields }));
}
