/**
 * When charts redraw. Metrics batches come ten times a second and each marks every chart dirty.
 * Without a GPU every frame the page renders costs main-thread time of its own (style, paint,
 * layerizing, the commit to the compositor) besides the canvas work, so redraws are spread and
 * folded into frames the page renders anyway:
 * - one chart per frame, the one waiting longest first;
 * - chart draws at least `SPACING_MS` apart, each chart at most every `MIN_INTERVAL_MS`;
 * - a draw that is due is made in the frame after the data change that asked for it (the frame
 *   that shows the new numbers of the run bar too), and only when the data stops coming does a
 *   timer (`GRACE_MS` after it is due) draw what is left.
 * A draw asked for "now" (a resize, a setting, a chart showing again) skips the spacing and the
 * interval: it is drawn in the next frame, one chart a frame.
 */

export interface Drawable {
  /** Draw if visible; false if it was not (it asks again when it shows: resized from 0, page visible). */
  draw(): boolean;
}

/** A chart redraws at most this often (ms) while data streams in (five charts: each about twice a second). */
export const MIN_INTERVAL_MS = 400;
/** Chart draws on the page are at least this far apart (ms), unless asked for now. */
export const SPACING_MS = 80;
/** A due draw waits this long (ms) for the next data change to draw in its frame, then draws on its own. */
export const GRACE_MS = 120;

/** Dirty charts in the order they became dirty (a Set keeps insertion order). */
const dirty = new Set<Drawable>();
/** Dirty charts asked for now. */
const urgent = new Set<Drawable>();
const lastDrawn = new WeakMap<Drawable, number>();
let lastDraw = -Infinity;
let frame = 0;
let timer: ReturnType<typeof setTimeout> | undefined;

/** When `d` may draw next (ms, performance clock). */
const dueAt = (d: Drawable): number => (urgent.has(d) ? -Infinity : Math.max((lastDrawn.get(d) ?? -Infinity) + MIN_INTERVAL_MS, lastDraw + SPACING_MS));

function schedule(): void {
  if (frame !== 0 || dirty.size === 0) return;
  const now = performance.now();
  let next = Infinity;
  for (const d of dirty) next = Math.min(next, dueAt(d));
  if (next <= now) {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    frame = requestAnimationFrame(flush);
  } else {
    timer ??= setTimeout(
      () => {
        timer = undefined;
        schedule();
      },
      next - now + GRACE_MS,
    );
  }
}

function flush(): void {
  frame = 0;
  const now = performance.now();
  for (const d of dirty) {
    if (dueAt(d) > now) continue;
    dirty.delete(d);
    urgent.delete(d);
    lastDrawn.set(d, now);
    // One chart a frame: the rest wait for their turn (their order is kept).
    if (d.draw()) {
      lastDraw = now;
      break;
    }
  }
  // Charts asked for now go on in the next frame; the others wait for data or their timer.
  if (urgent.size > 0) frame = requestAnimationFrame(flush);
  else schedule();
}

/** Redraw `d` soon (once, however often asked before it). */
export function requestDraw(d: Drawable): void {
  dirty.add(d);
  schedule();
}

/** Redraw `d` in the next frame, whenever it last drew (a resize, a chart showing again). */
export function requestDrawNow(d: Drawable): void {
  dirty.add(d);
  urgent.add(d);
  schedule();
}

export function cancelDraw(d: Drawable): void {
  dirty.delete(d);
  urgent.delete(d);
}
