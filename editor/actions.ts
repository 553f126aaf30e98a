/**
 * What menus, buttons and shortcuts do: each turns the current selection and view into one change
 * (one undo step) or a view action. Shared so the Edit menu and the keyboard do the same thing.
 */
import { getBlock } from '../blocks/registry.ts';
import type { GraphLoop } from '../runtime/graph/types.ts';
import { canvas } from './canvas-bridge.ts';
import { downloadGraph, fileNameFor } from './files.ts';
import { autoLayout, blockHeight, NODE_WIDTH } from './flow-model.ts';
import type { Change, Fragment, Point } from './model/changes.ts';
import { fragmentOf, fragmentOrigin, fragmentText, readFragment } from './model/clipboard.ts';
import { canOpen } from './model/composite-flow.ts';
import { baseIdFor, uniqueId } from './model/ids.ts';
import { currentDoc, dispatch, edgeEnds, getState, notify, select, setView } from './store.ts';

/** Sources and losses sit outside loops. */
export const outsideLoopsOnly = (type: string): boolean => type === 'input' || type === 'target' || type === 'loss';

/** Add a block of `type` with its top-left at `at` (centred there when `centered`); returns its id. */
export function addBlock(type: string, at: Point, opts: { centered?: boolean; loop?: string; connect?: (id: string) => Change | undefined } = {}): string | undefined {
  const doc = currentDoc();
  if (getBlock(type) === undefined) return undefined;
  const id = uniqueId(baseIdFor(type), (s) => doc.nodes.some((n) => n.id === s));
  const position = opts.centered ? { x: at.x - NODE_WIDTH / 2, y: at.y - blockHeight(type) / 2 } : at;
  const loop = opts.loop !== undefined && !outsideLoopsOnly(type) ? opts.loop : undefined;
  const add: Change = { type: 'addNode', node: { id, type, position, ...(loop !== undefined ? { loop } : {}) } };
  const wire = opts.connect?.(id);
  const ok = dispatch(wire ? { type: 'batch', label: `add ${id}`, changes: [add, wire] } : add, { selectAdded: true });
  return ok ? id : undefined;
}

export function deleteSelection(): void {
  const { selection } = getState();
  const edges = selection.edges.map(edgeEnds).filter((e) => e !== undefined);
  if (selection.nodes.length + edges.length + selection.loops.length === 0) return;
  dispatch({ type: 'deleteElements', nodes: selection.nodes, edges, loops: selection.loops });
}

/** The nodes to copy: the selected ones and the members of selected loops. */
function copiedIds(): string[] {
  const { selection } = getState();
  const doc = currentDoc();
  const loops = new Set(selection.loops);
  return doc.nodes.filter((n) => selection.nodes.includes(n.id) || (n.loop !== undefined && loops.has(n.loop))).map((n) => n.id);
}

/** The last fragment copied in this tab, with its references intact, and its clipboard text. */
let lastCopy: { text: string; fragment: Fragment } | undefined;

/** The clipboard text for the selection (undefined when nothing is selected). */
export function copySelection(): string | undefined {
  const ids = copiedIds();
  if (ids.length === 0) return undefined;
  const fragment = fragmentOf(currentDoc(), ids);
  const text = fragmentText(fragment);
  lastCopy = { text, fragment };
  return text;
}

export function cutSelection(): string | undefined {
  const text = copySelection();
  if (text !== undefined) dispatch({ type: 'deleteElements', nodes: copiedIds() }, { label: 'cut' });
  return text;
}

/** Paste clipboard text: at the pointer when it is over the canvas, else offset from the originals. */
export function pasteText(text: string): boolean {
  let fragment: Fragment;
  if (lastCopy !== undefined && lastCopy.text === text) fragment = lastCopy.fragment;
  else {
    const read = readFragment(text);
    if (!read.ok) {
      notify('error', `Nothing pasted: the clipboard does not hold a graph (${read.errors[0]?.code} ${read.errors[0]?.message ?? ''})`);
      return false;
    }
    fragment = read.fragment;
  }
  if (fragment.nodes.length === 0) return false;
  const origin = fragmentOrigin(fragment);
  const pointer = canvas()?.pointer();
  const offset = pointer !== undefined ? { x: pointer.x - origin.x, y: pointer.y - origin.y } : { x: 40, y: 40 };
  return dispatch({ type: 'paste', fragment, offset }, { selectAdded: true });
}

export function duplicateSelection(): void {
  const ids = copiedIds();
  if (ids.length === 0) return;
  dispatch({ type: 'paste', fragment: fragmentOf(currentDoc(), ids), offset: { x: 40, y: 40 } }, { selectAdded: true, label: 'duplicate' });
}

export function selectAll(): void {
  const doc = currentDoc();
  select({ nodes: doc.nodes.map((n) => n.id), edges: [], loops: [] });
}

export function tidyUp(): void {
  const { analysis } = getState();
  const doc = currentDoc();
  if (doc.nodes.length === 0) return;
  if (dispatch({ type: 'moveNodes', positions: autoLayout(doc, analysis) }, { label: 'auto-layout' })) setTimeout(() => canvas()?.fitView(), 0);
}

/**
 * Put the selected nodes (not sources or losses) into a new loop over the first sequence input.
 * With no block that can go into a loop selected it adds nothing and says so (an empty loop is
 * never what Ctrl+G meant).
 */
export function wrapInLoop(): void {
  const doc = currentDoc();
  const { selection } = getState();
  const members = doc.nodes.filter((n) => selection.nodes.includes(n.id) && !outsideLoopsOnly(n.type)).map((n) => n.id);
  if (members.length === 0) {
    notify('info', selection.nodes.length === 0 ? 'Nothing to wrap: select the blocks to put into a loop first.' : 'Nothing to wrap: inputs, targets and losses stay outside loops.');
    return;
  }
  const input = doc.nodes.find((n) => n.type === 'input' && n.params?.sequence !== false);
  const id = uniqueId('t', (s) => (doc.loops ?? []).some((l) => l.id === s));
  const loop: GraphLoop = input !== undefined ? { id, over: input.id } : { id, steps: 3 };
  if (dispatch({ type: 'addLoop', loop, nodes: members })) select({ nodes: [], edges: [], loops: [id] });
}

export function saveFile(): void {
  const { history } = getState();
  downloadGraph(history.doc, fileNameFor(history.doc, history.source.name));
}

export function openSelectedComposite(): boolean {
  const { selection } = getState();
  const id = selection.nodes.length === 1 ? selection.nodes[0]! : undefined;
  if (id === undefined || !canOpen(currentDoc(), id)) return false;
  setView({ composite: id });
  return true;
}
