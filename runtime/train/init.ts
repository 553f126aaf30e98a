/**
 * Weight initialisers: turn a block's `Init` description into numbers, following the matching
 * `torch.nn.init` function's definition (the draws themselves come from `Rng`, not from torch's
 * generator, so values match torch only in distribution and construction, not bit for bit).
 *
 * Random-number consumption order (part of the contract: the same seed gives the same weights):
 * - `zeros`, `constant`, `identity`: no draws.
 * - `uniform`, `glorot`: one `rng.uniform(−bound, bound)` per element, row-major.
 * - `normal`: one `std · rng.normal()` per element, row-major.
 * - `orthogonal`: block by block from the first rows, an `[r, c]` matrix of `rng.normal()` in
 *   row-major order per block, then a QR decomposition (no further draws).
 * - `rows`: the parts in order, each consuming what its own `init` does.
 */
import type { Init } from '../../blocks/types.ts';
import type { Rng } from './prng.ts';
import { progress } from '../progress.ts';

function checkShape(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new RangeError(`initTensor: bad dimension ${d} in shape [${shape.join(', ')}]`);
    n *= d;
  }
  return n;
}

/** Rows and columns of one of `blocks` stacked blocks: `[shape[0] / blocks, product of the rest]`. */
function blockDims(kind: string, shape: readonly number[], blocks: number): [number, number] {
  if (shape.length < 2) throw new RangeError(`initTensor: ${kind} needs a tensor of rank ≥ 2, got [${shape.join(', ')}]`);
  const rows = shape[0]!;
  if (!Number.isInteger(blocks) || blocks < 1 || rows % blocks !== 0) {
    throw new RangeError(`initTensor: ${kind} cannot split ${rows} rows into ${blocks} blocks`);
  }
  return [rows / blocks, shape.slice(1).reduce((a, b) => a * b, 1)];
}

/**
 * The Q factor of a tall matrix (m ≥ n) with torch's sign convention, i.e. the unique Q with
 * orthonormal columns such that A = Q·R and R has a non-negative diagonal. Householder reflections
 * (accurate to ~1e-15 in orthogonality, unlike Gram–Schmidt). `a` is column-major (column j is
 * `a[j·m, (j+1)·m)`) and is overwritten; the result is column-major `m × n`.
 */
function signCorrectedQ(a: Float64Array, m: number, n: number): Float64Array {
  const vs: Float64Array[] = [];
  const vNorms2 = new Float64Array(n);
  const rDiag = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    progress();
    const ck = k * m;
    let norm2 = 0;
    for (let i = k; i < m; i++) norm2 += a[ck + i]! * a[ck + i]!;
    const x0 = a[ck + k]!;
    // Reflect x onto −sign(x0)·‖x‖·e1 so that v = x − α·e1 never cancels.
    const alpha = x0 >= 0 ? -Math.sqrt(norm2) : Math.sqrt(norm2);
    const v = a.slice(ck + k, ck + m);
    v[0] = x0 - alpha;
    let vv = 0;
    for (const x of v) vv += x * x;
    rDiag[k] = alpha;
    vNorms2[k] = vv;
    vs.push(v);
    if (vv === 0) continue; // zero column: the reflection is the identity
    for (let j = k + 1; j < n; j++) reflect(a, j * m + k, v, vv);
  }
  // Q = H0·H1·…·H(n−1) applied to the first n columns of the identity, innermost first.
  const q = new Float64Array(m * n);
  for (let j = 0; j < n; j++) q[j * m + j] = 1;
  for (let k = n - 1; k >= 0; k--) {
    const vv = vNorms2[k]!;
    if (vv === 0) continue;
    // Columns j < k are still e_j, which is zero in rows ≥ k, so H_k leaves them alone.
    for (let j = k; j < n; j++) reflect(q, j * m + k, vs[k]!, vv);
  }
  // torch: q *= sign(diag(r)). A zero diagonal (a rank-deficient draw, probability 0) keeps +1 so
  // the column stays unit length instead of becoming zero as torch.sign(0) would make it.
  for (let k = 0; k < n; k++) {
    if (rDiag[k]! < 0) for (let i = 0; i < m; i++) q[k * m + i] = -q[k * m + i]!;
  }
  return q;
}

/** Applies H = I − 2·v·vᵀ/(vᵀv) to the column segment `x[off, off + v.length)` in place. */
function reflect(x: Float64Array, off: number, v: Float64Array, vv: number): void {
  let dot = 0;
  for (let i = 0; i < v.length; i++) dot += v[i]! * x[off + i]!;
  const s = (2 * dot) / vv;
  for (let i = 0; i < v.length; i++) x[off + i] = x[off + i]! - s * v[i]!;
}

/**
 * One `[r, c]` block like `torch.nn.init.orthogonal_`: draw a standard normal matrix, transpose it
 * when r < c, take the sign-corrected Q of its QR decomposition, transpose back, scale by `gain`.
 * The block has orthonormal rows when r ≤ c and orthonormal columns otherwise. Written row-major
 * into `out` at `offset`.
 */
function orthogonalBlock(out: Float64Array, offset: number, r: number, c: number, gain: number, rng: Rng): void {
  if (r === 0 || c === 0) return;
  const drawn = new Float64Array(r * c);
  for (let i = 0; i < drawn.length; i++) drawn[i] = rng.normal();
  if (r < c) {
    // The row-major [r, c] draw is the column-major storage of its transpose [c, r]; Q is [c, r]
    // column-major, which is the row-major storage of Qᵀ, the [r, c] block.
    const q = signCorrectedQ(drawn, c, r);
    for (let i = 0; i < q.length; i++) out[offset + i] = gain * q[i]!;
    return;
  }
  const colMajor = new Float64Array(r * c);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) colMajor[j * r + i] = drawn[i * c + j]!;
  const q = signCorrectedQ(colMajor, r, c);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[offset + i * c + j] = gain * q[j * r + i]!;
}

/**
 * A new tensor initialised as `init` describes, row-major, in float64 (the caller rounds to
 * float32 when storing weights).
 *
 * - `zeros` / `constant{value}`: every element 0 / `value`.
 * - `uniform{bound}`: U(−bound, bound). `normal{std}`: N(0, std²).
 * - `glorot`: U(−b, b) with b = √(6 / (fanIn + fanOut)), fanOut = shape[0], fanIn = product of the
 *   other dims (1 for rank 1). Rank 0 throws.
 * - `orthogonal{gain, blocks}`: the first axis is `blocks` stacked `[shape[0]/blocks, rest]` blocks
 *   (trailing dims flattened), each an independent `torch.nn.init.orthogonal_` matrix times `gain`.
 * - `identity{scale, blocks}`: each such block is `scale · eye(r, c)` (ones where row = column).
 * - `rows{parts}`: consecutive row ranges of the first axis, part i of shape `[parts[i].rows, ...rest]`
 *   initialised by `parts[i].init`; the rows must add up to shape[0].
 *
 * @param shape dims, each a non-negative integer; `[]` is a scalar.
 * @param rng consumed in the order given in the module comment.
 * @throws RangeError for a bad shape, a rank the init cannot handle, or mismatched blocks/rows.
 */
export function initTensor(init: Init, shape: readonly number[], rng: Rng): Float64Array {
  const out = new Float64Array(checkShape(shape));
  switch (init.kind) {
    case 'zeros':
      return out;
    case 'constant':
      return out.fill(init.value);
    case 'uniform':
      for (let i = 0; i < out.length; i++) {
        if ((i & 0xfffff) === 0) progress();
        out[i] = rng.uniform(-init.bound, init.bound);
      }
      return out;
    case 'normal':
      for (let i = 0; i < out.length; i++) {
        if ((i & 0xfffff) === 0) progress();
        out[i] = init.std * rng.normal();
      }
      return out;
    case 'glorot': {
      if (shape.length === 0) throw new RangeError('initTensor: glorot needs a tensor of rank ≥ 1');
      const fanOut = shape[0]!;
      const fanIn = shape.slice(1).reduce((a, b) => a * b, 1);
      const bound = Math.sqrt(6 / (fanIn + fanOut));
      for (let i = 0; i < out.length; i++) {
        if ((i & 0xfffff) === 0) progress();
        out[i] = rng.uniform(-bound, bound);
      }
      return out;
    }
    case 'orthogonal': {
      const [r, c] = blockDims('orthogonal', shape, init.blocks);
      for (let b = 0; b < init.blocks; b++) orthogonalBlock(out, b * r * c, r, c, init.gain, rng);
      return out;
    }
    case 'identity': {
      const [r, c] = blockDims('identity', shape, init.blocks);
      for (let b = 0; b < init.blocks; b++) {
        for (let i = 0; i < Math.min(r, c); i++) out[b * r * c + i * c + i] = init.scale;
      }
      return out;
    }
    case 'rows':
      return initRows(init.parts, shape, rng, out);
  }
}

function initRows(parts: readonly { readonly rows: number; readonly init: Init }[], shape: readonly number[], rng: Rng, out: Float64Array): Float64Array {
  if (shape.length === 0) throw new RangeError('initTensor: rows needs a tensor of rank ≥ 1');
  const total = parts.reduce((s, p) => s + p.rows, 0);
  if (total !== shape[0] || parts.some((p) => !Number.isInteger(p.rows) || p.rows < 0)) {
    throw new RangeError(`initTensor: rows parts [${parts.map((p) => p.rows).join(', ')}] do not add up to ${shape[0]} rows`);
  }
  const rest = shape.slice(1);
  const rowSize = rest.reduce((a, b) => a * b, 1);
  let row = 0;
  for (const part of parts) {
    out.set(initTensor(part.init, [part.rows, ...rest], rng), row * rowSize);
    row += part.rows;
  }
  return out;
}
