/**
 * Focus for modal boxes (the shortcuts help, the data dialog): Tab stays inside, and when the box
 * closes the focus goes back to where it was when it opened.
 */
import { useEffect, useState, type RefObject } from 'react';

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

/**
 * While the component lives: Tab pressed anywhere (even on the page behind) lands inside `box`;
 * `focusFirst`, a selector inside the box, takes the focus on open; on close the focus returns to
 * the element that had it when the box opened (read while rendering, before anything inside takes it).
 */
export function useModalFocus(box: RefObject<HTMLElement | null>, focusFirst?: string): void {
  const [opener] = useState(() => document.activeElement);
  useEffect(() => {
    const el = box.current;
    if (focusFirst !== undefined) el?.querySelector<HTMLElement>(focusFirst)?.focus();
    return () => {
      // Only once the box is really gone (StrictMode's trial unmount leaves it in the page).
      setTimeout(() => {
        if (el?.isConnected !== true && opener instanceof HTMLElement && opener.isConnected) opener.focus();
      }, 0);
    };
  }, [box, focusFirst, opener]);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => trapTab(e, box.current);
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [box]);
}
