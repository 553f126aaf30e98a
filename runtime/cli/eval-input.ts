/**
 * The `X.json` file of `unroll eval`: data for every source of a graph, one entry per example.
 *
 * ```json
 * { "x": [[3, 1, 4], [1, 5]],        // token sequence: ids per step (lengths may differ)
 *   "v": [[[0.1, 0.2], [0.3, 0.4]]],  // vector sequence: one array of `size` numbers per step
 *   "y": [1, 0] }                     // one value per example (sequence: false)
 * ```
 * Keys are source node ids (`input` and `target` nodes); every source the graph uses must be given
 * and all must list the same number of examples. Sequences on one time axis must have equal
 * lengths per example; shorter examples are padded and masked.
 */
import { unrollError, type Result, type UnrollError } from '../errors/catalogue.ts';
import { jsonPath } from '../graph/types.ts';
import type { GraphAnalysis } from '../validate/types.ts';
import type { FeedData, SourceData } from '../train/pass.ts';

export interface EvalInput {
  readonly feed: FeedData;
  /** Longest sequence of each time axis. */
  readonly lengths: Readonly<Record<string, number>>;
  /** Axes whose examples differ in length (padded and masked). */
  readonly masked: ReadonlySet<string>;
}

/** At most this many examples × elements, so a hostile file cannot make the runtime allocate gigabytes. */
const MAX_VALUES = 50_000_000;

export function readEvalInput(value: unknown, analysis: GraphAnalysis): Result<EvalInput> {
  const errors: UnrollError[] = [];
  const bad = (message: string, path: (string | number)[]): void => {
    errors.push(unrollError('E443', message, { path: jsonPath(path) }));
  };
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { ok: false, errors: [unrollError('E443', 'the input file must be an object with one key per source node, e.g. {"x": [[1, 2, 3]], "y": [0]}', { path: '$' })] };
  }
  const obj = value as Record<string, unknown>;
  const sources = analysis.doc.nodes.filter((n) => n.type === 'input' || n.type === 'target');
  const known = new Set(sources.map((n) => n.id));
  for (const k of Object.keys(obj)) if (!known.has(k)) bad(`"${k}" is not a source of the graph (sources: ${[...known].join(', ') || 'none'})`, [k]);

  let count: number | undefined;
  const perSource = new Map<string, { rows: unknown[]; seq?: string; dtype: string; shape: readonly number[]; vocab?: number }>();
  for (const n of sources) {
    const t = analysis.outputTypes.get(`${n.id}.out`);
    if (t === undefined) continue;
    const rows = obj[n.id];
    if (rows === undefined) {
      bad(`no data for source ${n.id}: give "${n.id}": [ …one entry per example… ]`, []);
      continue;
    }
    if (!Array.isArray(rows) || rows.length === 0) {
      bad(`${n.id} must be a non-empty array with one entry per example`, [n.id]);
      continue;
    }
    if (count !== undefined && rows.length !== count) bad(`${n.id} has ${rows.length} examples, the other sources ${count}`, [n.id]);
    count ??= rows.length;
    perSource.set(n.id, { rows, ...(t.seq !== undefined ? { seq: t.seq } : {}), dtype: t.dtype, shape: t.shape, ...(t.vocab !== undefined ? { vocab: t.vocab } : {}) });
  }
  if (errors.length > 0 || count === undefined) return { ok: false, errors: errors.length > 0 ? errors : [unrollError('E443', 'the graph has no sources to feed', { path: '$' })] };

  // Lengths per axis, per example.
  const axisLengths = new Map<string, number[]>();
  for (const [id, s] of perSource) {
    if (s.seq === undefined) continue;
    const lens = s.rows.map((r, b) => {
      if (!Array.isArray(r) || r.length === 0) {
        bad(`example ${b} of ${id} must be a non-empty array of steps`, [id, b]);
        return 0;
      }
      return r.length;
    });
    const prev = axisLengths.get(s.seq);
    if (prev !== undefined && prev.some((l, b) => l !== lens[b])) bad(`${id} runs along axis ${s.seq} but its example lengths differ from another source on that axis`, [id]);
    axisLengths.set(s.seq, lens);
  }
  if (errors.length > 0) return { ok: false, errors };

  const elemSize = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);
  let total = 0;
  for (const [, s] of perSource) total += count * elemSize(s.shape) * (s.seq !== undefined ? maxOf(axisLengths.get(s.seq)!) : 1);
  if (total > MAX_VALUES) return { ok: false, errors: [unrollError('E443', `the input holds ${total} values; eval reads at most ${MAX_VALUES}`, { path: '$' })] };

  const data = new Map<string, SourceData>();
  for (const [id, s] of perSource) {
    const E = elemSize(s.shape);
    const T = s.seq !== undefined ? maxOf(axisLengths.get(s.seq)!) : 0;
    const values = new Float32Array(count * Math.max(1, T) * E);
    const put = (v: unknown, at: number, path: (string | number)[]): void => {
      putElement(v, s.shape, s.dtype === 'int' ? s.vocab : undefined, values, at, path, bad);
    };
    s.rows.forEach((row, b) => {
      if (s.seq === undefined) put(row, b * E, [id, b]);
      else (row as unknown[]).forEach((step, t) => put(step, (b * T + t) * E, [id, b, t]));
    });
    data.set(id, { values, length: T });
    if (errors.length > 20) break;
  }
  if (errors.length > 0) return { ok: false, errors };
  const lengths: Record<string, number> = {};
  const masked = new Set<string>();
  const lens = new Map<string, ArrayLike<number>>();
  for (const [axis, l] of axisLengths) {
    lengths[axis] = maxOf(l);
    if (l.some((x) => x !== l[0])) masked.add(axis);
    lens.set(axis, Int32Array.from(l));
  }
  return { ok: true, value: { feed: { size: count, sources: data, lengths: lens }, lengths, masked } };
}

/** The largest of `xs` (a loop: spreading 10⁵ values into Math.max overflows the stack). */
function maxOf(xs: readonly number[]): number {
  let m = -Infinity;
  for (const x of xs) if (x > m) m = x;
  return m;
}

/** Largest float32. */
const FLOAT32_MAX = 3.4028234663852886e38;

/** A short description of a value for a message, without walking into it. */
function describe(v: unknown): string {
  if (typeof v === 'number') return String(v);
  if (typeof v === 'string') return JSON.stringify(v.length > 20 ? `${v.slice(0, 20)}…` : v);
  if (Array.isArray(v)) return `an array of ${v.length}`;
  return v === null ? 'null' : typeof v;
}

/**
 * Write one element of `shape` (nested arrays, exactly as deep as the shape) into `out` at `at`.
 * Checks every number (finite, within float32, an id in [0, vocab) for tokens); reports problems
 * through `bad` and returns true when there was one. Never descends deeper than the shape.
 */
function putElement(
  v: unknown,
  shape: readonly number[],
  vocab: number | undefined,
  out: Float32Array,
  at: number,
  path: (string | number)[],
  bad: (message: string, path: (string | number)[]) => void,
): boolean {
  if (shape.length === 0) {
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      bad(`expected a number, got ${describe(v)}`, path);
      return true;
    }
    if (Math.abs(v) > FLOAT32_MAX) {
      bad(`${v} is outside the float32 range (±3.4e38)`, path);
      return true;
    }
    if (vocab !== undefined && (!Number.isInteger(v) || v < 0 || v >= vocab)) {
      bad(`token id ${v} is not an integer in [0, ${vocab})`, path);
      return true;
    }
    out[at] = v;
    return false;
  }
  const [n, ...rest] = shape as [number, ...number[]];
  if (!Array.isArray(v) || v.length !== n) {
    bad(`expected ${shape.reduce((a, b) => a * b, 1)} numbers (shape [${shape.join(', ')}]), got ${describe(v)}`, path);
    return true;
  }
  const stride = rest.reduce((a, b) => a * b, 1);
  for (let i = 0; i < n; i++) if (putElement(v[i], rest, vocab, out, at + i * stride, [...path, i], bad)) return true;
  return false;
}
