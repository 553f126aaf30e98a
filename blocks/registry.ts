/**
 * The one registry of block types. The palette, inspector, port handles, connection rules,
 * validation and the runtime all read block definitions from here and nowhere else.
 */
import type { AnyBlockDef } from './types.ts';
import { add } from './add.ts';
import { attention } from './attention.ts';
import { bilinear } from './bilinear.ts';
import { concat } from './concat.ts';
import { decoder } from './decoder.ts';
import { delay } from './delay.ts';
import { encoder } from './encoder.ts';
import { gate } from './gate.ts';
import { gru } from './gru.ts';
import { input } from './input.ts';
import { linear } from './linear.ts';
import { loss } from './loss.ts';
import { lstm } from './lstm.ts';
import { memory } from './memory.ts';
import { multiply } from './multiply.ts';
import { oneMinus } from './one-minus.ts';
import { relu } from './relu.ts';
import { rnn } from './rnn.ts';
import { sigmoid } from './sigmoid.ts';
import { softmax } from './softmax.ts';
import { tanh } from './tanh.ts';
import { target } from './target.ts';

export const blockRegistry: Readonly<Record<string, AnyBlockDef>> = {
  // sources
  input,
  target,
  // encdec
  encoder,
  decoder,
  // recurrent
  rnn,
  gru,
  lstm,
  delay,
  // elementwise
  linear,
  gate,
  multiply,
  add,
  one_minus: oneMinus,
  tanh,
  sigmoid,
  relu,
  softmax,
  concat,
  bilinear,
  // attention
  attention,
  memory,
  // loss
  loss,
};

/** The definition of `type`, or undefined for a type the registry does not have. */
export function getBlock(type: string): AnyBlockDef | undefined {
  return Object.hasOwn(blockRegistry, type) ? blockRegistry[type] : undefined;
}

/** Every block type name, in registry order (the palette's order within a group). */
export const blockTypes: readonly string[] = Object.keys(blockRegistry);
