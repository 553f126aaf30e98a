/**
 * The one registry of block types. The palette, inspector, port handles, connection rules,
 * validation and the runtime all read block definitions from here and nowhere else.
 */
import type { AnyBlockDef } from './types.ts';
import { delay } from './delay.ts';
import { input } from './input.ts';
import { linear } from './linear.ts';
import { loss } from './loss.ts';
import { rnn } from './rnn.ts';
import { target } from './target.ts';

export const blockRegistry: Readonly<Record<string, AnyBlockDef>> = {
  input,
  target,
  rnn,
  linear,
  delay,
  loss,
};

/** The definition of `type`, or undefined for a type the registry does not have. */
export function getBlock(type: string): AnyBlockDef | undefined {
  return Object.hasOwn(blockRegistry, type) ? blockRegistry[type] : undefined;
}

/** Every block type name, in registry order (the palette's order within a group). */
export const blockTypes: readonly string[] = Object.keys(blockRegistry);
