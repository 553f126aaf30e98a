/** Where a CLI command writes and where it runs; tests pass their own to capture output. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** Directory relative paths are resolved against. */
  cwd: string;
  /** stderr is a terminal: `train` draws its progress bar there. */
  isTTY?: boolean;
  /** stdout is a terminal too: then the bar replaces the report lines; otherwise they go to stdout. */
  stdoutIsTTY?: boolean;
}

/** Exit statuses: 0 success, 1 a user error (bad graph, missing file), 2 bad usage. */
export const EXIT = { ok: 0, userError: 1, usage: 2 } as const;

/** A command-line mistake (unknown option, missing argument): printed with the usage, exit 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** A string from a user's file made safe for a terminal: control characters are escaped, so a
 *  graph name cannot recolour the output or forge extra lines. */
export function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
