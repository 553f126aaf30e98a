/**
 * From bytes or a string to JSON text that is safe to hand to `JSON.parse`: size checked first,
 * UTF-8 decoded strictly, byte-order mark dropped, nesting depth checked by a cheap scan (a deeply
 * nested file would otherwise cost `JSON.parse` seconds and memory before we could refuse it).
 */
import { LIMITS } from './types.ts';
import { ErrorList } from './report.ts';
import { scanJson } from './json-scan.ts';

/** UTF-8 length of `s`, counting no further than just past `cap` (the caller only needs "over or not"). */
export function utf8ByteLength(s: string, cap: number = Infinity): number {
  let bytes = 0;
  for (let i = 0; i < s.length && bytes <= cap; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4; // a surrogate pair is one 4-byte character
      i++;
    } else bytes += 3; // other BMP characters; a lone surrogate would be written as U+FFFD (3 bytes)
  }
  return bytes;
}

/** Index of the first byte that breaks UTF-8, or -1. Only called after the strict decoder refused. */
export function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (c < 0x80) need = 0;
    else if (c >= 0xc2 && c <= 0xdf) need = 1;
    else if (c >= 0xe0 && c <= 0xef) {
      need = 2;
      if (c === 0xe0) lo = 0xa0; // overlong
      if (c === 0xed) hi = 0x9f; // surrogates
    } else if (c >= 0xf0 && c <= 0xf4) {
      need = 3;
      if (c === 0xf0) lo = 0x90; // overlong
      if (c === 0xf4) hi = 0x8f; // above U+10FFFF
    } else return i;
    for (let k = 1; k <= need; k++) {
      const d = b[i + k];
      if (d === undefined) return i;
      if (k === 1 ? d < lo || d > hi : d < 0x80 || d > 0xbf) return i;
    }
    i += need + 1;
  }
  return -1;
}

/** The text of the document, or undefined with errors added. Strings and bytes get the same checks. */
export function documentText(input: string | Uint8Array, errors: ErrorList): string | undefined {
  const cap = LIMITS.fileBytes;
  let text: string;
  if (typeof input === 'string') {
    // UTF-8 never takes fewer bytes than UTF-16 code units, so a long string is refused without counting.
    const size = input.length > cap ? input.length : utf8ByteLength(input, cap);
    if (size > cap) {
      const what = input.length > cap ? `at least ${input.length}` : `${size}`;
      errors.add('E100', `the document is ${what} bytes; a graph file may be at most ${cap} bytes`, []);
      return undefined;
    }
    text = input;
  } else {
    if (input.length > cap) {
      errors.add('E100', `the file is ${input.length} bytes; a graph file may be at most ${cap} bytes`, []);
      return undefined;
    }
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(input);
    } catch {
      errors.add('E101', `the file is not valid UTF-8 (first bad byte at offset ${firstInvalidUtf8(input)})`, []);
      return undefined;
    }
  }
  // TextDecoder drops a leading byte-order mark; a string read some other way may still carry one.
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.trim() === '') {
    errors.add('E101', 'the file is empty; a graph is a JSON object', []);
    return undefined;
  }
  if (nestsDeeperThan(text, LIMITS.depth)) {
    // The full scan reports whichever comes first in the text: a syntax error or the deep spot.
    const problem = scanJson(text, LIMITS.depth);
    if (problem?.kind === 'depth') {
      errors.add('E102', `the JSON nests more than ${LIMITS.depth} levels deep here; a graph nests about 5`, problem.path);
      return undefined;
    }
    if (problem?.kind === 'syntax') {
      errors.add('E101', problem.message, []);
      return undefined;
    }
  }
  return text;
}

/** Bracket depth without parsing: a handful of comparisons per character. Strings are skipped. */
export function nestsDeeperThan(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}
