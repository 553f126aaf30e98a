/** The keyboard shortcuts, shown with `?`. */
import { useEffect, useRef, useState } from 'react';
import { setView } from '../store.ts';

export const SHORTCUTS: readonly (readonly [string, string])[] = [
  ['Ctrl/⌘ Z', 'Undo'],
  ['Ctrl/⌘ Shift Z, Ctrl Y', 'Redo'],
  ['Delete, Backspace', 'Delete the selection (one undo step)'],
  ['Ctrl/⌘ C, X, V', 'Copy, cut, paste (as graph JSON; works between tabs)'],
  ['Ctrl/⌘ D', 'Duplicate the selection'],
  ['Ctrl/⌘ A', 'Select all blocks'],
  ['Shift-drag, Shift/Ctrl-click', 'Box-select, add to the selection'],
  ['Shift A, double-click the canvas', 'Search and add a block'],
  ['Drag a wire to empty canvas', 'Search and add a block wired to it'],
  ['Ctrl/⌘ G', 'Wrap the selection in a loop'],
  ['L', 'Auto-layout'],
  ['F', 'Fit the graph into view'],
  ['G', 'Snap to grid on/off'],
  ['U', 'Unrolled view on/off'],
  ['Enter, double-click a cell', 'Open a GRU or LSTM to see its gates'],
  ['Escape', 'Back from a cell; close menus and dialogs; clear the selection'],
  ['Ctrl/⌘ S', 'Save (download) the graph'],
  ['Ctrl/⌘ O', 'Open a graph file (or drop one on the canvas)'],
  ['?', 'This help'],
];

/** The elements Tab can reach inside `box`, in order. */
function tabbable(box: HTMLElement): HTMLElement[] {
  return [...box.querySelectorAll<HTMLElement>('a[href], button, input, select, textarea, summary, [tabindex]')].filter(
    (el) => !(el as HTMLButtonElement).disabled && el.tabIndex >= 0 && el.getClientRects().length > 0,
  );
}

/**
 * Keep Tab inside the dialog (it is modal): from the last element to the first and back, and into
 * the dialog when the focus is somewhere else. Pure DOM, so it is shared by every modal box.
 */
export function trapTab(e: { key: string; shiftKey: boolean; preventDefault: () => void }, box: HTMLElement | null): void {
  if (e.key !== 'Tab' || box === null) return;
  const items = tabbable(box);
  const first = items[0];
  const last = items[items.length - 1];
  if (first === undefined || last === undefined) {
    e.preventDefault();
    return;
  }
  const at = document.activeElement;
  const inside = at instanceof Node && box.contains(at);
  if (!inside || (e.shiftKey && at === first) || (!e.shiftKey && at === last)) {
    e.preventDefault();
    (e.shiftKey ? last : first).focus();
  }
}

export function HelpOverlay() {
  const box = useRef<HTMLDivElement>(null);
  // Where the focus was when the dialog opened (read while rendering, before Close takes it), and
  // where it goes back to when the dialog closes.
  const [opener] = useState(() => document.activeElement);
  useEffect(() => {
    const el = box.current;
    return () => {
      // Only once the dialog is really gone (StrictMode's trial unmount leaves it in the page).
      setTimeout(() => {
        if (el?.isConnected !== true && opener instanceof HTMLElement && opener.isConnected) opener.focus();
      }, 0);
    };
  }, [opener]);
  // Tab pressed while the focus is outside the box (e.g. on the page behind) still lands inside.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => trapTab(e, box.current);
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);
  return (
    <div className="overlay" role="dialog" aria-modal="true" aria-labelledby="help-heading" data-testid="help" onClick={() => setView({ help: false })}>
      <div className="overlay-box" ref={box} onClick={(e) => e.stopPropagation()}>
        <h2 id="help-heading">Keyboard shortcuts</h2>
        <table>
          <tbody>
            {SHORTCUTS.map(([keys, what]) => (
              <tr key={keys}>
                <th scope="row">
                  <kbd>{keys}</kbd>
                </th>
                <td>{what}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <button type="button" onClick={() => setView({ help: false })} autoFocus>
          Close
        </button>
      </div>
    </div>
  );
}
