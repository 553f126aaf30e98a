/**
 * How often the canvas's block component rendered since the page loaded (or the last reset): the
 * browser tests read it through `window.__unroll.renders()` to check that a selection change or
 * an edit of one block does not redraw every block of a large graph.
 */
export const renderStats = { blockNode: 0 };
