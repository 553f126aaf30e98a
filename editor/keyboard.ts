/**
 * Page-wide shortcuts and clipboard events (see HelpOverlay for the list). Typing in a field never
 * triggers them; copy/cut/paste use the browser's clipboard events, so pasting works between tabs
 * without a permission prompt.
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

/** Typing into a form control or an editable element. */
function typing(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName);
}

/** A page-level text selection (the user copying words from a panel) takes precedence over the graph. */
const textSelected = (): boolean => {
  const s = document.getSelection();
  return s !== null && !s.isCollapsed && s.toString().trim() !== '';
};

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
    return run(() => select({ nodes: [], edges: [], loops: [] }));
  }
  if (view.help) return;
  if (mod && key === 'z') return run(e.shiftKey ? redoEdit : undoEdit);
  if (mod && key === 'y') return run(redoEdit);
  if (mod && key === 's') return run(saveFile);
  if (mod && key === 'o') return run(() => document.querySelector<HTMLInputElement>('[data-testid=file-input]')?.click());
  if (view.composite !== undefined) return;
  if (mod && key === 'd') return run(duplicateSelection);
  if (mod && key === 'a') return run(selectAll);
  if (mod && key === 'g') return run(wrapInLoop);
  if (mod || e.altKey) return;
  if (key === 'Delete' || key === 'Backspace') return run(deleteSelection);
  if (key === '?') return run(() => setView({ help: true }));
  if (e.shiftKey && key === 'a') return run(() => canvas()?.openAddMenu());
  if (e.shiftKey) return;
  if (key === 'l') return run(tidyUp);
  if (key === 'f') return run(() => canvas()?.fitView());
  if (key === 'g') return run(() => setView({ snap: !getState().view.snap }));
  if (key === 'u') return run(() => setView({ unrolled: !getState().view.unrolled }));
  if (key === 'Enter' && openSelectedComposite()) e.preventDefault();
}

function clipboardTarget(e: ClipboardEvent): boolean {
  return !typing(e.target) && getState().view.composite === undefined && !getState().view.help;
}

export function onCopy(e: ClipboardEvent, cut = false): void {
  if (!clipboardTarget(e) || textSelected()) return;
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
