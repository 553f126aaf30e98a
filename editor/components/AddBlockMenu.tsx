/**
 * Search-and-add: opened by double-clicking the canvas, by dropping a wire on empty canvas, or by
 * Shift+A. Type to filter, arrows to choose, Enter to add, Escape to close.
 */
import { useEffect, useRef, useState } from 'react';
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
  const found = searchBlocks(query, blocks);
  useEffect(() => input.current?.focus(), []);
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
        aria-label="Search blocks to add"
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
          } else if (e.key === 'Enter') {
            e.preventDefault();
            pick(found[active]);
          } else if (e.key === 'Escape') {
            e.preventDefault();
            onClose();
          }
        }}
      />
      <ul role="listbox" aria-label="Blocks">
        {found.map((d, i) => (
          <li
            key={d.type}
            role="option"
            aria-selected={i === active}
            className={i === active ? 'active' : ''}
            title={d.doc}
            onMouseEnter={() => setActive(i)}
            onMouseDown={(e) => e.preventDefault()}
            onClick={() => pick(d)}
          >
            {d.title} <code>{d.type}</code>
          </li>
        ))}
        {found.length === 0 ? <li className="muted">no match</li> : null}
      </ul>
    </div>
  );
}
