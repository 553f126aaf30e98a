/**
 * How often the canvas's block component rendered since the page loaded (or the last reset): the
 * browser tests read it through `window.__unroll.renders()` to check that a selection change or
 * an edit of one block does not redraw every block of a large graph. `canvas`: renders of the
 * canvas itself (a run starting, which locks the graph, must not re-render it).
 */
export const renderStats = { blockNode: 0, canvas: 0 };
