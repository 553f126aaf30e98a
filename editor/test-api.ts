/**
 * `window.__unroll`: a small typed handle for browser tests (and curious users in the console)
 * to drive the editor and read what it shows without scraping the DOM.
 */
import { analysisCounts } from './counts.ts';
import { exampleNames } from './examples.ts';
import { buildFlow } from './flow-model.ts';
import { getState, openExample } from './store.ts';

/** What is open, as the test API reports it. */
export interface CurrentGraph {
  /** The example name it was opened as (one of `examples()`). */
  readonly name: string;
  /** The graph's own `name` field; undefined when the file was refused. */
  readonly graphName: string | undefined;
  /** Parsed and validated without errors. */
  readonly ok: boolean;
  /** Codes of the parse or validation errors, in order. */
  readonly errorCodes: readonly string[];
  readonly counts: { readonly nodes: number; readonly edges: number; readonly weights: number; readonly parameters: number };
  /** Node ids in document order. */
  readonly nodeIds: readonly string[];
  /** Loops drawn as frames on the canvas (each adds one React Flow node). */
  readonly frames: readonly string[];
}

export interface UnrollTestApi {
  /** Example names, in menu order. */
  examples(): string[];
  /** Open an example; throws for a name `examples()` does not list. */
  open(name: string): void;
  /** What is open, or throws when nothing is (no examples shipped). */
  current(): CurrentGraph;
}

declare global {
  interface Window {
    __unroll?: UnrollTestApi;
  }
}

function current(): CurrentGraph {
  const open = getState().open;
  if (open === undefined) throw new Error('no graph is open');
  const { doc, analysis, errors } = open;
  return {
    name: open.name,
    graphName: doc?.name,
    ok: doc !== undefined && analysis !== undefined && analysis.ok && open.failure === undefined,
    errorCodes: errors.map((e) => e.code),
    counts: analysisCounts(open),
    nodeIds: doc?.nodes.map((n) => n.id) ?? [],
    frames: doc ? buildFlow(doc, analysis, errors).frames : [],
  };
}

/** Install `window.__unroll`. */
export function installTestApi(target: Window): void {
  target.__unroll = { examples: () => [...exampleNames], open: openExample, current };
}
