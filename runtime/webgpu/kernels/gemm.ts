/**
 * Batched matrix product C (+)= op(A)·op(B) (as in cpu/kernels/gemm.ts, {@link GemmSpec}). Small
 * products run on a direct kernel (one thread per element of C, see {@link DIRECT_MACS}); the rest
 * on a tiled shared-memory kernel. A workgroup of `wy × wx` threads owns a `TM × TN` tile of one C
 * (`TM = wy·rm`, `TN = wx·rn`); each thread keeps `rm × rn` sums in registers while the
 * workgroup walks K in slabs of {@link TK}, staging a `TM × TK` slab of op(A) and a `TK × TN` slab
 * of op(B) in workgroup memory. Shapes, transposes, strides and leading dimensions are baked into
 * the shader (the same every time step); only the three base offsets are in the record.
 */
import type { Instr } from '../../compile/instr.ts';
import type { GemmSpec } from '../../cpu/kernels/gemm.ts';
import { grid, WG, type GpuKernel } from './kernel.ts';

type Gemm = Extract<Instr, { k: 'gemm' }>;

/** Depth of the K slab staged in workgroup memory per step. */
export const TK = 16;
/** Largest tile side: two padded 64×16 slabs are about 8 KiB of the 16 KiB workgroup storage. */
const MAX_TILE = 64;
/** Workgroups below which a bigger register block would leave a real GPU's cores idle. */
const MIN_GROUPS = 128;
/**
 * Products of fewer multiply-adds than this run on the direct kernel: one thread per element of
 * C, no workgroup memory, no barriers. A recurrent step's products are mostly this small (batch
 * 32, hidden 32: 131k), where tiling buys nothing on a GPU and barriers cost a software
 * rasteriser dearly (SwiftShader: 5.8 ms per tiled product of that size, see the note in the README).
 */
export const DIRECT_MACS = 1 << 21;

/** Whether a product runs on the direct kernel. */
export function isDirect(s: GemmSpec): boolean {
  const items = s.batch <= 1 || s.cStride !== 0 ? s.batch : s.accumulate ? s.batch : 1;
  return s.M * s.N * Math.max(1, s.K) * Math.max(1, items) < DIRECT_MACS;
}

/** The direct kernel: thread (p, i, j) computes element (i, j) of item p's C with one loop over K. */
function directSource(s: GemmSpec): string {
  const { M, N, K, transA, transB } = s;
  const mode: BatchMode = s.batch <= 1 || s.cStride !== 0 ? 'items' : s.accumulate ? 'sum' : 'last';
  const lda = s.lda ?? (transA ? M : K);
  const ldb = s.ldb ?? (transB ? K : N);
  const ldc = s.ldc ?? N;
  const [ai, ak] = transA ? [1, lda] : [lda, 1];
  const [bk, bj] = transB ? [1, ldb] : [ldb, 1];
  const total = M * N * (mode === 'items' ? s.batch : 1);
  const dot = (q: string): string => /* wgsl */ `{
    let ao = u(0) + ${q} * ${s.aStride}u + i * ${ai}u;
    let bo = u(1) + ${q} * ${s.bStride}u + j * ${bj}u;
    for (var k = 0u; k < ${K}u; k++) { acc += mem[ao + k * ${ak}u] * mem[bo + k * ${bk}u]; }
  }`;
  const body = mode === 'sum' ? `for (var q = 0u; q < ${s.batch}u; q++) ${dot('q')}` : dot(mode === 'last' ? `${s.batch - 1}u` : 'p');
  return /* wgsl */ `
@compute @workgroup_size(${WG}) fn main(@builtin(global_invocation_id) g: vec3<u32>, @builtin(num_workgroups) nw: vec3<u32>) {
  let idx = flat(g, nw);
  if (idx >= ${total}u) { return; }
  let j = idx % ${Math.max(1, N)}u;
  let i = (idx / ${Math.max(1, N)}u) % ${Math.max(1, M)}u;
  let p = idx / ${Math.max(1, M * N)}u;
  var acc = 0.0;
  ${body}
  let o = u(2) + p * ${s.cStride}u + i * ${ldc}u + j;
  mem[o] = ${s.accumulate ? 'mem[o] + acc' : 'acc'};
}`;
}

/**
 * How batch items map to threads. `items`: one item per workgroup (each writes its own C).
 * `sum`: `cStride = 0` with `accumulate`, every item adds into one C, so each thread loops over
 * the items itself (a race-free, deterministic sum). `last`: `cStride = 0` without `accumulate`,
 * where on the CPU the last item's product overwrites the others, so only that one is computed.
 */
export type BatchMode = 'items' | 'sum' | 'last';

/** The shape of a workgroup and its register block (threads `wx·wy ≤ 256`, tile sides ≤ 64). */
export interface GemmTiling {
  readonly wx: number;
  readonly wy: number;
  readonly rm: number;
  readonly rn: number;
  readonly mode: BatchMode;
}

const pow2 = (n: number): number => 2 ** Math.ceil(Math.log2(Math.max(1, n)));
const div = (a: number, b: number): number => Math.ceil(a / b);

/**
 * The tiling for a product: threads cover the tile in both directions (a skinny C gets a
 * skinny workgroup instead of idle threads), and the register block grows (1 → 2 → 4 per side)
 * while enough workgroups remain to fill a GPU.
 */
export function gemmTiling(s: GemmSpec): GemmTiling {
  const mode: BatchMode = s.batch <= 1 || s.cStride !== 0 ? 'items' : s.accumulate ? 'sum' : 'last';
  const parallel = mode === 'items' ? s.batch : 1;
  let wy = Math.min(16, pow2(s.M));
  const wx = Math.min(MAX_TILE, 256 / wy, pow2(s.N));
  wy = Math.min(MAX_TILE, 256 / wx, pow2(s.M));
  let rm = 1;
  let rn = 1;
  const fits = (tm: number, tn: number): boolean => tm <= MAX_TILE && tn <= MAX_TILE && tm <= s.M && tn <= s.N && div(s.M, tm) * div(s.N, tn) * parallel >= MIN_GROUPS;
  while (rm < 4 && fits(wy * rm * 2, wx * rn * 2)) {
    rm *= 2;
    rn *= 2;
  }
  return { wx, wy, rm, rn, mode };
}

/** Workgroups in all: tiles of C times the items computed in parallel. */
function groupCount(s: GemmSpec, t: GemmTiling): number {
  return div(s.N, t.wx * t.rn) * div(s.M, t.wy * t.rm) * (t.mode === 'items' ? s.batch : 1);
}

function source(s: GemmSpec): string {
  const t = gemmTiling(s);
  const { M, N, K, transA, transB } = s;
  const lda = s.lda ?? (transA ? M : K);
  const ldb = s.ldb ?? (transB ? K : N);
  const ldc = s.ldc ?? N;
  // Element (i, k) of op(A) sits at ai·i + ak·k; element (k, j) of op(B) at bk·k + bj·j.
  const [ai, ak] = transA ? [1, lda] : [lda, 1];
  const [bk, bj] = transB ? [1, ldb] : [ldb, 1];
  const TM = t.wy * t.rm;
  const TN = t.wx * t.rn;
  const NT = t.wx * t.wy;
  // Slab rows padded by one so that storing a column-walking load does not hit one bank.
  const AP = TM + 1;
  const BP = TN + 1;
  // At least 1 so an empty product (never dispatched) still compiles.
  const GX = Math.max(1, div(N, TN));
  const GY = Math.max(1, div(M, TM));
  const rows = Array.from({ length: t.rm }, (_, r) => r);
  const cols = Array.from({ length: t.rn }, (_, c) => c);
  const sums = rows.flatMap((r) => cols.map((c) => `c${r}_${c}`));
  // Loads walk the operand's contiguous direction with consecutive threads (coalesced reads).
  const loadA = transA ? `let ii = e % ${TM}u; let kk = e / ${TM}u;` : `let kk = e % ${TK}u; let ii = e / ${TK}u;`;
  const loadB = transB ? `let kk = e % ${TK}u; let jj = e / ${TK}u;` : `let jj = e % ${TN}u; let kk = e / ${TN}u;`;
  const slabs = /* wgsl */ `
    for (var k0 = 0u; k0 < ${K}u; k0 += ${TK}u) {
      for (var e = tid; e < ${TM * TK}u; e += ${NT}u) {
        ${loadA}
        let gi = m0 + ii;
        let gk = k0 + kk;
        var v = 0.0;
        if (gi < ${M}u && gk < ${K}u) { v = mem[ao + gi * ${ai}u + gk * ${ak}u]; }
        As[kk * ${AP}u + ii] = v;
      }
      for (var e = tid; e < ${TK * TN}u; e += ${NT}u) {
        ${loadB}
        let gk = k0 + kk;
        let gj = n0 + jj;
        var v = 0.0;
        if (gk < ${K}u && gj < ${N}u) { v = mem[bo + gk * ${bk}u + gj * ${bj}u]; }
        Bs[kk * ${BP}u + jj] = v;
      }
      workgroupBarrier();
      for (var k = 0u; k < ${TK}u; k++) {
        ${rows.map((r) => `let a${r} = As[k * ${AP}u + l.y + ${r * t.wy}u];`).join(' ')}
        ${cols.map((c) => `let b${c} = Bs[k * ${BP}u + l.x + ${c * t.wx}u];`).join(' ')}
        ${rows.flatMap((r) => cols.map((c) => `c${r}_${c} += a${r} * b${c};`)).join(' ')}
      }
      workgroupBarrier();
    }`;
  const item = (q: string): string => `let ao = u(0) + ${q} * ${s.aStride}u; let bo = u(1) + ${q} * ${s.bStride}u;`;
  const body =
    t.mode === 'sum'
      ? `for (var q = 0u; q < ${s.batch}u; q++) { ${item('q')} ${slabs} }`
      : `{ ${item(t.mode === 'last' ? `${s.batch - 1}u` : 'p')} ${slabs} }`;
  const stores = rows.flatMap((r) =>
    cols.map(
      (c) => `{ let gi = m0 + l.y + ${r * t.wy}u; let gj = n0 + l.x + ${c * t.wx}u;
    if (gi < ${M}u && gj < ${N}u) { let o = co + gi * ${ldc}u + gj; mem[o] = ${s.accumulate ? `mem[o] + c${r}_${c}` : `c${r}_${c}`}; } }`,
    ),
  );
  return /* wgsl */ `
var<workgroup> As: array<f32, ${TK * AP}>;
var<workgroup> Bs: array<f32, ${TK * BP}>;
@compute @workgroup_size(${t.wx}, ${t.wy}) fn main(@builtin(local_invocation_id) l: vec3<u32>, @builtin(workgroup_id) w: vec3<u32>, @builtin(num_workgroups) nw: vec3<u32>) {
  // The workgroup's index (uniform: built from workgroup ids only, so the barriers stay legal).
  let wi = w.x + w.y * nw.x;
  if (wi >= ${groupCount(s, t)}u) { return; }
  let n0 = (wi % ${GX}u) * ${TN}u;
  let m0 = ((wi / ${GX}u) % ${GY}u) * ${TM}u;
  let p = wi / ${GX * GY}u;
  let tid = l.y * ${t.wx}u + l.x;
  ${sums.map((v) => `var ${v} = 0.0;`).join(' ')}
  ${body}
  let co = u(2) + p * ${s.cStride}u;
  ${stores.join('\n  ')}
}`;
}

/** `C (+)= op(A)·op(B)` for every batch item; pipelines are keyed on the whole spec (offsets are in the record). */
export const gemm: GpuKernel<Gemm> = {
  key: ({ spec: s }) =>
    `${s.M}x${s.N}x${s.K}${s.transA ? ' tA' : ''}${s.transB ? ' tB' : ''}${s.accumulate ? ' acc' : ''} b${s.batch} s${s.aStride},${s.bStride},${s.cStride} ld${s.lda ?? '-'},${s.ldb ?? '-'},${s.ldc ?? '-'}`,
  wgsl: (i) => (isDirect(i.spec) ? directSource(i.spec) : source(i.spec)),
  record: (i, c) => [c.at(i.a), c.at(i.b), c.at(i.c)],
  workgroups: ({ spec: s }) => {
    // Nothing to do: an empty C, or K = 0 when accumulating (C stays as it is).
    if (s.M <= 0 || s.N <= 0 || s.batch <= 0 || (s.K <= 0 && s.accumulate)) return [0, 1, 1];
    if (isDirect(s)) return grid(s.M * s.N * (gemmTiling(s).mode === 'items' ? s.batch : 1));
    const n = groupCount(s, gemmTiling(s));
    return n <= 65535 ? [n, 1, 1] : [65535, div(n, 65535), 1];
  },
};
