/**
 * Every block type in the registry, grouped, with search. Drag an item onto the canvas, or press
 * Enter / click on it to add it in the middle of the view. Enter in the search box adds the first match.
 */
import { useState } from 'react';
import { addBlock } from '../actions.ts';
import { canvas } from '../canvas-bridge.ts';
import { allBlocks, BLOCK_MIME, CATEGORIES, searchBlocks } from '../palette-groups.ts';

function addAtCenter(type: string): void {
  const c = canvas()?.center() ?? { x: 0, y: 0 };
  addBlock(type, c, { centered: true });
}

export function Palette() {
  const [query, setQuery] = useState('');
  const found = searchBlocks(query, allBlocks);
  return (
    <nav className="palette" aria-label="Block palette">
      <h2 id="palette-heading">Blocks</h2>
      <input
        type="search"
        className="palette-search"
        placeholder="Search blocks…"
        aria-label="Search blocks"
        value={query}
        onChange={(e) => setQuery(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && found[0] !== undefined) addAtCenter(found[0].type);
          if (e.key === 'Escape') setQuery('');
        }}
      />
      {CATEGORIES.map(([category, heading]) => {
        const inGroup = found.filter((d) => d.category === category);
        if (inGroup.length === 0) return null;
        return (
          <section key={category} className="palette-group" aria-label={heading}>
            <h3>{heading}</h3>
            <ul className="palette-list">
              {inGroup.map((d) => (
                <li key={d.type}>
                  <button
                    type="button"
                    className={`palette-item cat-${category}`}
                    title={`${d.doc}\nDrag onto the canvas, or press Enter to add it in the middle.`}
                    draggable
                    data-testid={`palette-${d.type}`}
                    onDragStart={(e) => {
                      e.dataTransfer.setData(BLOCK_MIME, d.type);
                      e.dataTransfer.setData('text/plain', d.type);
                      e.dataTransfer.effectAllowed = 'copy';
                    }}
                    onClick={() => addAtCenter(d.type)}
                  >
                    <span>{d.title}</span> <code>{d.type}</code>
                  </button>
                </li>
              ))}
            </ul>
          </section>
        );
      })}
      {found.length === 0 ? <p className="muted">No block matches “{query}”.</p> : null}
    </nav>
  );
}
