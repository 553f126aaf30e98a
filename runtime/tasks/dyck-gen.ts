/**
 * Dyck-k strings for the `dyck` task: sampling from Suzgun et al.'s (2019) PCFG and the set of
 * symbols that may legally follow each prefix.
 */
import { progress } from '../progress.ts';
import type { RandomSource } from './types.ts';

/** Bracket pairs in id order: pair i has opening id 2i and closing id 2i+1. */
export const DYCK_PAIRS: readonly (readonly [string, string])[] = [
  ['(', ')'],
  ['[', ']'],
];
/** The symbol shown for the end label ("the string may stop here"). */
export const DYCK_END_SYMBOL = '$';

/** Input ids of `pairs` pairs: `(` 0, `)` 1, `[` 2, `]` 3. */
export const dyckTokens = (pairs: number): string[] => DYCK_PAIRS.slice(0, pairs).flat();

/** The PCFG: S → (S) with probability p (split evenly over the pair kinds), S → SS with q, else S → ε. */
export interface DyckGrammar {
  readonly pairs: number;
  readonly p: number;
  readonly q: number;
}

/** A pending item of the left-to-right expansion: a nonterminal S or a closing id to write. */
const S = -1;

/**
 * One string from the grammar, expanded left to right, or undefined when it grows past
 * `maxLength` symbols or takes more than `budget` expansions (the grammar at p = 0.5, q = 0.25 is
 * critical: its trees are finite but heavy-tailed, so long ones are abandoned rather than finished).
 */
export function sampleDyck(rng: RandomSource, g: DyckGrammar, maxLength: number, budget = 20 * maxLength + 100): number[] | undefined {
  const out: number[] = [];
  const pending: number[] = [S];
  for (let step = 0; pending.length > 0; step++) {
    if (step > budget || out.length > maxLength) return undefined;
    const top = pending.pop()!;
    if (top !== S) {
      out.push(top);
      continue;
    }
    const r = rng.next();
    if (r < g.p) {
      const kind = rng.int(g.pairs);
      out.push(2 * kind);
      // Written in reverse: the inner S first, then the closing bracket.
      pending.push(2 * kind + 1, S);
    } else if (r < g.p + g.q) {
      pending.push(S, S);
    }
  }
  return out.length > maxLength ? undefined : out;
}

/**
 * A string of a length in `lengths`, drawn by rejection from the grammar (so lengths follow the
 * grammar's own distribution restricted to the range); undefined if `tries` draws all miss.
 */
export function sampleDyckInRange(rng: RandomSource, g: DyckGrammar, lengths: readonly [number, number], tries = 100_000): number[] | undefined {
  for (let k = 0; k < tries; k++) {
    if (k % 256 === 0) progress();
    const s = sampleDyck(rng, g, lengths[1]);
    if (s !== undefined && s.length >= lengths[0]) return s;
  }
  return undefined;
}

/**
 * Labels `[T, 2k+1]` for a Dyck-k string: after reading symbols 0..t, label j < 2k is 1 when input
 * id j may come next (every opening bracket; the closing bracket that matches the innermost open
 * one), and label 2k is 1 when the string may end there (nothing is open). A stack, since Dyck-2
 * needs the innermost open kind; for Dyck-1 it is a counter.
 */
export function dyckLabels(ids: readonly number[], pairs: number): Float32Array {
  const width = 2 * pairs + 1;
  const out = new Float32Array(ids.length * width);
  const stack: number[] = [];
  ids.forEach((id, t) => {
    if (id % 2 === 0) stack.push(id);
    else stack.pop();
    const row = t * width;
    for (let k = 0; k < pairs; k++) out[row + 2 * k] = 1;
    if (stack.length > 0) out[row + stack.at(-1)! + 1] = 1;
    else out[row + 2 * pairs] = 1;
  });
  return out;
}
