/**
 * The example graphs shipped in examples/*.json, bundled as raw text so the editor reads them
 * through the same parser as a user's file (and so a broken example shows its errors, not a crash).
 */

// Vite inlines every example at build time; keys are paths like '../examples/lstm.json'.
const files = import.meta.glob<string>('../examples/*.json', { query: '?raw', import: 'default', eager: true });

/** Example name ('lstm') → file text, sorted by name. */
export const exampleSources: ReadonlyMap<string, string> = new Map(
  Object.entries(files)
    .map(([path, text]) => [path.replace(/^.*\//, '').replace(/\.json$/, ''), text] as const)
    .sort(([a], [b]) => a.localeCompare(b)),
);

/** Every example name, in menu order. */
export const exampleNames: readonly string[] = [...exampleSources.keys()];

/** The example opened on load: the LSTM when shipped, else the first one. */
export const defaultExample: string | undefined = exampleSources.has('lstm') ? 'lstm' : exampleNames[0];
