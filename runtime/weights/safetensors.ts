/**
 * Weights files in the safetensors format (https://github.com/huggingface/safetensors), float32
 * only, tensors named `<nodeId>.<weightName>`. Layout: 8 bytes little-endian u64 N, N bytes of
 * UTF-8 JSON header (padded with spaces), then the tensors' bytes.
 *
 * The writer produces what `safetensors.torch.load_file` reads, byte for byte what the reference
 * writer would: tensors sorted by name, data contiguous in that order, the header padded so the
 * data starts 8-byte aligned. The reader refuses, as catalogue errors, everything the reference
 * reader refuses (and a little more: non-F32 tensors, prototype-altering keys, repeated keys).
 * Browser and Node alike: Uint8Array, DataView and TextEncoder/TextDecoder only.
 */
import { unrollError, type ErrorCode, type Result } from '../errors/catalogue.ts';
import { FORBIDDEN_KEYS } from '../graph/fields.ts';
import { firstInvalidUtf8 } from '../graph/json-text.ts';
import { compareNames, elementCount, METADATA_KEY, Problems, readHeader } from './header.ts';
import { progress } from '../progress.ts';

export { compareNames } from './header.ts';

/** A float32 tensor; `data` holds `product(shape)` values in row-major order. */
export interface NamedTensor {
  readonly name: string;
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

export interface SafetensorsFile {
  /** By name, in code-point order of the names. */
  readonly tensors: Map<string, NamedTensor>;
  readonly metadata: Record<string, string>;
}

export interface ReadOptions {
  /** Largest header accepted, checked before anything is decoded; the reference reader's 100 MB by default. */
  readonly maxHeaderBytes?: number;
  /** Largest single tensor accepted, checked before anything is allocated; no limit by default
   *  (the file's own size bounds it). */
  readonly maxTensorBytes?: number;
}

/** The reference implementation's header limit (`MAX_HEADER_SIZE`). */
export const DEFAULT_MAX_HEADER_BYTES = 100_000_000;

/** Whether this host stores floats little-endian, as the file does (then data is copied as bytes). */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

// ---------------------------------------------------------------------------------------------
// Writing

/**
 * The safetensors bytes of `tensors` (any order; written sorted by name) and optional string
 * metadata (omitted from the header when empty). Throws only on programmer errors: a data length
 * that is not the product of the shape, a bad shape, duplicate or reserved names.
 */
export function writeSafetensors(tensors: readonly NamedTensor[], metadata?: Record<string, string>): Uint8Array {
  const seen = new Set<string>();
  for (const t of tensors) {
    if (typeof t.name !== 'string') throw new Error('writeSafetensors: a tensor name is not a string');
    checkName(t.name, 'tensor name');
    if (t.name === METADATA_KEY) throw new Error(`writeSafetensors: "${METADATA_KEY}" is reserved for metadata`);
    if (seen.has(t.name)) throw new Error(`writeSafetensors: two tensors are named ${JSON.stringify(t.name)}`);
    seen.add(t.name);
    if (!Array.isArray(t.shape) || !t.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      throw new Error(`writeSafetensors: tensor ${JSON.stringify(t.name)} has shape ${JSON.stringify(t.shape)}; entries must be non-negative integers`);
    }
    if (!(t.data instanceof Float32Array)) throw new Error(`writeSafetensors: tensor ${JSON.stringify(t.name)} has no Float32Array data`);
    const count = elementCount(t.shape);
    if (count !== t.data.length) {
      throw new Error(`writeSafetensors: tensor ${JSON.stringify(t.name)} has shape [${t.shape.join(', ')}] (${count} values) but ${t.data.length} values of data`);
    }
  }
  const sorted = [...tensors].sort((a, b) => compareNames(a.name, b.name));

  const parts: string[] = [];
  const metaKeys = metadata === undefined ? [] : Object.keys(metadata).sort(compareNames);
  if (metaKeys.length > 0) {
    const fields = metaKeys.map((k) => {
      const v = metadata![k];
      checkName(k, 'metadata key');
      if (typeof v !== 'string') throw new Error(`writeSafetensors: metadata ${JSON.stringify(k)} is not a string`);
      if (LONE_SURROGATE.test(v)) throw new Error(`writeSafetensors: metadata ${JSON.stringify(k)} holds a lone surrogate, which UTF-8 cannot encode`);
      return `${JSON.stringify(k)}:${JSON.stringify(v)}`;
    });
    parts.push(`${JSON.stringify(METADATA_KEY)}:{${fields.join(',')}}`);
  }
  let offset = 0;
  for (const t of sorted) {
    const end = offset + t.data.length * 4;
    parts.push(`${JSON.stringify(t.name)}:{"dtype":"F32","shape":[${t.shape.join(',')}],"data_offsets":[${offset},${end}]}`);
    offset = end;
  }
  const json = new TextEncoder().encode(`{${parts.join(',')}}`);
  const headerBytes = json.length + ((8 - (json.length % 8)) % 8);
  const total = 8 + headerBytes + offset;
  if (!Number.isSafeInteger(total)) throw new Error('writeSafetensors: the tensors are too large for one file');

  const out = new Uint8Array(total);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerBytes);
  let at = 8 + headerBytes;
  for (const t of sorted) {
    progress(); // a big model's file takes a while: the training worker's heartbeat
    writeFloats(out, at, t.data);
    at += t.data.length * 4;
  }
  return out;
}

function checkName(name: string, what: string): void {
  if (FORBIDDEN_KEYS.has(name)) throw new Error(`writeSafetensors: the ${what} ${JSON.stringify(name)} could alter object prototypes; readers refuse it`);
  if (LONE_SURROGATE.test(name)) throw new Error(`writeSafetensors: the ${what} ${JSON.stringify(name)} holds a lone surrogate, which UTF-8 cannot encode`);
}

/** Little-endian floats into `out` at byte `at`; `bytewise` copies raw bytes, right only on a little-endian host. Exported for tests. */
export function writeFloats(out: Uint8Array, at: number, data: Float32Array, bytewise = LITTLE_ENDIAN): void {
  if (bytewise) {
    out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), at);
    return;
  }
  const view = new DataView(out.buffer, out.byteOffset + at, data.byteLength);
  for (let i = 0; i < data.length; i++) view.setFloat32(i * 4, data[i]!, true);
}

// ---------------------------------------------------------------------------------------------
// Reading

function refuse(code: ErrorCode, message: string): Result<SafetensorsFile> {
  return { ok: false, errors: [unrollError(code, message)] };
}

/**
 * Reads a safetensors file of float32 tensors. Never throws on any input: every problem is a
 * catalogue error (E400–E416) with a JSON path into the header where one applies. The data is
 * copied into fresh Float32Arrays, so `bytes` may be reused afterwards.
 */
export function readSafetensors(bytes: Uint8Array, options: ReadOptions = {}): Result<SafetensorsFile> {
  const maxHeader = options.maxHeaderBytes ?? DEFAULT_MAX_HEADER_BYTES;
  const maxTensor = options.maxTensorBytes ?? Infinity;
  if (bytes.length < 8) {
    return refuse('E400', `the file has ${bytes.length} byte${bytes.length === 1 ? '' : 's'}; a safetensors file starts with 8 bytes that give the header length`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // Compared as a bigint first: a u64 past 2^53 does not survive conversion to a number.
  const claimed = view.getBigUint64(0, true);
  if (claimed > BigInt(Number.MAX_SAFE_INTEGER) || Number(claimed) > maxHeader) {
    return refuse('E402', `the header length says ${claimed} bytes; Unroll reads headers of at most ${maxHeader} bytes`);
  }
  const n = Number(claimed);
  if (n > bytes.length - 8) {
    return refuse('E401', `the header length says ${n} bytes but only ${bytes.length - 8} bytes follow the 8-byte length; the file is cut short or not safetensors`);
  }
  const headerBytes = bytes.subarray(8, 8 + n);
  let text: string;
  try {
    // ignoreBOM keeps a byte-order mark in the text, where the "{" check refuses it as the reference does.
    // Browsers refuse to decode views of a SharedArrayBuffer: those are copied first.
    const own = headerBytes.buffer instanceof ArrayBuffer ? headerBytes : headerBytes.slice();
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(own);
  } catch {
    const at = firstInvalidUtf8(headerBytes);
    const where = at >= 0 ? `byte ${8 + at} of the file (0x${headerBytes[at]!.toString(16).padStart(2, '0')}, header byte ${at})` : 'a byte';
    return refuse('E403', `the header is not UTF-8 text: ${where} does not start or continue a valid character`);
  }

  const dataStart = 8 + n;
  const dataBytes = bytes.length - dataStart;
  const problems = new Problems();
  const header = readHeader(text, dataBytes, maxTensor, problems);
  if (header === undefined) return { ok: false, errors: problems.items };

  const entries = [...header.entries].sort((a, b) => compareNames(a.name, b.name));
  const tensors = new Map<string, NamedTensor>();
  for (const e of entries) {
    progress();
    tensors.set(e.name, { name: e.name, shape: e.shape, data: readFloats(bytes, dataStart + e.begin, (e.end - e.begin) / 4) });
  }
  return { ok: true, value: { tensors, metadata: header.metadata } };
}

/** `count` little-endian floats from byte `at`, in a fresh array; `bytewise` as for `writeFloats`. Exported for tests. */
export function readFloats(bytes: Uint8Array, at: number, count: number, bytewise = LITTLE_ENDIAN): Float32Array {
  const out = new Float32Array(count);
  if (bytewise) {
    new Uint8Array(out.buffer).set(bytes.subarray(at, at + count * 4));
    return out;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset + at, count * 4);
  for (let i = 0; i < count; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}
