/**
 * Undo and redo from immer patches. Each applied change is one step holding the patches that redo
 * it and the inverse patches that undo it, so a paste of twenty nodes or a multi-delete is one step.
 * Pure: every function returns a new History.
 */
import { applyPatches, enablePatches, produceWithPatches, type Draft, type Patch } from 'immer';
import type { GraphDoc } from '../../runtime/graph/types.ts';
import { applyChange, describeChange, EditError, type Change } from './changes.ts';

enablePatches();

/** Where the open document came from (shown in the title; kept with each step so undo restores it). */
export interface DocSource {
  readonly kind: 'example' | 'file' | 'new' | 'draft';
  /** Example name, file name, or `untitled`. */
  readonly name: string;
}

export interface Step {
  readonly label: string;
  readonly patches: readonly Patch[];
  readonly inverse: readonly Patch[];
  readonly sourceBefore: DocSource;
  readonly sourceAfter: DocSource;
}

export interface History {
  readonly doc: GraphDoc;
  readonly source: DocSource;
  /** Oldest first; the last one is undone next. */
  readonly past: readonly Step[];
  /** The next one redone is the last one. */
  readonly future: readonly Step[];
}

/** Steps kept; older ones are forgotten. */
export const MAX_STEPS = 500;

export function startHistory(doc: GraphDoc, source: DocSource): History {
  return { doc, source, past: [], future: [] };
}

export type EditResult = { readonly ok: true; readonly history: History; readonly changed: boolean } | { readonly ok: false; readonly error: string };

/**
 * Apply `change` as a new step (clearing redo). A change that alters nothing adds no step. A change
 * the document cannot take (EditError) leaves the history as it was and says why.
 */
export function edit(h: History, change: Change, source: DocSource = h.source, label: string = describeChange(change)): EditResult {
  let next: GraphDoc;
  let patches: Patch[];
  let inverse: Patch[];
  try {
    [next, patches, inverse] = produceWithPatches(h.doc, (d) => applyChange(d, change) as Draft<GraphDoc> | undefined);
  } catch (e) {
    if (e instanceof EditError) return { ok: false, error: e.message };
    throw e;
  }
  if (patches.length === 0 && source === h.source) return { ok: true, history: h, changed: false };
  const step: Step = { label, patches, inverse, sourceBefore: h.source, sourceAfter: source };
  const past = [...h.past, step];
  return { ok: true, changed: true, history: { doc: next, source, past: past.length > MAX_STEPS ? past.slice(-MAX_STEPS) : past, future: [] } };
}

export const canUndo = (h: History): boolean => h.past.length > 0;
export const canRedo = (h: History): boolean => h.future.length > 0;

export function undo(h: History): History {
  const step = h.past[h.past.length - 1];
  if (step === undefined) return h;
  return { doc: applyPatches(h.doc, step.inverse as Patch[]), source: step.sourceBefore, past: h.past.slice(0, -1), future: [...h.future, step] };
}

export function redo(h: History): History {
  const step = h.future[h.future.length - 1];
  if (step === undefined) return h;
  return { doc: applyPatches(h.doc, step.patches as Patch[]), source: step.sourceAfter, past: [...h.past, step], future: h.future.slice(0, -1) };
}
