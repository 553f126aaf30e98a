/** The keyboard shortcuts, shown with `?`. */
import { useRef } from 'react';
import { setView } from '../store.ts';
import { useModalFocus } from './modal-focus.ts';

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

export function HelpOverlay() {
  const box = useRef<HTMLDivElement>(null);
  useModalFocus(box);
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
