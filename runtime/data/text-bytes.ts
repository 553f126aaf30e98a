/**
 * The first step of every reader: the file's size against the budget, then its bytes as UTF-8
 * text (byte-order mark dropped). A file that is not UTF-8 is refused with the line and byte of
 * its first bad byte; nothing is guessed or replaced.
 */
import { unrollError, type Result } from '../errors/catalogue.ts';

/** The most bytes a data file may have (64 MiB): checked against the size before reading the file. */
export const DATA_FILE_LIMIT = 64 * 2 ** 20;

/** `70,254,592 bytes (67.0 MiB)`. */
export function formatBytes(n: number): string {
  const exact = `${n.toLocaleString('en-US')} bytes`;
  if (n < 1024) return exact;
  const [unit, size] = n >= 2 ** 30 ? ['GiB', 2 ** 30] : n >= 2 ** 20 ? ['MiB', 2 ** 20] : ['KiB', 2 ** 10];
  return `${exact} (${(n / size!).toFixed(1)} ${unit})`;
}

/** E480 when a file of `size` bytes is over `limit`; call it with the size alone, before reading the file. */
export function checkDataSize(file: string, size: number, limit = DATA_FILE_LIMIT): Result<void> {
  if (size <= limit) return { ok: true, value: undefined };
  return {
    ok: false,
    errors: [unrollError('E480', `${file} is ${formatBytes(size)}; a data file may be at most ${formatBytes(limit)}: use a sample of it, or split it`)],
  };
}

/**
 * Offset of the first byte that does not belong to a well-formed UTF-8 sequence (the start of the
 * broken sequence), or -1 when every byte does. Overlong forms, surrogates and code points past
 * U+10FFFF count as broken, as they do for `TextDecoder('utf-8', { fatal: true })`.
 */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  const n = bytes.length;
  let i = 0;
  while (i < n) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      if (b === 0xe0) lo = 0xa0;
      else if (b === 0xed) hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      if (b === 0xf0) lo = 0x90;
      else if (b === 0xf4) hi = 0x8f;
    } else return i;
    const second = bytes[i + 1];
    if (second === undefined || second < lo || second > hi) return i;
    for (let k = 2; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || c < 0x80 || c > 0xbf) return i;
    }
    i += need + 1;
  }
  return -1;
}

/** 1-based line of byte `offset` (lines end at LF) and the 1-based byte of that line it is. */
export function lineOfByte(bytes: Uint8Array, offset: number): { line: number; byte: number } {
  let line = 1;
  let start = 0;
  for (let i = 0; i < offset; i++) {
    if (bytes[i] === 0x0a) {
      line++;
      start = i + 1;
    }
  }
  return { line, byte: offset - start + 1 };
}

const hex = (b: number): string => `0x${b.toString(16).toUpperCase().padStart(2, '0')}`;

/**
 * The file's text: E481 for no bytes, E482 for UTF-16 (by its byte-order mark) or any byte that
 * is not UTF-8, naming the line and the byte. A UTF-8 byte-order mark is dropped.
 */
export function decodeUtf8(file: string, bytes: Uint8Array): Result<string> {
  if (bytes.length === 0) return { ok: false, errors: [unrollError('E481', `${file} is empty (0 bytes)`)] };
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    return { ok: false, errors: [unrollError('E482', `${file} is UTF-16 text (line 1 starts with a UTF-16 byte-order mark), not UTF-8: save it as UTF-8`)] };
  }
  const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  const body = bom > 0 ? bytes.subarray(bom) : bytes;
  try {
    return { ok: true, value: new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(body) };
  } catch {
    const at = firstInvalidUtf8(body);
    const offset = (at < 0 ? body.length - 1 : at) + bom;
    const { line, byte } = lineOfByte(bytes, offset);
    return {
      ok: false,
      errors: [
        unrollError(
          'E482',
          `${file} is not UTF-8 text: line ${line} has the byte ${hex(bytes[offset]!)} at byte ${byte} of the line (byte ${offset + 1} of the file), ` +
            'which UTF-8 does not allow there; is it Latin-1 or Windows-1252? Save the file as UTF-8',
        ),
      ],
    };
  }
}
