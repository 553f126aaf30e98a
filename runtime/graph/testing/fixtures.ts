/** Hand-written graph fixtures for tests, read fresh each time so a test may change its copy. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The text of `runtime/graph/fixtures/<name>`. */
export function fixtureText(name: string): string {
  return readFileSync(fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url)), 'utf8');
}

/** A small valid graph using only input, target, rnn, delay, linear and loss, as a mutable plain object.
 *  Nodes: 0 x (input), 1 y (target), 2 enc (rnn), 3 z (delay), 4 out (linear), 5 loss; loop "enc" over x. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function tinyRnn(): any {
  return JSON.parse(fixtureText('tiny-rnn.json'));
}
