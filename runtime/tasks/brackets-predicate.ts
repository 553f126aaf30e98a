/** What "balanced" means for the brackets task, in its two views. */
import { CLOSERS, OPENERS } from './brackets-charset.ts';

/**
 * Counting view (`nesting: false`): for each bracket kind separately the number open never drops
 * below zero and is zero at the end. `([)]` is balanced in this view; k counters decide it.
 */
export function balancedByCounting(text: string): boolean {
  const open = [0, 0, 0];
  for (const ch of text) {
    const o = OPENERS.indexOf(ch);
    if (o >= 0) open[o]!++;
    const c = CLOSERS.indexOf(ch);
    if (c >= 0 && --open[c]! < 0) return false;
  }
  return open.every((n) => n === 0);
}

/** Nesting view (`nesting: true`): brackets nest properly across kinds (a stack decides it). */
export function balancedByNesting(text: string): boolean {
  const stack: number[] = [];
  for (const ch of text) {
    const o = OPENERS.indexOf(ch);
    if (o >= 0) stack.push(o);
    const c = CLOSERS.indexOf(ch);
    if (c >= 0 && stack.pop() !== c) return false;
  }
  return stack.length === 0;
}

/** The predicate of the chosen view. */
export function isBalanced(text: string, nesting: boolean): boolean {
  return nesting ? balancedByNesting(text) : balancedByCounting(text);
}
