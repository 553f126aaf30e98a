/** The title bar with the Examples menu. */
import { useRef } from 'react';
import { exampleNames } from '../examples.ts';
import { openExample } from '../store.ts';

export function TopBar({ current }: { current: string | undefined }) {
  const menu = useRef<HTMLDetailsElement>(null);
  const choose = (name: string) => {
    openExample(name);
    // A <details> menu stays open after a click; close it like a menu would.
    if (menu.current) menu.current.open = false;
  };
  return (
    <header className="top-bar">
      <h1>Unroll</h1>
      <details className="menu" ref={menu}>
        <summary>Examples</summary>
        <ul role="menu" aria-label="Examples">
          {exampleNames.map((name) => (
            <li key={name} role="none">
              <button type="button" role="menuitem" aria-current={name === current} onClick={() => choose(name)}>
                {name}
              </button>
            </li>
          ))}
        </ul>
      </details>
      <span className="top-bar-note">read-only view</span>
    </header>
  );
}
