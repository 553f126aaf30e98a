/**
 * Colours of the charts. A run's colour is fixed by its id, so a run keeps it while others come
 * and go; the eight are distinguishable from each other (and in greyscale, in pairs) on white.
 */
const RUN_COLOURS = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#ca8a04', '#db2777'] as const;

/** The colour of run `id` (1-based). */
export const runColour = (id: number): string => RUN_COLOURS[(((id - 1) % RUN_COLOURS.length) + RUN_COLOURS.length) % RUN_COLOURS.length]!;

/** Colours of the gates of the focus run on the gate chart (by gate, in order). */
const GATE_COLOURS = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2'] as const;
export const gateColour = (k: number): string => GATE_COLOURS[k % GATE_COLOURS.length]!;

/** Dash patterns (px) telling a run's recurrent states apart (`h` solid, `c` dashed, …). */
const DASHES: readonly (readonly number[])[] = [[], [6, 3], [2, 2], [8, 3, 2, 3]];
export const stateDash = (k: number): readonly number[] => DASHES[k % DASHES.length]!;

/** `#rrggbb` at opacity `a` (for a run's raw curve behind its smoothed one). */
export function withAlpha(hex: string, a: number): string {
  const n = Number.parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${a})`;
}

/** The clipping threshold and clipped steps. */
export const CLIP_COLOUR = '#6b7280';
export const CLIPPED_COLOUR = '#dc2626';
