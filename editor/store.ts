/**
 * The editor's one store: which document is open and what validation says about it. Components
 * read it through `useEditor` and never keep graph state of their own, so later work (editing,
 * undo/redo, training) changes the document here, in one place, with immer `produce`.
 */
import { produce, type Draft } from 'immer';
import type { UnrollError } from '../runtime/errors/catalogue.ts';
import { parseGraph } from '../runtime/graph/parse.ts';
import type { GraphDoc } from '../runtime/graph/types.ts';
import type { GraphAnalysis } from '../runtime/validate/types.ts';
import { analyzeGraph } from '../runtime/validate/validate.ts';
import { exampleSources } from './examples.ts';

/** A document as the editor holds it. */
export interface OpenGraph {
  /** What it was opened as: an example name for now, a file name later. */
  readonly name: string;
  /** The parsed document; undefined when the file was refused (see `errors`). */
  readonly doc: GraphDoc | undefined;
  /** Validation of `doc`; undefined when there is no doc. */
  readonly analysis: GraphAnalysis | undefined;
  /** Why the file was refused (parse errors) or why the graph is invalid (validation errors). */
  readonly errors: readonly UnrollError[];
  /** Set when validation itself crashed (a bug, never the user's fault): the message to show. */
  readonly failure?: string;
}

export interface EditorState {
  readonly open: OpenGraph | undefined;
}

let state: EditorState = { open: undefined };
const listeners = new Set<() => void>();

/** The current state (a frozen snapshot; replace it through the functions below). */
export function getState(): EditorState {
  return state;
}

/** Call `listener` after every change; returns the unsubscribe function (useSyncExternalStore's shape). */
export function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function update(recipe: (draft: Draft<EditorState>) => void): void {
  state = produce(state, recipe);
  for (const l of listeners) l();
}

/** Parse and validate `text`; a parse failure gives an OpenGraph with no doc and the parse errors. */
export function readGraph(name: string, text: string): OpenGraph {
  const parsed = parseGraph(text);
  if (!parsed.ok) return { name, doc: undefined, analysis: undefined, errors: parsed.errors };
  return { name, ...analyse(parsed.value) };
}

/** Validation never throws by contract; if it does anyway, say so on the page instead of going blank. */
function analyse(doc: GraphDoc): Omit<OpenGraph, 'name'> {
  try {
    const analysis = analyzeGraph(doc);
    return { doc, analysis, errors: analysis.errors };
  } catch (e) {
    console.error('analyzeGraph threw', e);
    return { doc, analysis: undefined, errors: [], failure: `validation crashed: ${String(e)}` };
  }
}

/** Open the bundled example `name`. Nothing is edited yet, so replacing what is open loses nothing. */
export function openExample(name: string): void {
  const text = exampleSources.get(name);
  if (text === undefined) throw new Error(`no example named ${JSON.stringify(name)}`);
  const open = readGraph(name, text);
  // The analysis holds Maps; immer freezes them too, which is what we want for a snapshot.
  update((d) => {
    d.open = open as Draft<OpenGraph>;
  });
}
