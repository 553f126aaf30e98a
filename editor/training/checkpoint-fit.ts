/**
 * What a stored checkpoint is of, kept beside it in the browser's store so that the checkpoint
 * list can tell, before the worker is asked, one the open graph cannot restore and why: the
 * graph's computation (a hash of the key the session reloads on: blocks, params, wiring, loops,
 * task, data file) and its training settings. The worker checks again on restore
 * (runtime/train/checkpoint.ts: graph fingerprint, task, run settings); this is the list's word.
 */
import type { TrainingSpec } from '../../runtime/graph/types.ts';
import { lrSchedule } from '../../runtime/train/lr-schedule.ts';
import { TRAINING_DEFAULTS } from '../../runtime/train/training-defaults.ts';

export interface CheckpointFit {
  /** `hashKey` of the computation's key (session.ts's `modelKey`): 8 hex digits. */
  readonly computation: string;
  /** Every training setting of the run, defaults filled in. */
  readonly settings: Required<TrainingSpec>;
}

/** Settings a checkpoint does not fix (the worker's check leaves them out too): how long to train, how often to evaluate, the linear start. */
const FREE: ReadonlySet<string> = new Set<keyof TrainingSpec>(['steps', 'evalEvery', 'linearStart']);
/** Compared as one schedule (as the worker does): every way of writing "no decay" is the same. */
const DECAY: ReadonlySet<string> = new Set<keyof TrainingSpec>(['lrDecayStart', 'lrDecayEnd', 'lrDecayFactor']);

const sameSchedule = (a: TrainingSpec, b: TrainingSpec): boolean => JSON.stringify(lrSchedule(a)) === JSON.stringify(lrSchedule(b));

/** FNV-1a over the UTF-16 code units of `text`, as 8 hex digits (a short stored key, not a security hash). */
export function hashKey(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16).padStart(8, '0');
}

/**
 * Why a checkpoint of `saved` cannot be restored into the open graph (`open`), in words; undefined
 * when it fits, or when `saved` is unknown (stored before checkpoints kept it: Restore checks).
 */
export function checkpointMisfit(saved: CheckpointFit | undefined, open: CheckpointFit): string | undefined {
  if (saved === undefined) return undefined;
  if (saved.computation !== open.computation) return 'of another graph: its blocks, wiring, task or data differ from the open graph’s';
  // Settings stored before a field existed read as its default.
  const a: TrainingSpec = { ...TRAINING_DEFAULTS, ...saved.settings };
  const b: TrainingSpec = { ...TRAINING_DEFAULTS, ...open.settings };
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])] as (keyof TrainingSpec)[];
  const decayDiffers = !sameSchedule(a, b);
  const differ = keys.filter((k) => !FREE.has(k) && (DECAY.has(k) ? decayDiffers && a[k] !== b[k] : a[k] !== b[k]));
  if (differ.length === 0) return undefined;
  return `trained with other settings: ${differ.map((k) => `${k} ${String(a[k])} (the open graph has ${String(b[k])})`).join(', ')}`;
}
