/**
 * The fixed example sets of the brackets task: a training set and two eval splits, all made from
 * the task's own `seed` (never the training seed), so every run sees the same data.
 */
import { negative, positive, type BracketEdit } from './brackets-gen.ts';
import { isBalanced } from './brackets-predicate.ts';
import { taskRng } from './task-rng.ts';
import type { RandomSource } from './types.ts';
import { progress } from '../progress.ts';

/** One labelled string. `edit` says how a negative was made (undefined for positives). */
export interface BracketExample {
  readonly text: string;
  /** 1 balanced, 0 unbalanced; always computed by the predicate. */
  readonly label: 0 | 1;
  readonly edit?: BracketEdit;
}

export interface BracketSetOptions {
  readonly nesting: boolean;
  readonly count: number;
  /** Inclusive range of lengths in characters. */
  readonly lengths: readonly [number, number];
  /** Strings that must not occur (the training set, for the test splits). */
  readonly exclude?: ReadonlySet<string>;
}

/** Tries at one length before drawing another; short lengths have few distinct strings. */
const TRIES_PER_LENGTH = 20;

function fresh(make: () => string, isNew: (s: string) => boolean): string | undefined {
  for (let t = 0; t < TRIES_PER_LENGTH; t++) {
    const s = make();
    if (isNew(s)) return s;
  }
  return undefined;
}

/**
 * `count` examples in pairs of equal length, a positive then a negative (made from another
 * positive of that length), so both classes have exactly the same lengths and are 50/50 (an odd
 * count ends with a lone positive). With `exclude` set, strings are also distinct within the set,
 * and a length whose strings are used up is drawn again; if the lengths allow too few distinct
 * strings the set stops short (never for the defaults).
 */
export function makeBracketSet(rng: RandomSource, opts: BracketSetOptions): BracketExample[] {
  const { nesting, count, exclude } = opts;
  const [lo, hi] = opts.lengths;
  const taken = exclude === undefined ? undefined : new Set(exclude);
  const out: BracketExample[] = [];
  const take = (e: BracketExample): void => {
    out.push(e);
    taken?.add(e.text);
  };
  let budget = 100 * count + 1000;
  while (out.length < count && budget-- > 0) {
    progress();
    const length = lo + rng.int(hi - lo + 1);
    const pos = fresh(() => positive(rng, length, nesting), (s) => taken === undefined || !taken.has(s));
    if (pos === undefined) continue;
    if (out.length + 1 === count) {
      take({ text: pos, label: label(pos, nesting) });
      break;
    }
    let edit: BracketEdit | undefined;
    const neg = fresh(() => {
      const n = negative(rng, positive(rng, length, nesting), nesting);
      edit = n.edit;
      return n.text;
    }, (s) => taken === undefined || (s !== pos && !taken.has(s)));
    if (neg === undefined) continue;
    take({ text: pos, label: label(pos, nesting) });
    take({ text: neg, label: label(neg, nesting), ...(edit !== undefined ? { edit } : {}) });
  }
  return out;
}

const label = (text: string, nesting: boolean): 0 | 1 => (isBalanced(text, nesting) ? 1 : 0);

/** The three sets of a brackets task. */
export interface BracketData {
  readonly train: readonly BracketExample[];
  readonly test: readonly BracketExample[];
  readonly long: readonly BracketExample[];
}

export interface BracketDataOptions {
  readonly nesting: boolean;
  readonly seed: number;
  readonly trainSize: number;
  readonly testSize: number;
  readonly trainLengths: readonly [number, number];
  readonly longLengths: readonly [number, number];
}

/** Training set, then `test` (train lengths, no string of the training set), then `long`. */
export function makeBracketData(o: BracketDataOptions): BracketData {
  const train = makeBracketSet(taskRng(o.seed, 'brackets', 'train'), {
    nesting: o.nesting,
    count: o.trainSize,
    lengths: o.trainLengths,
  });
  const seen = new Set(train.map((e) => e.text));
  const test = makeBracketSet(taskRng(o.seed, 'brackets', 'test'), {
    nesting: o.nesting,
    count: o.testSize,
    lengths: o.trainLengths,
    exclude: seen,
  });
  for (const e of test) seen.add(e.text);
  const long = makeBracketSet(taskRng(o.seed, 'brackets', 'long'), {
    nesting: o.nesting,
    count: o.testSize,
    lengths: o.longLengths,
    exclude: seen,
  });
  return { train, test, long };
}
