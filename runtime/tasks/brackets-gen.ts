/**
 * Generating brackets examples: balanced strings of C-like code, and hard negatives made from
 * them by one bracket edit. Only `RandomSource` supplies randomness.
 */
import { BRACKETS, CLOSERS, OPENERS, isBracket } from './brackets-charset.ts';
import { isBalanced } from './brackets-predicate.ts';
import type { RandomSource } from './types.ts';

const LETTERS = 'abcfinxy';
const DIGITS = '012';
const OPERATORS = '=+-*<';

const pick = (rng: RandomSource, chars: string): string => chars[rng.int(chars.length)]!;

/** One C-like token: an identifier, a number, an operator (sometimes spaced), `;`, `,` or a space. */
function fillerToken(rng: RandomSource): string {
  const r = rng.int(11);
  if (r < 4) {
    let id = '';
    for (let n = 1 + rng.int(3); n > 0; n--) id += pick(rng, LETTERS);
    return id;
  }
  if (r < 6) return rng.int(2) === 0 ? pick(rng, DIGITS) : pick(rng, DIGITS) + pick(rng, DIGITS);
  if (r < 8) return rng.int(2) === 0 ? pick(rng, OPERATORS) : ` ${pick(rng, OPERATORS)} `;
  if (r === 8) return ';';
  if (r === 9) return ',';
  return ' ';
}

/** Exactly `n` characters of C-like filler (tokens run together, the last one cut). */
export function filler(rng: RandomSource, n: number): string {
  let s = '';
  while (s.length < n) s += fillerToken(rng);
  return s.slice(0, n);
}

/**
 * Bracket sequence of one kind with `pairs` pairs, balanced: a random walk that opens with
 * probability `deep` while it may, so `deep` near 1 gives deep nesting, near 0 flat `()()()`.
 * Returns kind-free steps: 1 open, -1 close.
 */
function dyckWalk(rng: RandomSource, pairs: number, deep: number): number[] {
  const steps: number[] = [];
  let opensLeft = pairs;
  let depth = 0;
  while (opensLeft > 0 || depth > 0) {
    const open = depth === 0 || (opensLeft > 0 && rng.next() < deep);
    if (open) {
      opensLeft--;
      depth++;
    } else depth--;
    steps.push(open ? 1 : -1);
  }
  return steps;
}

/**
 * A balanced bracket skeleton of `pairs` pairs. Counting view: one walk per kind, interleaved
 * uniformly at random (the shuffle of three Dyck-1 languages, so kinds may cross: `([)]`).
 * Nesting view: one walk whose opens pick a kind and whose closes close the innermost one.
 */
export function skeleton(rng: RandomSource, pairs: number, nesting: boolean): string {
  const deep = 0.3 + 0.5 * rng.next();
  if (nesting) {
    const stack: number[] = [];
    let out = '';
    for (const step of dyckWalk(rng, pairs, deep)) {
      if (step > 0) {
        const kind = rng.int(3);
        stack.push(kind);
        out += OPENERS[kind];
      } else out += CLOSERS[stack.pop()!];
    }
    return out;
  }
  const perKind = [0, 0, 0];
  for (let p = 0; p < pairs; p++) perKind[rng.int(3)]!++;
  const walks = perKind.map((n) => dyckWalk(rng, n, deep));
  const at = [0, 0, 0];
  let left = 2 * pairs;
  let out = '';
  while (left > 0) {
    // Pick the next kind with probability proportional to what it has left: a uniform interleaving.
    let r = rng.int(left);
    let kind = 0;
    for (;;) {
      const remaining = walks[kind]!.length - at[kind]!;
      if (r < remaining) break;
      r -= remaining;
      kind++;
    }
    out += walks[kind]![at[kind]!++]! > 0 ? OPENERS[kind] : CLOSERS[kind];
    left--;
  }
  return out;
}

/** `k` distinct indices of [0, n), ascending (partial Fisher–Yates). */
function choosePositions(rng: RandomSource, n: number, k: number): number[] {
  const idx = Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < k; i++) {
    const j = i + rng.int(n - i);
    [idx[i], idx[j]] = [idx[j]!, idx[i]!];
  }
  return idx.slice(0, k).sort((a, b) => a - b);
}

/**
 * A balanced string of exactly `length` (≥ 2) characters: about one bracket per 4–8 characters
 * (at least one pair), at random places, the rest C-like filler.
 */
export function positive(rng: RandomSource, length: number, nesting: boolean): string {
  const every = 4 + 4 * rng.next();
  const pairs = Math.max(1, Math.round(length / (2 * every)));
  const brackets = skeleton(rng, pairs, nesting);
  const places = choosePositions(rng, length, brackets.length);
  let out = '';
  let from = 0;
  places.forEach((p, k) => {
    out += filler(rng, p - from) + brackets[k]!;
    from = p + 1;
  });
  return out + filler(rng, length - from);
}

/** The kinds of one-bracket edit a negative is made by. */
export type BracketEdit = 'move' | 'remove' | 'add' | 'kind';

/**
 * How often each edit is drawn. Moves keep every kind's count (so "counts equal" cannot tell them
 * from positives) and are half of all negatives; remove/add change the total by one (odd counts)
 * and are 40%, so the parity of the bracket count is right for at most ~70% of examples.
 */
export const EDIT_WEIGHTS: Readonly<Record<BracketEdit, number>> = { move: 0.5, remove: 0.2, add: 0.2, kind: 0.1 };

const positionsWhere = (text: string, want: boolean): number[] =>
  [...text].flatMap((ch, i) => (isBracket(ch) === want ? [i] : []));

/** Apply one random edit of `kind`; undefined when the string offers no place for it. */
function applyEdit(rng: RandomSource, text: string, edit: BracketEdit): string | undefined {
  const brackets = positionsWhere(text, true);
  const others = positionsWhere(text, false);
  const replace = (i: number, ch: string): string => text.slice(0, i) + ch + text.slice(i + 1);
  switch (edit) {
    case 'move': {
      if (brackets.length === 0) return undefined;
      const i = brackets[rng.int(brackets.length)]!;
      const rest = text.slice(0, i) + text.slice(i + 1);
      // Insert at any other gap of the remaining string; gap i would give the string back.
      let j = rng.int(text.length - 1);
      if (j >= i) j++;
      return rest.slice(0, j) + text[i]! + rest.slice(j);
    }
    case 'remove': {
      if (brackets.length === 0) return undefined;
      // The bracket becomes a filler character, so the length stays the same.
      return replace(brackets[rng.int(brackets.length)]!, filler(rng, 1));
    }
    case 'add': {
      if (others.length === 0) return undefined;
      return replace(others[rng.int(others.length)]!, BRACKETS[rng.int(6)]!);
    }
    case 'kind': {
      if (brackets.length === 0) return undefined;
      const i = brackets[rng.int(brackets.length)]!;
      const choices = BRACKETS.replace(text[i]!, '');
      return replace(i, choices[rng.int(choices.length)]!);
    }
  }
}

function drawEdit(rng: RandomSource): BracketEdit {
  let r = rng.next();
  for (const [edit, w] of Object.entries(EDIT_WEIGHTS) as [BracketEdit, number][]) {
    if (r < w) return edit;
    r -= w;
  }
  return 'move';
}

/**
 * An unbalanced string made from the balanced `text` by one edit, same length. Edits that leave
 * it balanced are redrawn (same edit kind first, so the mix of kinds stays as weighted).
 */
export function negative(rng: RandomSource, text: string, nesting: boolean): { text: string; edit: BracketEdit } {
  for (let round = 0; round < 20; round++) {
    const edit = drawEdit(rng);
    for (let attempt = 0; attempt < 50; attempt++) {
      const out = applyEdit(rng, text, edit);
      if (out === undefined) break;
      if (!isBalanced(out, nesting)) return { text: out, edit };
    }
  }
  // Unreachable in practice: a closer moved to the front always unbalances.
  const c = [...text].findIndex((ch) => CLOSERS.includes(ch));
  return { text: text[c]! + text.slice(0, c) + text.slice(c + 1), edit: 'move' };
}
