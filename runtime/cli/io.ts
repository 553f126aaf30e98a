/** Where a CLI command writes and where it runs; tests pass their own to capture output. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** Directory relative paths are resolved against. */
  cwd: string;
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
