/**
 * CSV text to a table (RFC 4180): a header row naming the columns, then rows of fields. Fields may
 * be quoted ("a, b", "say ""hi""", a line break inside quotes); rows end at LF or CRLF; blank
 * lines are skipped. Every row remembers the line it starts on, so later errors can name it.
 * A broken file is refused whole (E481, E483, E484), never read in part.
 */
import { unrollError, type Result, type UnrollError } from '../errors/catalogue.ts';

/** Field separators a CSV file may use. */
export type Delimiter = ',' | ';' | '\t';

export interface CsvTable {
  /** Column names from the header row, trimmed; an unnamed column is called `column<N>` (1-based). */
  readonly columns: readonly string[];
  /** Every data row, each with one field per column. */
  readonly rows: readonly (readonly string[])[];
  /** 1-based line of the file each row starts on (a quoted line break makes a row span lines). */
  readonly lines: Int32Array;
  /** Line of the header row. */
  readonly headerLine: number;
  readonly delimiter: Delimiter;
}

/** Errors of one kind listed in full before the rest are only counted. */
export const MAX_LISTED_ERRORS = 10;

const DELIMITER_NAMES: Readonly<Record<Delimiter, string>> = { ',': 'comma', ';': 'semicolon', '\t': 'tab' };

/**
 * The separator of the first non-blank line outside quotes: the most frequent of comma, semicolon
 * and tab (comma on a tie or when there is none).
 */
export function sniffDelimiter(text: string): Delimiter {
  const counts: Record<Delimiter, number> = { ',': 0, ';': 0, '\t': 0 };
  let quoted = false;
  let seen = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"') quoted = !quoted;
    else if (!quoted && (c === '\n' || c === '\r')) {
      if (seen) break;
    } else if (!quoted && (c === ',' || c === ';' || c === '\t')) counts[c]++;
    if (c !== '\n' && c !== '\r' && c !== ' ') seen = true;
  }
  return counts[';'] > counts[','] && counts[';'] >= counts['\t'] ? ';' : counts['\t'] > counts[','] ? '\t' : ',';
}

interface RawRecord {
  readonly fields: string[];
  readonly line: number;
  /** A line holding nothing at all (not even a quoted empty field). */
  readonly blank: boolean;
}

/** Split text into records; E483 for a quote never closed or text after a closing quote. */
function records(text: string, file: string, delimiter: Delimiter, errors: UnrollError[]): RawRecord[] {
  const out: RawRecord[] = [];
  const n = text.length;
  const sep = delimiter.charCodeAt(0);
  let i = 0;
  let line = 1;
  while (i < n) {
    const start = line;
    const fields: string[] = [];
    let quotedAny = false;
    // One record: fields until a line break outside quotes or the end of the text.
    for (;;) {
      if (text[i] === '"') {
        quotedAny = true;
        const open = line;
        let value = '';
        let j = i + 1;
        for (;;) {
          const q = text.indexOf('"', j);
          if (q < 0) {
            errors.push(unrollError('E483', `${file} line ${open}: a quoted field opens here and is never closed (a " is missing)`));
            return out;
          }
          const chunk = text.slice(j, q);
          value += chunk;
          for (let k = 0; k < chunk.length; k++) if (chunk.charCodeAt(k) === 10) line++;
          if (text[q + 1] === '"') {
            value += '"';
            j = q + 2;
          } else {
            j = q + 1;
            break;
          }
        }
        // Spaces after the closing quote are tolerated; anything else is not CSV.
        while (text[j] === ' ' || (text[j] === '\t' && delimiter !== '\t')) j++;
        const next = text[j];
        if (next !== undefined && next !== delimiter && next !== '\n' && next !== '\r') {
          let end = j;
          while (end < n && text[end] !== delimiter && text[end] !== '\n' && text[end] !== '\r') end++;
          errors.push(
            unrollError('E483', `${file} line ${line}: field ${fields.length + 1} has text after its closing quote (${JSON.stringify(text.slice(j, Math.min(end, j + 20)))}); quote the whole field and double any quote inside it`),
          );
          // Skip to the end of the field and go on, so that later lines are checked too.
          j = end;
        }
        fields.push(value);
        i = j;
      } else {
        let j = i;
        while (j < n) {
          const c = text.charCodeAt(j);
          if (c === 10 || c === 13 || c === sep) break;
          j++;
        }
        fields.push(text.slice(i, j));
        i = j;
      }
      if (i >= n) break;
      if (text[i] === delimiter) {
        i++;
        if (i >= n) {
          fields.push('');
          break;
        }
        continue;
      }
      // A line break: CRLF, LF, or a lone CR.
      if (text[i] === '\r' && text[i + 1] === '\n') i += 2;
      else i++;
      line++;
      break;
    }
    out.push({ fields, line: start, blank: !quotedAny && fields.length === 1 && fields[0]!.trim() === '' });
  }
  return out;
}

/** Rows of a wrong width, as errors: the first MAX_LISTED_ERRORS in full, then a count with their lines. */
function raggedErrors(file: string, bad: readonly RawRecord[], width: number, headerLine: number): UnrollError[] {
  const errors = bad
    .slice(0, MAX_LISTED_ERRORS)
    .map((r) => unrollError('E484', `${file} line ${r.line}: ${r.fields.length} field${r.fields.length === 1 ? '' : 's'}, but the header (line ${headerLine}) has ${width}`));
  if (bad.length > MAX_LISTED_ERRORS) {
    const rest = bad.slice(MAX_LISTED_ERRORS);
    const lines = rest.slice(0, 20).map((r) => r.line).join(', ');
    errors.push(unrollError('E484', `${file}: ${rest.length} more rows have a number of fields other than ${width}, on lines ${lines}${rest.length > 20 ? ', …' : ''}`));
  }
  return errors;
}

/**
 * Parse CSV text (already decoded, byte-order mark dropped). The delimiter is sniffed from the
 * header line unless given. Errors: E481 no header or no rows, E483 a broken quote or a repeated
 * column name, E484 a row whose field count differs from the header's.
 */
export function parseCsv(file: string, text: string, delimiter: Delimiter | 'auto' = 'auto'): Result<CsvTable> {
  const sep = delimiter === 'auto' ? sniffDelimiter(text) : delimiter;
  const errors: UnrollError[] = [];
  const all = records(text, file, sep, errors).filter((r) => !r.blank);
  if (errors.length > 0) return { ok: false, errors: errors.slice(0, MAX_LISTED_ERRORS) };
  const header = all[0];
  if (header === undefined) return { ok: false, errors: [unrollError('E481', `${file} has no text: every line is blank`)] };
  if (all.length === 1) return { ok: false, errors: [unrollError('E481', `${file} has a header (line ${header.line}) but no rows of data`)] };
  const columns = header.fields.map((f, k) => f.trim() || `column${k + 1}`);
  const seen = new Map<string, number>();
  columns.forEach((c, k) => {
    const first = seen.get(c);
    if (first !== undefined) {
      errors.push(unrollError('E483', `${file} line ${header.line}: column name ${JSON.stringify(c)} is used twice (columns ${first + 1} and ${k + 1}); every column needs a name of its own`));
    } else seen.set(c, k);
  });
  if (errors.length > 0) return { ok: false, errors };
  const body = all.slice(1);
  const bad = body.filter((r) => r.fields.length !== columns.length);
  if (bad.length > 0) {
    const note = sep !== ',' ? ` (fields separated by ${DELIMITER_NAMES[sep]}s)` : '';
    const errs = raggedErrors(file, bad, columns.length, header.line);
    return { ok: false, errors: errs.map((e, k) => (k === 0 && note !== '' ? { ...e, message: e.message + note } : e)) };
  }
  return {
    ok: true,
    value: { columns, rows: body.map((r) => r.fields), lines: Int32Array.from(body, (r) => r.line), headerLine: header.line, delimiter: sep },
  };
}
