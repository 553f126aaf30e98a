/**
 * Bringing files written by older builds up to the current format version. Each format change
 * adds one step here; `parseGraph` runs the chain from the file's version before checking it, so
 * the checks only ever know the current format.
 */
import { unrollError, type Result } from '../errors/catalogue.ts';
import { GRAPH_FORMAT_VERSION } from './types.ts';

/** One version step. `migrate` gets a private deep copy and may change it in place or build a new one;
 *  `migrateDocument` sets `version` to `to` afterwards. */
export interface Migration {
  readonly from: number;
  readonly to: number;
  migrate(doc: Record<string, unknown>): Record<string, unknown>;
}

/** Every step this build knows, oldest first. Empty: version 1 is the first format. */
export const MIGRATIONS: readonly Migration[] = [];

/**
 * `raw` (a checked plain JSON object whose `version` is a positive integer) carried from its version
 * to `target` by chaining `steps`. E110 when no chain reaches `target`, E123 when a step throws or
 * returns something that is not an object.
 */
export function migrateDocument(
  raw: Record<string, unknown>,
  steps: readonly Migration[] = MIGRATIONS,
  target: number = GRAPH_FORMAT_VERSION,
): Result<Record<string, unknown>> {
  const start = raw.version;
  if (typeof start !== 'number' || !Number.isInteger(start) || start < 1) {
    return fail('E110', `cannot migrate a document whose version is ${JSON.stringify(start)}`);
  }
  if (start > target) return fail('E110', `cannot migrate version ${start} down to version ${target}`);
  let doc = raw;
  let version = start;
  while (version < target) {
    // Only forward steps that do not overshoot: a chain always ends, and ends at `target`.
    const step = steps.find((s) => s.from === version && s.to > version && s.to <= target);
    if (step === undefined) {
      return fail('E110', `files of version ${version} can no longer be read: this build has no way to bring them up to version ${target}`);
    }
    let next: unknown;
    try {
      next = step.migrate(structuredClone(doc));
    } catch (e) {
      return fail('E123', `updating the file from version ${step.from} to ${step.to} failed: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (typeof next !== 'object' || next === null || Array.isArray(next)) {
      return fail('E123', `updating the file from version ${step.from} to ${step.to} did not give a document`);
    }
    doc = { ...(next as Record<string, unknown>), version: step.to };
    version = step.to;
  }
  return { ok: true, value: doc };
}

function fail(code: 'E110' | 'E123', message: string): Result<never> {
  return { ok: false, errors: [unrollError(code, message, { path: '$.version' })] };
}
