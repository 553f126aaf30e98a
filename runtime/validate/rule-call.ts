/**
 * Calling a block's rules (shape, weights, expects) without ever throwing: a `ShapeIssue` is the
 * block refusing its inputs; anything else thrown is a bug in the block, reported as E219.
 */
import { ShapeIssue } from '../../blocks/shape.ts';

export type RuleResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly issue: ShapeIssue }
  | { readonly ok: false; readonly bug: string };

/** Run one block rule, catching what it throws. */
export function callRule<T>(rule: () => T): RuleResult<T> {
  try {
    return { ok: true, value: rule() };
  } catch (err) {
    if (err instanceof ShapeIssue) return { ok: false, issue: err };
    return { ok: false, bug: err instanceof Error ? err.message : String(err) };
  }
}
