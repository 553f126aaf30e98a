import { describe, expect, it } from 'vitest';
import { ProtoWriter } from './protobuf.ts';

const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');

// Expected bytes from the protobuf encoding spec (https://protobuf.dev/programming-guides/encoding/).
describe('protobuf writer', () => {
  it('writes varints as the spec examples do', () => {
    expect(hex(new ProtoWriter().varint(1, 150).finish())).toBe('08 96 01');
    expect(hex(new ProtoWriter().varint(2, 0).finish())).toBe('10 00');
    expect(hex(new ProtoWriter().varint(1, 300).finish())).toBe('08 ac 02');
  });
  it('writes negative int64 as ten bytes of two’s complement', () => {
    expect(hex(new ProtoWriter().varint(1, -1).finish())).toBe('08 ff ff ff ff ff ff ff ff ff 01');
    expect(hex(new ProtoWriter().varint(1, -2n).finish())).toBe('08 fe ff ff ff ff ff ff ff ff 01');
  });
  it('writes strings, nested messages and packed fields length-delimited', () => {
    expect(hex(new ProtoWriter().string(2, 'testing').finish())).toBe('12 07 74 65 73 74 69 6e 67');
    expect(hex(new ProtoWriter().message(3, (w) => w.varint(1, 150)).finish())).toBe('1a 03 08 96 01');
    expect(hex(new ProtoWriter().packedVarints(4, [3, 270, 86942]).finish())).toBe('22 06 03 8e 02 9e a7 05');
  });
  it('writes floats little-endian with wire type 5', () => {
    expect(hex(new ProtoWriter().float(2, 1).finish())).toBe('15 00 00 80 3f');
  });
  it('grows past its first buffer without losing bytes', () => {
    const big = new Uint8Array(1000).map((_, i) => i & 0xff);
    const out = new ProtoWriter().varint(1, 1).bytes(2, big).varint(3, 2).finish();
    expect(out.length).toBe(2 + 3 + 1000 + 2);
    expect(Array.from(out.subarray(5, 1005))).toEqual(Array.from(big));
    expect(hex(out.subarray(1005))).toBe('18 02');
  });
});
