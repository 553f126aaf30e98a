/** The safetensors reader and writer: round trips, hand-made files, pinned bytes, every refusal, hostile bytes. */
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CATALOGUE, type ErrorCode, type Result } from '../errors/catalogue.ts';
import { readFloats, readSafetensors, writeFloats, writeSafetensors, type NamedTensor, type ReadOptions, type SafetensorsFile } from './safetensors.ts';

const hex = (s: string): number[] => (s.replace(/\s+/g, '').match(/../g) ?? []).map((b) => parseInt(b, 16));
const ascii = (s: string): number[] => [...s].map((c) => c.charCodeAt(0));
const le64 = (n: bigint): number[] => Array.from({ length: 8 }, (_, i) => Number((n >> BigInt(8 * i)) & 0xffn));

/** A file from header text (UTF-8) and data bytes; `claimed` overrides the length field. */
function file(header: string | Uint8Array, data: number | number[] = [], claimed?: bigint): Uint8Array {
  const h = typeof header === 'string' ? new TextEncoder().encode(header) : header;
  const d = typeof data === 'number' ? new Array<number>(data).fill(0) : data;
  return new Uint8Array([...le64(claimed ?? BigInt(h.length)), ...h, ...d]);
}

function value(r: Result<SafetensorsFile>): SafetensorsFile {
  if (!r.ok) throw new Error(JSON.stringify(r.errors, null, 1));
  return r.value;
}

const bytesOf = (a: Float32Array): number[] => [...new Uint8Array(a.buffer, a.byteOffset, a.byteLength)];

/** Refusals: the first error's code and path, and the error list itself. */
function refused(bytes: Uint8Array, options?: ReadOptions): { code: ErrorCode; path: string | undefined; message: string; all: string[] } {
  const r = readSafetensors(bytes, options);
  if (r.ok) throw new Error('expected a refusal, the file was read');
  const e = r.errors[0]!;
  return { code: e.code, path: e.path, message: e.message, all: r.errors.map((x) => `${x.code} ${x.path ?? '-'}`) };
}

const entry = (shape: string, offsets: string, dtype = '"F32"'): string => `{"dtype":${dtype},"shape":${shape},"data_offsets":${offsets}}`;

describe('writeSafetensors', () => {
  it('writes pinned bytes: sorted names, metadata first, header padded with spaces to 8, little-endian floats', () => {
    const out = writeSafetensors(
      [
        { name: 'b', shape: [2], data: new Float32Array([1, -2]) },
        { name: 'a', shape: [], data: new Float32Array([0.5]) },
      ],
      { format: 'pt' },
    );
    const json = '{"__metadata__":{"format":"pt"},"a":{"dtype":"F32","shape":[],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}';
    // 138 bytes of JSON, 6 spaces: 144 = 0x90, so the data starts at 152 = 19 * 8.
    expect(json.length).toBe(138);
    const expected = [...hex('90 00 00 00 00 00 00 00'), ...ascii(json), ...ascii('      '), ...hex('0000003f 0000803f 000000c0')];
    expect([...out]).toEqual(expected);
    expect(out.length).toBe(164);
  });

  it('writes a file with no tensors and no metadata as "{}" padded to 8', () => {
    expect([...writeSafetensors([])]).toEqual([...hex('08 00 00 00 00 00 00 00'), ...ascii('{}      ')]);
    expect([...writeSafetensors([], {})]).toEqual([...writeSafetensors([])]);
  });

  it('gives the same bytes whatever the input order', () => {
    const t: NamedTensor[] = [
      { name: 'x.w', shape: [1], data: new Float32Array([1]) },
      { name: 'a.w', shape: [2], data: new Float32Array([2, 3]) },
      { name: 'é.w', shape: [0], data: new Float32Array(0) },
    ];
    expect(writeSafetensors([...t].reverse(), { b: '1', a: '2' })).toEqual(writeSafetensors(t, { a: '2', b: '1' }));
  });

  it('sorts names by code point (UTF-8 byte order), not by UTF-16 unit', () => {
    // U+FF5E is one UTF-16 unit above the surrogate pair of U+1F600, but below U+1F600 as a code point.
    const out = writeSafetensors([
      { name: '\u{1F600}', shape: [], data: new Float32Array([1]) },
      { name: '\uFF5E', shape: [], data: new Float32Array([2]) },
    ]);
    expect([...value(readSafetensors(out)).tensors.keys()]).toEqual(['\uFF5E', '\u{1F600}']);
    const header = new TextDecoder().decode(out.subarray(8, 8 + Number(new DataView(out.buffer).getBigUint64(0, true))));
    expect(header.indexOf('\uFF5E')).toBeLessThan(header.indexOf('\u{1F600}'));
  });

  it('writes from Float32Array views at an offset into a larger buffer', () => {
    const big = new Float32Array([9, 9, 1, 2, 9]);
    const out = writeSafetensors([{ name: 'n.w', shape: [2], data: big.subarray(2, 4) }]);
    expect([...value(readSafetensors(out)).tensors.get('n.w')!.data]).toEqual([1, 2]);
  });

  it('throws on programmer errors', () => {
    const d = new Float32Array(2);
    expect(() => writeSafetensors([{ name: 'a', shape: [3], data: d }])).toThrow(/3 values/);
    expect(() => writeSafetensors([{ name: 'a', shape: [2], data: d }, { name: 'a', shape: [2], data: d }])).toThrow(/two tensors/);
    expect(() => writeSafetensors([{ name: '__metadata__', shape: [2], data: d }])).toThrow(/reserved/);
    expect(() => writeSafetensors([{ name: '__proto__', shape: [2], data: d }])).toThrow(/prototypes/);
    expect(() => writeSafetensors([{ name: 'a', shape: [-2], data: d }])).toThrow(/non-negative/);
    expect(() => writeSafetensors([{ name: 'a', shape: [2.5], data: d }])).toThrow(/non-negative/);
    expect(() => writeSafetensors([{ name: '\uD800', shape: [2], data: d }])).toThrow(/surrogate/);
    expect(() => writeSafetensors([], { k: 1 as unknown as string })).toThrow(/not a string/);
  });
});

describe('float copies', () => {
  it('the byte copy and the DataView path (used on big-endian hosts) agree, at unaligned offsets too', () => {
    fc.assert(
      fc.property(fc.float32Array({ maxLength: 20 }), fc.nat({ max: 7 }), (data, at) => {
        const a = new Uint8Array(at + data.byteLength);
        const b = new Uint8Array(at + data.byteLength);
        writeFloats(a, at, data, true);
        writeFloats(b, at, data, false);
        expect(b).toEqual(a);
        expect(bytesOf(readFloats(a, at, data.length, false))).toEqual(bytesOf(data));
        expect(bytesOf(readFloats(a, at, data.length, true))).toEqual(bytesOf(data));
      }),
    );
    const out = new Uint8Array(4);
    writeFloats(out, 0, new Float32Array([1]), false);
    expect([...out]).toEqual(hex('0000803f'));
  });
});

describe('readSafetensors on hand-made files', () => {
  it('reads a file written byte by byte: entries in any order, keys in any order, unaligned header', () => {
    const header =
      '{"lstm.bias":{"dtype":"F32","shape":[2],"data_offsets":[8,16]},"__metadata__":{"note":"hand"},' +
      '"lstm.gain":{"shape":[1,2],"data_offsets":[0,8],"dtype":"F32"}} \t\n';
    // gain = [1.5, -0.25] at data bytes 0..8, bias = [3, 0.5] at 8..16.
    const bytes = file(header, hex('0000c03f 000080be 00004040 0000003f'));
    expect(bytes.length).toBe(8 + header.length + 16);
    const f = value(readSafetensors(bytes));
    expect(f.metadata).toEqual({ note: 'hand' });
    expect([...f.tensors.keys()]).toEqual(['lstm.bias', 'lstm.gain']);
    expect(f.tensors.get('lstm.gain')).toEqual({ name: 'lstm.gain', shape: [1, 2], data: new Float32Array([1.5, -0.25]) });
    expect(f.tensors.get('lstm.bias')).toEqual({ name: 'lstm.bias', shape: [2], data: new Float32Array([3, 0.5]) });
  });

  it('reads scalars and zero-size tensors, which take no bytes and may share an offset', () => {
    const header = `{"s":${entry('[]', '[0,4]')},"z":${entry('[0,3]', '[4,4]')},"y":${entry('[2,0]', '[4,4]')},"e":${entry('[0]', '[0,0]')}}`;
    const f = value(readSafetensors(file(header, hex('000080be'))));
    expect(f.tensors.get('s')!.data).toEqual(new Float32Array([-0.25]));
    expect(f.tensors.get('s')!.shape).toEqual([]);
    expect(f.tensors.get('z')).toEqual({ name: 'z', shape: [0, 3], data: new Float32Array(0) });
    expect(f.tensors.get('y')!.shape).toEqual([2, 0]);
    expect(f.tensors.get('e')!.data.length).toBe(0);
  });

  it('copies data into fresh aligned arrays, from a view at any offset', () => {
    const inner = writeSafetensors([{ name: 'n.w', shape: [3], data: new Float32Array([1, 2, 3]) }]);
    const outer = new Uint8Array(inner.length + 3);
    outer.set(inner, 3);
    const view = outer.subarray(3);
    const t = value(readSafetensors(view)).tensors.get('n.w')!;
    view.fill(0);
    expect(t.data.byteOffset).toBe(0);
    expect(t.data.buffer).not.toBe(outer.buffer);
    expect([...t.data]).toEqual([1, 2, 3]);
  });

  it('reads a header whose length field is 0 as "not an object", and "{}" with no data as an empty file', () => {
    expect(refused(file('')).code).toBe('E405');
    expect(value(readSafetensors(file('{}')))).toEqual({ tensors: new Map(), metadata: {} });
  });
});

describe('round trips', () => {
  const arbShape = fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 4 });
  const arbTensor = fc
    .tuple(
      fc.string({ unit: 'grapheme', maxLength: 12 }).filter((s) => !['__metadata__', '__proto__', 'constructor', 'prototype'].includes(s)),
      arbShape,
    )
    .chain(([name, shape]) => {
      const n = shape.reduce((a, b) => a * b, 1);
      return fc.float32Array({ minLength: n, maxLength: n }).map((data): NamedTensor => ({ name, shape, data }));
    });
  const arbFile = fc.tuple(
    fc.uniqueArray(arbTensor, { selector: (t) => t.name, maxLength: 6 }),
    fc.option(
      fc.dictionary(fc.string({ unit: 'grapheme', maxLength: 8 }).filter((k) => !['__proto__', 'constructor', 'prototype'].includes(k)), fc.string({ unit: 'grapheme', maxLength: 20 })),
      { nil: undefined },
    ),
  );

  it('read(write(t)) gives every tensor back bit for bit (NaN, -0, infinities too), and write(read(f)) the same bytes', () => {
    fc.assert(
      fc.property(arbFile, ([tensors, metadata]) => {
        const bytes = writeSafetensors(tensors, metadata);
        const f = value(readSafetensors(bytes));
        expect(f.tensors.size).toBe(tensors.length);
        for (const t of tensors) {
          const got = f.tensors.get(t.name)!;
          expect(got.shape).toEqual(t.shape);
          expect(bytesOf(got.data)).toEqual(bytesOf(t.data));
        }
        expect(f.metadata).toEqual(metadata ?? {});
        expect(writeSafetensors([...f.tensors.values()], f.metadata)).toEqual(bytes);
      }),
      { numRuns: 300 },
    );
  });

  it('lays the file out as the reference writer does: aligned data, space padding, contiguous offsets in name order', () => {
    fc.assert(
      fc.property(arbFile, ([tensors, metadata]) => {
        const bytes = writeSafetensors(tensors, metadata);
        const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
        expect((8 + n) % 8).toBe(0);
        const text = new TextDecoder().decode(bytes.subarray(8, 8 + n));
        const json = text.trimEnd();
        expect(text.slice(json.length)).toMatch(/^ {0,7}$/);
        const header = JSON.parse(json) as Record<string, { data_offsets: [number, number]; shape: number[]; dtype: string }>;
        const names = Object.keys(header).filter((k) => k !== '__metadata__');
        // Independent of the writer's sort: code point order via arrays of code points.
        const byCodePoint = [...names].sort((a, b) => {
          const x = [...a].map((c) => c.codePointAt(0)!);
          const y = [...b].map((c) => c.codePointAt(0)!);
          for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
          return x.length - y.length;
        });
        let at = 0;
        for (const name of byCodePoint) {
          const e = header[name]!;
          expect(e.dtype).toBe('F32');
          expect(e.data_offsets).toEqual([at, at + 4 * e.shape.reduce((a, b) => a * b, 1)]);
          at = e.data_offsets[1];
        }
        expect(bytes.length).toBe(8 + n + at);
      }),
      { numRuns: 200 },
    );
  });
});

describe('refusals', () => {
  const one = (data = 8): Uint8Array => file(`{"n.w":${entry('[2]', '[0,8]')}}`, data);

  it('E400: a file shorter than 8 bytes', () => {
    for (const len of [0, 1, 7]) {
      const r = refused(new Uint8Array(len));
      expect(r).toMatchObject({ code: 'E400', path: undefined });
      expect(r.message).toContain(`${len} byte`);
    }
  });

  it('E401: a header length past the end of the file', () => {
    const r = refused(file('{}', [], 100n));
    expect(r).toMatchObject({ code: 'E401', path: undefined });
    expect(r.message).toContain('100 bytes');
    expect(r.message).toContain('only 2 bytes');
  });

  it('E402: a header longer than the limit, checked before the file length', () => {
    const r = refused(file('{}', [], 100_000_001n));
    expect(r.code).toBe('E402');
    expect(r.message).toContain('100000001');
    expect(r.message).toContain('100000000');
    expect(refused(one(), { maxHeaderBytes: 20 }).code).toBe('E402');
    expect(readSafetensors(file('{}'), { maxHeaderBytes: 2 }).ok).toBe(true);
  });

  describe('E402: a header claiming 2^60 or 2^64-1 bytes is refused without decoding or allocating', () => {
    afterEach(() => vi.restoreAllMocks());
    it.each([2n ** 60n, 2n ** 64n - 1n, 2n ** 53n + 1n])('%s', (claimed) => {
      const decode = vi.spyOn(TextDecoder.prototype, 'decode');
      const parse = vi.spyOn(JSON, 'parse');
      const r = refused(file('{}', [], claimed), { maxHeaderBytes: Number.MAX_SAFE_INTEGER });
      expect(r.code).toBe('E402');
      expect(r.message).toContain(String(claimed));
      expect(decode).not.toHaveBeenCalled();
      expect(parse).not.toHaveBeenCalled();
    });
  });

  it('E402: a tensor larger than maxTensorBytes', () => {
    const r = refused(one(), { maxTensorBytes: 4 });
    expect(r).toMatchObject({ code: 'E402', path: '$["n.w"].data_offsets' });
    expect(r.message).toContain('8 bytes');
    expect(readSafetensors(one(), { maxTensorBytes: 8 }).ok).toBe(true);
  });

  it('E403: a header that is not UTF-8, naming the byte', () => {
    const h = new Uint8Array([...ascii('{"a'), 0xff, ...ascii('":{}}')]);
    const r = refused(file(h));
    expect(r).toMatchObject({ code: 'E403', path: undefined });
    expect(r.message).toContain('byte 11 of the file (0xff');
    // Overlong encodings and encoded surrogates are not UTF-8 either.
    expect(refused(file(new Uint8Array([...ascii('{"'), 0xc0, 0xaf, ...ascii('":1}')]))).code).toBe('E403');
    expect(refused(file(new Uint8Array([...ascii('{"'), 0xed, 0xa0, 0x80, ...ascii('":1}')]))).code).toBe('E403');
  });

  it('E404: a header that is not JSON, or repeats a key', () => {
    expect(refused(file('{"a":'))).toMatchObject({ code: 'E404', path: '$' });
    expect(refused(file('{"a":1,}')).code).toBe('E404');
    expect(refused(file('{} x')).code).toBe('E404');
    const dup = refused(file(`{"n.w":${entry('[2]', '[0,8]')},"n.w":${entry('[2]', '[0,8]')}}`, 8));
    expect(dup).toMatchObject({ code: 'E404', path: '$["n.w"]' });
    expect(dup.message).toContain('"n.w" appears twice');
    expect(refused(file(`{"n.w":{"dtype":"F32","dtype":"F32","shape":[2],"data_offsets":[0,8]}}`, 8))).toMatchObject({ code: 'E404', path: '$["n.w"].dtype' });
  });

  it('E405: a header that is not an object or does not start with "{"', () => {
    expect(refused(file('[1]'))).toMatchObject({ code: 'E405', path: '$' });
    expect(refused(file('"x"')).code).toBe('E405');
    const space = refused(file(' {}'));
    expect(space.code).toBe('E405');
    expect(space.message).toContain('U+0020');
    expect(refused(file('\uFEFF{}')).message).toContain('byte-order mark');
  });

  it('E406: keys that could alter prototypes, anywhere in the header', () => {
    expect(refused(file(`{"__proto__":${entry('[2]', '[0,8]')}}`, 8))).toMatchObject({ code: 'E406', path: '$.__proto__' });
    expect(refused(file(`{"constructor":${entry('[2]', '[0,8]')}}`, 8)).code).toBe('E406');
    expect(refused(file('{"__metadata__":{"prototype":"x"}}'))).toMatchObject({ code: 'E406', path: '$.__metadata__.prototype' });
    expect(refused(file(`{"n.w":{"dtype":"F32","shape":[2],"data_offsets":[0,8],"__proto__":1}}`, 8))).toMatchObject({ code: 'E406', path: '$["n.w"].__proto__' });
  });

  it('E407: a tensor entry with a key safetensors does not have', () => {
    const r = refused(file(`{"n.w":{"dtype":"F32","shape":[2],"data_offsets":[0,8],"offset":0}}`, 8));
    expect(r).toMatchObject({ code: 'E407', path: '$["n.w"].offset' });
    expect(r.message).toContain('"n.w"');
    expect(refused(file(`{"n.w":{"dtype":"F32","shape":[2],"data_offset":[0,8]}}`, 8)).message).toContain('did you mean "data_offsets"');
  });

  it('E408: a tensor entry missing a key', () => {
    for (const key of ['dtype', 'shape', 'data_offsets']) {
      const fields = { dtype: '"dtype":"F32"', shape: '"shape":[2]', data_offsets: '"data_offsets":[0,8]' };
      const rest = Object.entries(fields).filter(([k]) => k !== key).map(([, v]) => v);
      const r = refused(file(`{"n.w":{${rest.join(',')}}}`, 8));
      expect(r).toMatchObject({ code: 'E408', path: '$["n.w"]' });
      expect(r.message).toContain(`"${key}"`);
    }
  });

  it('E409: values of the wrong type', () => {
    expect(refused(file('{"n.w":[1,2]}'))).toMatchObject({ code: 'E409', path: '$["n.w"]' });
    expect(refused(file('{"n.w":null}'))).toMatchObject({ code: 'E409', path: '$["n.w"]' });
    expect(refused(file(`{"n.w":${entry('[2]', '[0,8]', '32')}}`, 8))).toMatchObject({ code: 'E409', path: '$["n.w"].dtype' });
    expect(refused(file(`{"n.w":${entry('"2"', '[0,8]')}}`, 8))).toMatchObject({ code: 'E409', path: '$["n.w"].shape' });
    expect(refused(file('{"__metadata__":["a"]}'))).toMatchObject({ code: 'E409', path: '$.__metadata__' });
    expect(refused(file('{"__metadata__":{"epochs":3}}'))).toMatchObject({ code: 'E409', path: '$.__metadata__.epochs' });
    expect(refused(file(`{"n.w":${entry('[[2]]', '[0,8]')}}`, 8))).toMatchObject({ code: 'E409', path: '$["n.w"].shape[0]' });
  });

  it('E410: a dtype other than F32, named, saying only float32 is read', () => {
    const r = refused(file(`{"n.w":${entry('[4]', '[0,8]', '"F16"')}}`, 8));
    expect(r).toMatchObject({ code: 'E410', path: '$["n.w"].dtype' });
    expect(r.message).toContain('"F16"');
    expect(r.message).toContain('float32');
    expect(refused(file(`{"n.w":${entry('[2]', '[0,8]', '"f32"')}}`, 8)).code).toBe('E410');
  });

  it('E411: shape entries that are not non-negative safe integers', () => {
    for (const [shape, bad] of [['[-1]', '-1'], ['[2,1.5]', '1.5'], ['["2"]', '"2"'], ['[9007199254740992]', '9007199254740992'], ['[null]', 'null']] as const) {
      const r = refused(file(`{"n.w":${entry(shape, '[0,8]')}}`, 8));
      expect(r.code, shape).toBe('E411');
      expect(r.path).toBe(`$["n.w"].shape[${shape.startsWith('[2,') ? 1 : 0}]`);
      expect(r.message).toContain(bad);
    }
  });

  it('E412: data_offsets that are not [begin, end] with begin ≤ end', () => {
    const r = refused(file(`{"n.w":${entry('[2]', '[8,0]')}}`, 8));
    expect(r).toMatchObject({ code: 'E412', path: '$["n.w"].data_offsets' });
    expect(r.message).toContain('[8, 0]');
    expect(refused(file(`{"n.w":${entry('[2]', '[0]')}}`, 8))).toMatchObject({ code: 'E412', path: '$["n.w"].data_offsets' });
    expect(refused(file(`{"n.w":${entry('[2]', '[0,8,16]')}}`, 8)).code).toBe('E412');
    expect(refused(file(`{"n.w":${entry('[2]', '"0-8"')}}`, 8)).code).toBe('E412');
    expect(refused(file(`{"n.w":${entry('[2]', '[0,-8]')}}`, 8))).toMatchObject({ code: 'E412', path: '$["n.w"].data_offsets[1]' });
    expect(refused(file(`{"n.w":${entry('[2]', '[0,18446744073709551616]')}}`, 8)).code).toBe('E412');
  });

  it('E413: a byte size that does not match the shape', () => {
    const r = refused(file(`{"lstm.weight_ih":${entry('[2,3]', '[0,20]')}}`, 20));
    expect(r).toMatchObject({ code: 'E413', path: '$["lstm.weight_ih"].data_offsets' });
    expect(r.message).toContain('"lstm.weight_ih"');
    expect(r.message).toContain('[2, 3]');
    expect(r.message).toContain('24 bytes');
    expect(r.message).toContain('20 bytes');
    // A shape whose product passes 2^53 cannot match any offsets.
    expect(refused(file(`{"n.w":${entry('[4294967296,4294967296]', '[0,8]')}}`, 8)).code).toBe('E413');
  });

  it('E414: offsets past the end of the data', () => {
    const r = refused(file(`{"n.w":${entry('[4]', '[0,16]')}}`, 8));
    expect(r).toMatchObject({ code: 'E414', path: '$["n.w"].data_offsets' });
    expect(r.message).toContain('[0, 16]');
    expect(r.message).toContain('8 bytes');
    expect(r.all).toEqual(['E414 $["n.w"].data_offsets']);
  });

  it('E415: overlapping tensors, naming both', () => {
    const r = refused(file(`{"a.w":${entry('[2]', '[0,8]')},"b.w":${entry('[2]', '[4,12]')}}`, 12));
    expect(r).toMatchObject({ code: 'E415', path: '$["b.w"].data_offsets' });
    expect(r.message).toContain('"a.w"');
    expect(r.message).toContain('[0, 8]');
    // The same bytes twice, and an empty tensor inside another one (the reference refuses both).
    expect(refused(file(`{"a.w":${entry('[2]', '[0,8]')},"b.w":${entry('[2]', '[0,8]')}}`, 8)).code).toBe('E415');
    expect(refused(file(`{"a.w":${entry('[2]', '[0,8]')},"b.w":${entry('[0]', '[4,4]')}}`, 8)).code).toBe('E415');
  });

  it('E416: gaps between tensors and unused bytes at the end', () => {
    const gap = refused(file(`{"a.w":${entry('[1]', '[0,4]')},"b.w":${entry('[1]', '[8,12]')}}`, 12));
    expect(gap).toMatchObject({ code: 'E416', path: '$["b.w"].data_offsets' });
    expect(gap.message).toContain('4 to 8');
    const lead = refused(file(`{"a.w":${entry('[1]', '[4,8]')}}`, 8));
    expect(lead).toMatchObject({ code: 'E416', path: '$["a.w"].data_offsets' });
    const tail = refused(one(12));
    expect(tail).toMatchObject({ code: 'E416', path: undefined });
    expect(tail.message).toContain('last 4 bytes');
    expect(refused(file('{}', 1)).code).toBe('E416');
  });

  it('reports every problem of a header at once, in one list', () => {
    const r = refused(file(`{"a.w":${entry('[2]', '[0,8]', '"I8"')},"b.w":${entry('[-1]', '[8,8]')},"c.w":{"shape":[1]}}`, 8));
    expect(r.all).toEqual(['E410 $["a.w"].dtype', 'E411 $["b.w"].shape[0]', 'E408 $["c.w"]', 'E408 $["c.w"]']);
  });

  it('caps the list at 100 errors', () => {
    const entries = Array.from({ length: 300 }, (_, i) => `"t${i}":${entry('[-1]', '[0,0]')}`);
    const r = readSafetensors(file(`{${entries.join(',')}}`));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.length).toBe(100);
  });
});

describe('hostile bytes', () => {
  const codes = new Set(Object.keys(CATALOGUE));
  const valid = writeSafetensors(
    [
      { name: 'lstm.weight_ih', shape: [2, 3], data: new Float32Array([1, 2, 3, 4, 5, 6]) },
      { name: 'lstm.bias', shape: [3], data: new Float32Array([0.5, -0.5, 0]) },
      { name: 'out.s', shape: [], data: new Float32Array([7]) },
      { name: 'out.z', shape: [0, 2], data: new Float32Array(0) },
    ],
    { format: 'pt', step: '12' },
  );
  const headerEnd = 8 + Number(new DataView(valid.buffer).getBigUint64(0, true));

  const arbMutation = fc.oneof(
    fc.array(fc.tuple(fc.nat({ max: valid.length - 1 }), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }).map((edits) => {
      const b = valid.slice();
      for (const [at, v] of edits) b[at] = v;
      return b;
    }),
    fc.nat({ max: valid.length }).map((n) => valid.slice(0, n)),
    fc.uint8Array({ minLength: 1, maxLength: 16 }).map((extra) => new Uint8Array([...valid, ...extra])),
    fc.tuple(fc.nat({ max: valid.length - 1 }), fc.nat({ max: 20 })).map(([at, n]) => new Uint8Array([...valid.subarray(0, at), ...valid.subarray(at + n)])),
    // JSON-ish characters inside the header, so that mutations get past UTF-8 and JSON syntax.
    fc
      .array(fc.tuple(fc.integer({ min: 8, max: headerEnd - 1 }), fc.constantFrom(...ascii('0123456789-.e[]{},:" '))), { minLength: 1, maxLength: 4 })
      .map((edits) => {
        const b = valid.slice();
        for (const [at, v] of edits) b[at] = v;
        return b;
      }),
  );

  it('1,000 mutated files never throw: each reads, or is refused with catalogue codes', () => {
    let refusedCount = 0;
    fc.assert(
      fc.property(arbMutation, (bytes) => {
        const r = readSafetensors(bytes);
        if (r.ok) {
          for (const t of r.value.tensors.values()) expect(t.data.length).toBe(t.shape.reduce((a, b) => a * b, 1));
          return;
        }
        refusedCount++;
        expect(r.errors.length).toBeGreaterThan(0);
        for (const e of r.errors) {
          expect(codes.has(e.code)).toBe(true);
          expect(e.code).toMatch(/^E4(0\d|1[0-6])$/);
          expect(e.message.length).toBeGreaterThan(0);
          if (e.path !== undefined) expect(e.path.startsWith('$')).toBe(true);
        }
      }),
      { numRuns: 1000 },
    );
    expect(refusedCount).toBeGreaterThan(500);
  });
});
