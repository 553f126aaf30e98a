/** Text renderings of token rows for `Task.describe`. */

/**
 * Token names joined by spaces, runs of more than three equal tokens written once with a count
 * (`a8×99`), so a copy example of length 120 stays one short line.
 */
export function runLengthText(ids: ArrayLike<number>, names: readonly string[]): string {
  const parts: string[] = [];
  let i = 0;
  while (i < ids.length) {
    let j = i;
    while (j < ids.length && ids[j] === ids[i]) j++;
    const name = names[ids[i]!] ?? `#${ids[i]}`;
    if (j - i > 3) parts.push(`${name}×${j - i}`);
    else for (let k = i; k < j; k++) parts.push(name);
    i = j;
  }
  return parts.join(' ');
}
