/**
 * The keys and ranges of the graph format in one place, read by the parser, the serializer, the
 * JSON Schema builder and the test generators, so the four cannot drift apart.
 */
import type { Direction, GraphDoc, GraphEdge, GraphLoop, GraphNode, TaskSpec, TrainingSpec } from './types.ts';

/** Keys that could reach an object's prototype if copied carelessly; refused anywhere in a document. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** Longest graph name, in UTF-16 code units. */
export const MAX_NAME_LENGTH = 200;

/** Bounds of a loop's fixed `steps`. */
export const LOOP_STEPS = { min: 1, max: 100_000 } as const;

// Key lists in the order the serializer writes them. `satisfies` keeps each list within its
// interface, and `_complete` below fails to type-check when an interface gains a key not listed here.
type KeyList<T> = readonly (keyof T)[];
/** Every key of every member of a union. */
type AllKeys<T> = T extends unknown ? keyof T : never;
/** `true` when `L` lists every key of `T`. */
type Lists<T, L extends readonly PropertyKey[]> = [Exclude<AllKeys<T>, L[number]>] extends [never] ? true : false;

export const DOC_KEYS = ['format', 'version', 'name', 'loops', 'nodes', 'edges', 'task', 'training'] as const satisfies KeyList<GraphDoc>;
export const DOC_REQUIRED = ['format', 'version', 'name', 'nodes', 'edges'] as const satisfies KeyList<GraphDoc>;
export const NODE_KEYS = ['id', 'type', 'params', 'position', 'loop'] as const satisfies KeyList<GraphNode>;
export const POSITION_KEYS = ['x', 'y'] as const;
export const EDGE_KEYS = ['from', 'to', 'take'] as const satisfies KeyList<GraphEdge>;
/** `over` and `steps` are exclusive; both are listed so unknown-key checks know them. */
export const LOOP_KEYS = ['id', 'over', 'steps', 'direction'] as const satisfies readonly AllKeys<GraphLoop>[];
export const TASK_KEYS = ['name', 'params'] as const satisfies KeyList<TaskSpec>;

const _complete: [
  Lists<GraphDoc, typeof DOC_KEYS>,
  Lists<GraphNode, typeof NODE_KEYS>,
  Lists<NonNullable<GraphNode['position']>, typeof POSITION_KEYS>,
  Lists<GraphEdge, typeof EDGE_KEYS>,
  Lists<GraphLoop, typeof LOOP_KEYS>,
  Lists<TaskSpec, typeof TASK_KEYS>,
] = [true, true, true, true, true, true];

export const TAKES = ['last', 'all'] as const satisfies readonly NonNullable<GraphEdge['take']>[];
export const DIRECTIONS = ['forward', 'reverse'] as const satisfies readonly Direction[];

/** The type and range of one `training` key. */
export type TrainingField =
  | {
      readonly kind: 'number' | 'integer';
      readonly min: number;
      readonly max?: number;
      /** When set, `min` itself is refused (lr > 0). */
      readonly exclusiveMin?: true;
      /** When set, `max` itself is refused (beta < 1). */
      readonly exclusiveMax?: true;
      readonly doc: string;
    }
  | { readonly kind: 'enum'; readonly values: readonly string[]; readonly doc: string };

/** Every key of `TrainingSpec`, in the serializer's order, with its type and range. */
export const TRAINING_FIELDS = {
  optimizer: { kind: 'enum', values: ['sgd', 'momentum', 'adam'], doc: 'optimiser' },
  lr: { kind: 'number', min: 0, exclusiveMin: true, max: 10, doc: 'learning rate' },
  momentum: { kind: 'number', min: 0, max: 1, exclusiveMax: true, doc: 'momentum coefficient' },
  beta1: { kind: 'number', min: 0, max: 1, exclusiveMax: true, doc: 'Adam first-moment decay' },
  beta2: { kind: 'number', min: 0, max: 1, exclusiveMax: true, doc: 'Adam second-moment decay' },
  weightDecay: { kind: 'number', min: 0, doc: 'L2 weight decay' },
  batch: { kind: 'integer', min: 1, max: 65_536, doc: 'examples per step' },
  steps: { kind: 'integer', min: 1, max: 100_000_000, doc: 'optimiser steps' },
  clip: { kind: 'number', min: 0, doc: 'clip gradients by global norm; 0 turns clipping off' },
  truncate: { kind: 'integer', min: 0, max: 100_000, doc: 'truncated BPTT window in steps; 0 means full BPTT' },
  seed: { kind: 'integer', min: 0, max: 2 ** 32 - 1, doc: 'random seed' },
  evalEvery: { kind: 'integer', min: 1, doc: 'evaluate on the test split every this many steps' },
  linearStart: { kind: 'integer', min: 0, max: 100_000_000, doc: 'memory networks: the first this many steps run with every memory read linear (no softmax), MemN2N’s linear start; 0: none' },
  lrDecayStart: { kind: 'integer', min: 0, max: 100_000_000, doc: 'learning-rate decay: the step after which the lr falls linearly' },
  lrDecayEnd: { kind: 'integer', min: 0, max: 100_000_000, doc: 'learning-rate decay: the step at which the lr reaches lr × lrDecayFactor; off unless greater than lrDecayStart' },
  lrDecayFactor: { kind: 'number', min: 0, exclusiveMin: true, max: 1, doc: 'learning-rate decay: the final lr as a fraction of lr' },
} as const satisfies { readonly [K in keyof Required<TrainingSpec>]: TrainingField };

export const TRAINING_KEYS = Object.keys(TRAINING_FIELDS) as readonly (keyof TrainingSpec)[];

/** Why `value` does not fit `field`, or undefined. `wrongType` tells a type problem (E106) from a
 *  value outside the range or choices (E115). */
export function checkTrainingValue(field: TrainingField, value: unknown): { wrongType: boolean; why: string } | undefined {
  if (field.kind === 'enum') {
    if (typeof value !== 'string') return { wrongType: true, why: `must be a string, got ${typeName(value)}` };
    return field.values.includes(value) ? undefined : { wrongType: false, why: `must be one of ${field.values.map((v) => `"${v}"`).join(', ')}` };
  }
  if (typeof value !== 'number') return { wrongType: true, why: `must be a number, got ${typeName(value)}` };
  if (field.kind === 'integer' && !Number.isInteger(value)) return { wrongType: false, why: `must be an integer, got ${value}` };
  const lowOk = field.exclusiveMin ? value > field.min : value >= field.min;
  const highOk = field.max === undefined || (field.exclusiveMax ? value < field.max : value <= field.max);
  return lowOk && highOk ? undefined : { wrongType: false, why: `must be ${rangeText(field)}, got ${value}` };
}

function rangeText(f: Extract<TrainingField, { min: number }>): string {
  const low = `${f.exclusiveMin ? '>' : '≥'} ${f.min}`;
  if (f.max === undefined) return low;
  return `${low} and ${f.exclusiveMax ? '<' : '≤'} ${f.max}`;
}

/** "a string", "an array", "null"… for messages; never prints the value itself (it may be huge). */
export function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'object':
      return 'an object';
    case 'string':
      return 'a string';
    case 'number':
      return 'a number';
    case 'boolean':
      return 'a boolean';
    case 'undefined':
      return 'undefined';
    default:
      return `a ${typeof value}`;
  }
}

/**
 * Length in characters (Unicode code points), as JSON Schema's `maxLength` counts them, so that the
 * parser and the published schema agree on strings of emoji. Cheap when every unit is one character.
 */
export function textLength(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length - 1; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n--; // a surrogate pair is one character
      i++;
    }
  }
  return n;
}
