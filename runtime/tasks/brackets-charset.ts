/**
 * The characters the brackets task reads: a small C-like alphabet. Id 0 is padding; every other id
 * is one character. Kept small (26 ids) so an embedding of it is cheap and every id is seen often.
 */

/** Display names by id: `<pad>`, the six brackets, punctuation, space, operators, letters, digits. */
export const BRACKET_TOKENS: readonly string[] = [
  '<pad>',
  '(', ')', '[', ']', '{', '}',
  ';', ',', ' ',
  '=', '+', '-', '*', '<',
  'a', 'b', 'c', 'f', 'i', 'n', 'x', 'y',
  '0', '1', '2',
];

/** Number of ids, padding included (26). */
export const BRACKET_VOCAB = BRACKET_TOKENS.length;

/** Opening brackets, index = kind (0 round, 1 square, 2 curly). */
export const OPENERS = '([{';
/** Closing brackets, index = kind. */
export const CLOSERS = ')]}';
/** All six bracket characters. */
export const BRACKETS = '()[]{}';

/** Id of each character (no entry for padding). */
const ID_OF: ReadonlyMap<string, number> = new Map(BRACKET_TOKENS.map((t, i) => [t, i] as const).slice(1));

/** Id of one character of the alphabet; throws on anything else (generated text never has it). */
export function charId(ch: string): number {
  const id = ID_OF.get(ch);
  if (id === undefined) throw new Error(`internal: "${ch}" is not in the brackets alphabet`);
  return id;
}

/** The character of an id, '' for padding or an id outside the alphabet. */
export function idChar(id: number): string {
  return id >= 1 && id < BRACKET_VOCAB ? BRACKET_TOKENS[id]! : '';
}

/** Whether a character is one of the six brackets. */
export const isBracket = (ch: string): boolean => BRACKETS.includes(ch);
