/** Collecting parse errors: a capped list, JSON paths, and short previews of user values for messages. */
import { unrollError, type ErrorCode, type UnrollError } from '../errors/catalogue.ts';
import { jsonPath } from './types.ts';

/** The most errors one parse reports; past that the rest are noise from one root cause. */
export const MAX_ERRORS = 100;

/** A path as segments; turned into a string only when an error is reported. */
export type PathSegments = readonly (string | number)[];

/** Errors of one parse, capped at `MAX_ERRORS`. */
export class ErrorList {
  readonly items: UnrollError[] = [];

  /** True once the cap is reached; long loops check it to stop early. */
  get full(): boolean {
    return this.items.length >= MAX_ERRORS;
  }

  add(code: ErrorCode, message: string, path: PathSegments): void {
    if (!this.full) this.items.push(unrollError(code, clip(message), { path: jsonPath(path) }));
  }

  get empty(): boolean {
    return this.items.length === 0;
  }
}

/** Messages quote user strings that may be 10,000 characters long; keep them readable. */
function clip(message: string): string {
  return message.length <= 400 ? message : `${message.slice(0, 399)}…`;
}

/** A user string quoted for a message, shortened when long. */
export function quote(s: string): string {
  return JSON.stringify(s.length > 60 ? `${s.slice(0, 57)}...` : s);
}

/** Edit distance, for "did you mean" hints. Inputs are short (keys, type names). */
function distance(a: string, b: string): number {
  if (a.length > 64 || b.length > 64) return Infinity;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur.push(Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost));
    }
    prev = cur;
  }
  return prev[b.length]!;
}

/** `; did you mean "x"?` for the closest candidate within a few edits, or an empty string. */
export function didYouMean(word: string, candidates: Iterable<string>): string {
  let best: string | undefined;
  let bestD = Infinity;
  const lower = word.toLowerCase();
  for (const c of candidates) {
    const d = distance(lower, c.toLowerCase());
    if (d < bestD) {
      best = c;
      bestD = d;
    }
  }
  const allowed = Math.max(1, Math.min(3, Math.floor(word.length / 3)));
  return best !== undefined && bestD <= allowed ? `; did you mean "${best}"?` : '';
}
