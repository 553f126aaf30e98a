import { describe, expect, it } from 'vitest';
import { Rng } from '../train/prng.ts';
import { checkDataSize, DATA_FILE_LIMIT, decodeUtf8, firstInvalidUtf8, formatBytes, lineOfByte } from './text-bytes.ts';

const bytes = (...parts: (string | number[])[]): Uint8Array => {
  const out: number[] = [];
  for (const p of parts) out.push(...(typeof p === 'string' ? new TextEncoder().encode(p) : p));
  return Uint8Array.from(out);
};
const message = (r: { ok: boolean; errors?: readonly { code: string; message: string }[] }): string => (r.ok ? '' : `${r.errors![0]!.code} ${r.errors![0]!.message}`);

describe('data file bytes', () => {
  it('refuses a file over the budget by its size alone, naming both sizes', () => {
    expect(checkDataSize('big.csv', DATA_FILE_LIMIT).ok).toBe(true);
    const r = checkDataSize('big.csv', 70 * 2 ** 20);
    expect(message(r)).toBe('E480 big.csv is 73,400,320 bytes (70.0 MiB); a data file may be at most 67,108,864 bytes (64.0 MiB): use a sample of it, or split it');
    expect(message(checkDataSize('a.txt', 2000, 1000))).toContain('a.txt is 2,000 bytes (2.0 KiB); a data file may be at most 1,000 bytes');
    expect(formatBytes(12)).toBe('12 bytes');
  });

  it('refuses an empty file', () => {
    expect(message(decodeUtf8('e.csv', new Uint8Array(0)))).toBe('E481 e.csv is empty (0 bytes)');
  });

  it('drops a UTF-8 byte-order mark and reads the rest', () => {
    expect(decodeUtf8('a.csv', bytes([0xef, 0xbb, 0xbf], 'a,b\n1,2\n'))).toEqual({ ok: true, value: 'a,b\n1,2\n' });
    expect(decodeUtf8('a.txt', bytes('naïve café ✓ 😀'))).toEqual({ ok: true, value: 'naïve café ✓ 😀' });
  });

  it('refuses Latin-1 text, naming the line and the byte of the first bad one', () => {
    // "café" in Latin-1 on line 3: é is the lone byte 0xE9.
    const r = decodeUtf8('l.csv', bytes('a,b\n1,2\ncaf', [0xe9], ',3\n'));
    expect(message(r)).toBe(
      'E482 l.csv is not UTF-8 text: line 3 has the byte 0xE9 at byte 4 of the line (byte 12 of the file), which UTF-8 does not allow there; is it Latin-1 or Windows-1252? Save the file as UTF-8',
    );
  });

  it('counts lines from the start of the file when a byte-order mark comes first', () => {
    const r = decodeUtf8('b.txt', bytes([0xef, 0xbb, 0xbf], 'one\ntwo\n', [0xff], '\n'));
    expect(message(r)).toContain('line 3 has the byte 0xFF at byte 1 of the line (byte 12 of the file)');
  });

  it('refuses a sequence cut short at the end, an overlong form and a surrogate, each at its line', () => {
    expect(message(decodeUtf8('c.txt', bytes('ok\nend ', [0xe2, 0x82])))).toContain('line 2 has the byte 0xE2 at byte 5');
    expect(message(decodeUtf8('o.txt', bytes('x', [0xc0, 0xaf])))).toContain('line 1 has the byte 0xC0 at byte 2');
    expect(message(decodeUtf8('s.txt', bytes('\n\n', [0xed, 0xa0, 0x80])))).toContain('line 3 has the byte 0xED at byte 1');
  });

  it('refuses UTF-16 by its byte-order mark', () => {
    expect(message(decodeUtf8('w.csv', bytes([0xff, 0xfe], [0x61, 0, 0x0a, 0])))).toBe('E482 w.csv is UTF-16 text (line 1 starts with a UTF-16 byte-order mark), not UTF-8: save it as UTF-8');
  });

  it('finds a bad byte exactly when the fatal TextDecoder refuses the bytes', () => {
    const rng = new Rng(5);
    for (let trial = 0; trial < 2000; trial++) {
      const b = Uint8Array.from({ length: 1 + rng.int(12) }, () => (rng.next() < 0.5 ? rng.int(0x80) : 0x80 + rng.int(0x80)));
      let valid = true;
      try {
        new TextDecoder('utf-8', { fatal: true }).decode(b);
      } catch {
        valid = false;
      }
      expect(firstInvalidUtf8(b) < 0, Array.from(b).join(',')).toBe(valid);
    }
    expect(lineOfByte(bytes('a\nbc\n'), 3)).toEqual({ line: 2, byte: 2 });
  });
});
