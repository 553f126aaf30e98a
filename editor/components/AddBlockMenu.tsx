/**
 * Search-and-add: opened by double-clicking the canvas, by dropping a wire on empty canvas, or by
 * Shift+A. Type to filter, arrows to choose, Enter to add, Escape to close. The search field is an
 * ARIA combobox: it controls the listbox of matches and names the highlighted option with
 * aria-activedescendant, so a screen reader follows the arrows while focus stays in the field.
 */
import { useEffect, useId, useRef, useState } from 'react';
import type { AnyBlockDef } from '../../blocks/types.ts';
import { searchBlocks } from '../palette-groups.ts';

export interface AddBlockMenuProps {
  /** Where to open, in page pixels. */
  readonly at: { readonly x: number; readonly y: number };
  /** The blocks on offer (all, or those that can take the dragged wire). */
  readonly blocks: readonly AnyBlockDef[];
  readonly title: string;
  readonly onPick: (type: string) => void;
  readonly onClose: () => void;
}

export function AddBlockMenu({ at, blocks, title, onPick, onClose }: AddBlockMenuProps) {
  const [query, setQuery] = useState('');
  const [active, setActive] = useState(0);
  const input = useRef<HTMLInputElement>(null);
  const listId = useId();
  const optionId = (type: string) => `${listId}-${type}`;
  const found = searchBlocks(query, blocks);
  const current = found[Math.min(active, found.length - 1)];
  useEffect(() => input.current?.focus(), []);
  // Keep the highlighted option in view while the arrows move it.
  useEffect(() => {
    if (current === undefined) return;
    document.getElementById(optionId(current.type))?.scrollIntoView?.({ block: 'nearest' });
  });
  const pick = (d: AnyBlockDef | undefined) => {
    if (d !== undefined) onPick(d.type);
  };
  return (
    <div
      className="add-menu"
      role="dialog"
      aria-label={title}
      style={{ left: at.x, top: at.y }}
      onBlur={(e) => {
        if (!e.currentTarget.contains(e.relatedTarget as Node | null)) onClose();
      }}
    >
      <div className="add-menu-title">{title}</div>
      <input
        ref={input}
        type="search"
        role="combobox"
        aria-label="Search blocks to add"
        aria-autocomplete="list"
        aria-expanded={found.length > 0}
        aria-controls={listId}
        aria-activedescendant={current !== undefined ? optionId(current.type) : undefined}
        placeholder="Search blocks…"
        value={query}
        onChange={(e) => {
          setQuery(e.target.value);
          setActive(0);
        }}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown') {
            e.preventDefault();
            setActive((a) => Math.min(a + 1, found.length - 1));
          } else if (e.key === 'ArrowUp') {
            e.preventDefault();
            setActive((a) => Math.max(a - 1, 0));
          } else if (e.key === 'Home' && e.ctrlKey) {
            e.preventDefault();
            setActive(0);
          } else if (e.key === 'End' && e.ctrlKey) {
            e.preventDefault();
            setActive(found.length - 1);
          } else if (e.key === 'Enter') {
            e.preventDefault();
            pick(current);
          } else if (e.key === 'Escape') {
            e.preventDefault();
            onClose();
          }
        }}
      />
      <ul role="listbox" id={listId} aria-label="Blocks">
        {found.map((d) => (
          <li
            key={d.type}
            id={optionId(d.type)}
            role="option"
            aria-selected={d === current}
            className={d === current ? 'active' : ''}
            title={d.doc}
            onMouseEnter={() => setActive(found.indexOf(d))}
            onMouseDown={(e) => e.preventDefault()}
            onClick={() => pick(d)}
          >
            {d.title} <code>{d.type}</code>
          </li>
        ))}
      </ul>
      {found.length === 0 ? (
        <p className="muted add-menu-empty" role="status">
          no match
        </p>
      ) : null}
    </div>
  );
}
