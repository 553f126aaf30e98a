/** The palette's groups and search, from the block registry. */
import { blockRegistry } from '../blocks/registry.ts';
import type { AnyBlockDef, BlockCategory } from '../blocks/types.ts';

/** Group headings, in palette order. */
export const CATEGORIES: readonly (readonly [BlockCategory, string])[] = [
  ['sources', 'Sources'],
  ['encdec', 'Encoder / decoder'],
  ['recurrent', 'Recurrent cells & delay'],
  ['elementwise', 'Gates & element-wise'],
  ['attention', 'Attention & memory'],
  ['loss', 'Loss'],
];

export const allBlocks: readonly AnyBlockDef[] = Object.values(blockRegistry);

/** Blocks whose type, title or description contain every word of `query`, best matches first. */
export function searchBlocks(query: string, among: readonly AnyBlockDef[] = allBlocks): AnyBlockDef[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return [...among];
  const score = (d: AnyBlockDef): number => {
    const head = `${d.type} ${d.title}`.toLowerCase();
    const all = `${head} ${d.doc} ${d.category}`.toLowerCase();
    if (!words.every((w) => all.includes(w))) return -1;
    if (d.type.toLowerCase().startsWith(words[0]!) || d.title.toLowerCase().startsWith(words[0]!)) return 3;
    return words.every((w) => head.includes(w)) ? 2 : 1;
  };
  return among
    .map((d) => [d, score(d)] as const)
    .filter(([, s]) => s >= 0)
    .sort((a, b) => b[1] - a[1])
    .map(([d]) => d);
}

/** The drag payload type a palette item carries. */
export const BLOCK_MIME = 'application/x-unroll-block';
