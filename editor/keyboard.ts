/**
 * Page-wide shortcuts and clipboard events (see HelpOverlay for the list). Typing in a text field
 * never triggers them; copy/cut/paste use the browser's clipboard events, so pasting works between
 * tabs without a permission prompt.
 *
 * Where a key goes:
 * - In a text field (text-like <input>, <textarea>, contenteditable) no shortcut fires.
 * - Modifier shortcuts (Ctrl/⌘ Z, Y, S, O, D, A, G) work everywhere else, a focused <select> or
 *   checkbox included.
 * - Enter opens the selected cell only when it is aimed at the canvas, a node or the page itself
 *   (body): on a button, link, menu or option it is that control's own Enter.
 * - Other single keys (L, F, G, U, ?, Delete, Shift A) do not fire on controls that take typed
 *   keys themselves (a <select>'s type-ahead, listboxes, menus, options); on the canvas, the body
 *   and plain buttons they do (a button keeps the focus after a click, e.g. in the Problems list).
 */
import {
  copySelection,
  cutSelection,
  deleteSelection,
  duplicateSelection,
  openSelectedComposite,
  pasteText,
  saveFile,
  selectAll,
  tidyUp,
  wrapInLoop,
} from './actions.ts';
import { canvas } from './canvas-bridge.ts';
import { clearImportProblem, getState, redoEdit, select, setView, undoEdit } from './store.ts';

/** <input> types that are not typed into. */
const NON_TEXT_INPUTS = new Set(['checkbox', 'radio', 'button', 'submit', 'reset', 'file', 'color', 'range', 'image', 'hidden']);

/** Typing into a text field: an editable element, a textarea, or an <input> that takes text. */
export function typing(target: EventTarget | null): boolean {
  if (!(target instanceof Element)) return false;
  if (target instanceof HTMLElement && target.isContentEditable) return true;
  if (target.tagName === 'TEXTAREA') return true;
  return target.tagName === 'INPUT' && !NON_TEXT_INPUTS.has(((target as HTMLInputElement).type || 'text').toLowerCase());
}

/** A control that reads plain keys itself (type-ahead): single-key shortcuts leave it alone. */
const TYPEAHEAD = 'select, option, [role=listbox], [role=option], [role=combobox], [role=menu], [role=menuitem], [role=menuitemcheckbox], [role=menuitemradio]';

/** Anything Enter activates (or that reads keys itself); Enter on it is its own. */
const CONTROL = `button, a[href], summary, input, textarea, [role=button], [role=link], [role=checkbox], [role=switch], [role=tab], [role=slider], ${TYPEAHEAD}`;

/** The key is aimed at the page itself or at the graph (the canvas, a node or wire), not at a control. */
export function aimedAtCanvas(target: EventTarget | null): boolean {
  if (!(target instanceof Element)) return true;
  if (target === document.body || target === document.documentElement) return true;
  if (target.closest('.react-flow') === null) return false;
  return target.closest(CONTROL) === null;
}

/** A plain (single-key) shortcut may fire for this target. */
const plainKeyTarget = (target: EventTarget | null): boolean => !(target instanceof Element) || target.closest(TYPEAHEAD) === null;

/** A page-level text selection (the user copying words from a panel) takes precedence over the graph. */
const textSelected = (): boolean => {
  const s = document.getSelection();
  return s !== null && !s.isCollapsed && s.toString().trim() !== '';
};

/** Focus is on the canvas (a node, a wire, the pane): copy means the selected graph elements. */
const focusInCanvas = (): boolean => document.activeElement instanceof Element && document.activeElement.closest('.react-flow') !== null;

export function onKeyDown(e: KeyboardEvent): void {
  if (typing(e.target)) return;
  const { view, importProblem } = getState();
  const mod = e.ctrlKey || e.metaKey;
  const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
  const run = (f: () => void) => {
    e.preventDefault();
    f();
  };
  if (key === 'Escape') {
    if (view.help) return run(() => setView({ help: false }));
    if (importProblem !== undefined) return run(clearImportProblem);
    if (view.composite !== undefined) return run(() => setView({ composite: undefined }));
    // A <select> or menu takes its own Escape; elsewhere Escape clears the selection.
    if (!plainKeyTarget(e.target)) return;
    return run(() => select({ nodes: [], edges: [], loops: [] }));
  }
  if (view.help) return;
  if (mod && key === 'z') return run(e.shiftKey ? redoEdit : undoEdit);
  if (mod && key === 'y') return run(redoEdit);
  if (mod && key === 's') return run(saveFile);
  if (mod && key === 'o') return run(() => document.querySelector<HTMLInputElement>('[data-testid=file-input]')?.click());
  if (view.composite !== undefined) return;
  if (mod && key === 'd') return run(duplicateSelection);
  // Selecting every block ends a text selection on the page, so Ctrl+C then copies the blocks.
  if (mod && key === 'a')
    return run(() => {
      document.getSelection()?.removeAllRanges();
      selectAll();
    });
  if (mod && key === 'g') return run(wrapInLoop);
  if (mod || e.altKey) return;
  if (key === 'Enter') {
    if (aimedAtCanvas(e.target) && openSelectedComposite()) e.preventDefault();
    return;
  }
  if (!plainKeyTarget(e.target)) return;
  if (key === 'Delete' || key === 'Backspace') return run(deleteSelection);
  if (key === '?') return run(() => setView({ help: true }));
  if (e.shiftKey && key === 'a') return run(() => canvas()?.openAddMenu());
  if (e.shiftKey) return;
  if (key === 'l') return run(tidyUp);
  if (key === 'f') return run(() => canvas()?.fitView());
  if (key === 'g') return run(() => setView({ snap: !getState().view.snap }));
  if (key === 'u') return run(() => setView({ unrolled: !getState().view.unrolled }));
}

function clipboardTarget(e: ClipboardEvent): boolean {
  return !typing(e.target) && getState().view.composite === undefined && !getState().view.help;
}

export function onCopy(e: ClipboardEvent, cut = false): void {
  // Words selected on the page are copied as text, unless the focus is on the canvas (the user
  // clicked a node after selecting them; the canvas also clears the page selection on pointerdown).
  if (!clipboardTarget(e) || (textSelected() && !focusInCanvas())) return;
  const text = cut ? cutSelection() : copySelection();
  if (text === undefined) return;
  e.clipboardData?.setData('text/plain', text);
  e.preventDefault();
}

export function onPaste(e: ClipboardEvent): void {
  if (!clipboardTarget(e)) return;
  const text = e.clipboardData?.getData('text/plain') ?? '';
  if (text.trim() === '') return;
  e.preventDefault();
  pasteText(text);
}

/** Install the listeners on `doc`; returns their removal. */
export function installShortcuts(doc: Document): () => void {
  const cut = (e: ClipboardEvent) => onCopy(e, true);
  doc.addEventListener('keydown', onKeyDown);
  doc.addEventListener('copy', onCopy as (e: Event) => void);
  doc.addEventListener('cut', cut as (e: Event) => void);
  doc.addEventListener('paste', onPaste);
  return () => {
    doc.removeEventListener('keydown', onKeyDown);
    doc.removeEventListener('copy', onCopy as (e: Event) => void);
    doc.removeEventListener('cut', cut as (e: Event) => void);
    doc.removeEventListener('paste', onPaste);
  };
}
