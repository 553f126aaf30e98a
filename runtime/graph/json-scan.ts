/**
 * A JSON syntax scanner: where `JSON.parse` failed (line and column, the same in every engine,
 * whose own messages differ and sometimes omit the place), the JSON path where a document nests
 * too deep, and keys written twice in one object (which `JSON.parse` silently merges). Iterative, so no input can overflow the stack.
 */
import type { PathSegments } from './report.ts';

export type ScanProblem =
  | { readonly kind: 'syntax'; readonly message: string; readonly line: number; readonly column: number }
  | { readonly kind: 'depth'; readonly path: PathSegments }
  /** The same key twice in one object: JSON.parse would silently keep the last. */
  | { readonly kind: 'duplicate'; readonly path: PathSegments; readonly line: number; readonly column: number };

interface Frame {
  readonly array: boolean;
  /** Index or key of the child being read, for the path of a too-deep container. */
  key: string | number;
  /** Keys seen so far in an object (only when looking for duplicates). */
  readonly keys?: Set<string>;
}

class Stop {
  constructor(readonly problem: ScanProblem) {}
}

/** The first problem in `text`, in text order, or undefined when it is valid JSON no deeper than
 *  `maxDepth` (and, with `duplicates`, with no key twice in one object). */
export function scanJson(text: string, maxDepth: number, duplicates = false): ScanProblem | undefined {
  try {
    new Scanner(text, maxDepth, duplicates).run();
    return undefined;
  } catch (e) {
    if (e instanceof Stop) return e.problem;
    throw e;
  }
}

class Scanner {
  private i = 0;
  private readonly stack: Frame[] = [];

  constructor(
    private readonly text: string,
    private readonly maxDepth: number,
    private readonly duplicates: boolean,
  ) {}

  run(): void {
    this.ws();
    if (this.i >= this.text.length) this.fail('the file is empty; a graph is a JSON object');
    // A loop, not recursion: `value` opens containers, `afterValue` closes them.
    for (;;) {
      if (this.value()) continue;
      if (this.afterValue()) return;
    }
  }

  /** Reads one value. For a non-empty container, reads only its opening (and first key) and returns
   *  true: its first child comes next. */
  private value(): boolean {
    this.ws();
    const t = this.text;
    if (this.i >= t.length) this.fail('unexpected end of file; expected a value');
    const c = t[this.i]!;
    if (c === '{' || c === '[') {
      if (this.stack.length + 1 > this.maxDepth) {
        throw new Stop({ kind: 'depth', path: this.stack.map((f) => f.key) });
      }
      const array = c === '[';
      this.i++;
      this.ws();
      if (t[this.i] === (array ? ']' : '}')) {
        this.i++;
        return false; // an empty container is a complete value
      }
      const frame: Frame = this.duplicates && !array ? { array, key: 0, keys: new Set() } : { array, key: 0 };
      this.stack.push(frame);
      if (!array) frame.key = this.key();
      return true;
    }
    if (c === '"') {
      this.string();
      return false;
    }
    if (c === '-' || (c >= '0' && c <= '9')) {
      this.number();
      return false;
    }
    for (const word of ['true', 'false', 'null']) {
      if (t.startsWith(word, this.i)) {
        this.i += word.length;
        return false;
      }
    }
    this.fail(`unexpected ${this.describe(c)}; expected a value`);
  }

  /** After a value: commas, closings. True when the whole document has been read. */
  private afterValue(): boolean {
    const t = this.text;
    for (;;) {
      this.ws();
      const top = this.stack[this.stack.length - 1];
      if (top === undefined) {
        if (this.i < t.length) this.fail(`unexpected ${this.describe(t[this.i]!)} after the end of the JSON value`);
        return true;
      }
      const close = top.array ? ']' : '}';
      if (this.i >= t.length) this.fail(`unexpected end of file; expected ',' or '${close}'`);
      const c = t[this.i]!;
      if (c === ',') {
        this.i++;
        if (top.array) top.key = (top.key as number) + 1;
        else {
          this.ws();
          top.key = this.key();
        }
        return false;
      }
      if (c === close) {
        this.i++;
        this.stack.pop();
        continue;
      }
      this.fail(`unexpected ${this.describe(c)}; expected ',' or '${close}'`);
    }
  }

  /** An object key (decoded) and its colon; with `duplicates`, refuses a key its object already has. */
  private key(): string {
    const at = this.i;
    const raw = this.keyText();
    // "a" and "\u0061" are the same key: paths and comparisons use decoded names.
    const name = raw.includes('\\') ? (JSON.parse(`"${raw}"`) as string) : raw;
    const frame = this.stack[this.stack.length - 1];
    if (frame?.keys !== undefined) {
      if (frame.keys.has(name)) {
        const { line, column } = this.place(at);
        throw new Stop({ kind: 'duplicate', path: [...this.stack.slice(0, -1).map((f) => f.key), name], line, column });
      }
      frame.keys.add(name);
    }
    return name;
  }

  private keyText(): string {
    if (this.text[this.i] !== '"') {
      this.fail(`unexpected ${this.i < this.text.length ? this.describe(this.text[this.i]!) : 'end of file'}; expected a property name in double quotes`);
    }
    const k = this.string();
    this.ws();
    if (this.text[this.i] !== ':') this.fail(`expected ':' after the property name ${JSON.stringify(k.slice(0, 40))}`);
    this.i++;
    return k;
  }

  /** A string starting at the opening quote; returns its raw contents (escapes left as written). */
  private string(): string {
    const t = this.text;
    const start = ++this.i;
    for (;;) {
      if (this.i >= t.length) this.fail('unterminated string', start - 1);
      const c = t.charCodeAt(this.i);
      if (c === 0x22) break;
      if (c < 0x20) this.fail('a control character inside a string (write it as an escape such as \\n)');
      if (c === 0x5c) {
        const e = t[this.i + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(t.slice(this.i + 2, this.i + 6))) this.fail('a \\u escape needs four hex digits');
          this.i += 6;
          continue;
        }
        if (e === undefined || !'"\\/bfnrt'.includes(e)) this.fail(`invalid escape \\${e ?? ''} in a string`);
        this.i += 2;
        continue;
      }
      this.i++;
    }
    const raw = t.slice(start, this.i);
    this.i++;
    return raw;
  }

  private number(): void {
    const start = this.i;
    const m = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
    m.lastIndex = start;
    const found = m.exec(this.text);
    if (found === null) this.fail('invalid number', start);
    this.i += found[0].length;
    const next = this.text[this.i];
    // "01", "1.", "1e" and "-" stop short of a valid continuation: say so at the number, not after it.
    if (next !== undefined && /[0-9.eE+-]/.test(next)) this.fail('invalid number', start);
  }

  private ws(): void {
    const t = this.text;
    while (this.i < t.length) {
      const c = t.charCodeAt(this.i);
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return;
      this.i++;
    }
  }

  private describe(c: string): string {
    const code = c.charCodeAt(0);
    if (code === 0xfeff) return 'byte-order mark';
    return code < 0x20 || code === 0x7f ? `character U+${code.toString(16).padStart(4, '0').toUpperCase()}` : `character '${c}'`;
  }

  private fail(what: string, at: number = this.i): never {
    const { line, column } = this.place(at);
    throw new Stop({ kind: 'syntax', message: `${what} at line ${line}, column ${column}`, line, column });
  }

  private place(at: number): { line: number; column: number } {
    let line = 1;
    let lineStart = 0;
    for (let k = 0; k < at && k < this.text.length; k++) {
      if (this.text.charCodeAt(k) === 0x0a) {
        line++;
        lineStart = k + 1;
      }
    }
    return { line, column: at - lineStart + 1 };
  }
}
