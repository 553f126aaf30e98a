/** Every block type in the registry, grouped by category. Read-only for now (drag-to-add comes with editing). */
import { blockRegistry } from '../../blocks/registry.ts';
import type { AnyBlockDef, BlockCategory } from '../../blocks/types.ts';

/** Group headings, in palette order. */
const CATEGORIES: readonly (readonly [BlockCategory, string])[] = [
  ['sources', 'Sources'],
  ['encdec', 'Encoders & decoders'],
  ['recurrent', 'Recurrent'],
  ['elementwise', 'Element-wise'],
  ['attention', 'Attention & memory'],
  ['loss', 'Loss'],
];

export function Palette() {
  const defs: readonly AnyBlockDef[] = Object.values(blockRegistry);
  return (
    <section className="panel-section" aria-labelledby="palette-heading">
      <h2 id="palette-heading">Blocks</h2>
      {CATEGORIES.map(([category, heading]) => {
        const inGroup = defs.filter((d) => d.category === category);
        if (inGroup.length === 0) return null;
        return (
          <div key={category} className="palette-group">
            <h3>{heading}</h3>
            <ul className="palette-list">
              {inGroup.map((d) => (
                <li key={d.type} className={`palette-item cat-${category}`} title={d.doc}>
                  <span>{d.title}</span> <code>{d.type}</code>
                </li>
              ))}
            </ul>
          </div>
        );
      })}
    </section>
  );
}
