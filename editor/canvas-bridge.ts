/**
 * What the canvas lends the rest of the page (menus, shortcuts, the problems list): its viewport.
 * The canvas registers itself on mount; without a canvas (tests of pure code) these do nothing.
 */
import type { Point } from './model/changes.ts';

export interface CanvasBridge {
  /** Select nothing else, centre the view on node `id`. */
  focusNode(id: string): void;
  fitView(): void;
  /** The flow position at the middle of the visible canvas. */
  center(): Point;
  /** The last pointer position over the canvas, in flow coordinates, if the pointer is there. */
  pointer(): Point | undefined;
  /** Open the search-and-add menu at the pointer (or the centre). */
  openAddMenu(): void;
}

let bridge: CanvasBridge | undefined;

export function registerCanvas(b: CanvasBridge | undefined): void {
  bridge = b;
}

export function canvas(): CanvasBridge | undefined {
  return bridge;
}
