/**
 * WGSL of the GPU optimiser step (optimizer.ts): a two-stage global-norm reduction, the fused
 * backup-and-update kernel, the non-finite check's final reduction, and the restore kernel of
 * `undo`. Every kernel sees the optimiser's whole buffer as one `array<u32>` (floats are bitcast
 * on load and store, so indices and flags stored in the scratch region keep their exact bits) and
 * the hyper-parameters in a small uniform `h`.
 *
 * Work is split over a fixed number of workgroups `h.groups` (a function of the element count
 * only), each thread striding over the elements, and partial results are combined in a fixed
 * tree: the same gradients always give the same bits.
 */
import type { OptimizerKind } from '../train/optimizers.ts';

/** Threads per workgroup. */
export const OPT_WG = 256;
/** Most workgroups of the strided kernels (their partials fit the scratch region). */
export const MAX_GROUPS = 1024;
/** u32 words of the scratch header (results) before the partials. */
export const SCRATCH_HEADER = 64;
/** Scratch words in all: the header, three norm partials and one check partial per workgroup. */
export const SCRATCH_WORDS = SCRATCH_HEADER + 4 * MAX_GROUPS;

/** Header words of the scratch region, read back after a step. */
export const SCRATCH = {
  /** Norm = scale · √sumsq over the finite, normal gradient elements (f32 bits each). */
  scale: 0,
  sumsq: 1,
  /** 0: every gradient finite; 1: some infinite, none NaN; 2: some NaN (u32). */
  nonFinite: 2,
  /** Factor applied to the gradients (f32 bits; 1 when not clipped). */
  clipScale: 3,
  /** 1 when the gradients were clipped (u32). */
  clipped: 4,
  /** Index of the first non-finite weight element after the step, or NO_BAD (u32). */
  bad: 5,
} as const;

/** The check's sentinel: no weight element is non-finite. */
export const NO_BAD = 0xffffffff;

/** Fields of the uniform, in order (u32 words; the last eleven are f32 bits). */
export const HYPER_FIELDS = ['n', 'groups', 'w', 'g', 's0', 's1', 'bw', 'bs0', 'bs1', 'scratch', 'first', 'wdOn', 'lr', 'wd', 'mu', 'b1', 'b2', 'a1', 'a2', 'nss', 'bc2s', 'eps', 'clip'] as const;
/** Bytes of the uniform buffer. */
export const HYPER_BYTES = 256;

const HEADER = /* wgsl */ `
@group(0) @binding(0) var<storage, read_write> mem: array<u32>;
struct Hyper {
${HYPER_FIELDS.map((f, i) => `  ${f}: ${i < 12 ? 'u32' : 'f32'},`).join('\n')}
};
@group(0) @binding(1) var<uniform> h: Hyper;
const WG = ${OPT_WG}u;
const HEAD = ${SCRATCH_HEADER}u;
const MAXG = ${MAX_GROUPS}u;
const NO_BAD = ${NO_BAD}u;
fn ld(i: u32) -> f32 { return bitcast<f32>(mem[i]); }
fn st(i: u32, x: f32) { mem[i] = bitcast<u32>(x); }
// On the bits: a compiler may fold x != x away, never an integer test.
fn finite(x: f32) -> bool { return (bitcast<u32>(x) & 0x7f800000u) != 0x7f800000u; }

var<workgroup> ws: array<f32, ${OPT_WG}>;
var<workgroup> wq: array<f32, ${OPT_WG}>;
var<workgroup> wf: array<u32, ${OPT_WG}>;

// Two (scale, Σ(x/scale)²) pairs as one: the larger scale stays, the other sum is rescaled to it.
fn comb(a: vec2<f32>, b: vec2<f32>) -> vec2<f32> {
  var hi = a;
  var lo = b;
  if (b.x > a.x) { hi = b; lo = a; }
  if (hi.x == 0.0) { return vec2<f32>(0.0, 0.0); }
  let r = lo.x / hi.x;
  return vec2<f32>(hi.x, hi.y + lo.y * r * r);
}

// Fixed-order tree over the workgroup's pairs and flags; the result lands in slot 0.
fn tree_norm(t: u32) {
  for (var s = WG / 2u; s > 0u; s = s >> 1u) {
    workgroupBarrier();
    if (t < s) {
      let c = comb(vec2<f32>(ws[t], wq[t]), vec2<f32>(ws[t + s], wq[t + s]));
      ws[t] = c.x;
      wq[t] = c.y;
      wf[t] = max(wf[t], wf[t + s]);
    }
  }
  workgroupBarrier();
}

fn tree_min(t: u32) {
  for (var s = WG / 2u; s > 0u; s = s >> 1u) {
    workgroupBarrier();
    if (t < s) { wf[t] = min(wf[t], wf[t + s]); }
  }
  workgroupBarrier();
}
`;

/**
 * Stage 1 of the norm: each workgroup's (scale, sumsq, flag) over its strided share of the
 * gradients, LAPACK's scaled sum of squares (dnrm2), so gradients of 1e-20 or 1e20 neither flush
 * to zero nor overflow when squared. Zeros and subnormals are skipped (their squares are below
 * anything float32 can add to a normal norm, and a GPU may flush them inconsistently).
 */
const NORM_PARTIAL = /* wgsl */ `
@compute @workgroup_size(${OPT_WG})
fn norm_partial(@builtin(local_invocation_id) l: vec3<u32>, @builtin(workgroup_id) wg: vec3<u32>) {
  let t = l.x;
  var s = 0.0;
  var q = 0.0;
  var f = 0u;
  let stride = h.groups * WG;
  for (var i = wg.x * WG + t; i < h.n; i = i + stride) {
    let b = mem[h.g + i];
    let e = b & 0x7f800000u;
    if (e == 0x7f800000u) {
      f = max(f, select(1u, 2u, (b & 0x007fffffu) != 0u));
    } else if (e != 0u) {
      let a = bitcast<f32>(b & 0x7fffffffu);
      if (a > s) {
        let r = s / a;
        q = 1.0 + q * r * r;
        s = a;
      } else {
        let r = a / s;
        q = q + r * r;
      }
    }
  }
  ws[t] = s;
  wq[t] = q;
  wf[t] = f;
  tree_norm(t);
  if (t == 0u) {
    let o = h.scratch + HEAD + 3u * wg.x;
    st(o, ws[0]);
    st(o + 1u, wq[0]);
    mem[o + 2u] = wf[0];
  }
}
`;

/**
 * Stage 2 (one workgroup): the partials into the norm, and the clip factor of
 * torch.nn.utils.clip_grad_norm_, `clip / (norm + 1e-6)` when `clip > 0` and `norm > clip`.
 * `scale·√sumsq` overflows float32 above 3.4e38 although the norm is finite (the CPU sums in
 * float64): the norm is then above any clip, and the factor is formed as `(clip / scale) / √sumsq`.
 */
const NORM_FINAL = /* wgsl */ `
@compute @workgroup_size(${OPT_WG})
fn norm_final(@builtin(local_invocation_id) l: vec3<u32>) {
  let t = l.x;
  var c = vec2<f32>(0.0, 0.0);
  var f = 0u;
  for (var k = t; k < h.groups; k = k + WG) {
    let o = h.scratch + HEAD + 3u * k;
    c = comb(c, vec2<f32>(ld(o), ld(o + 1u)));
    f = max(f, mem[o + 2u]);
  }
  ws[t] = c.x;
  wq[t] = c.y;
  wf[t] = f;
  tree_norm(t);
  if (t == 0u) {
    let s = ws[0];
    let q = wq[0];
    var factor = 1.0;
    var clipped = 0u;
    if (wf[0] == 0u && h.clip > 0.0) {
      let norm = s * sqrt(q);
      if (norm > h.clip) {
        clipped = 1u;
        if (finite(norm)) { factor = h.clip / (norm + 1e-6); } else { factor = (h.clip / s) / sqrt(q); }
      }
    }
    st(h.scratch + ${SCRATCH.scale}u, s);
    st(h.scratch + ${SCRATCH.sumsq}u, q);
    mem[h.scratch + ${SCRATCH.nonFinite}u] = wf[0];
    st(h.scratch + ${SCRATCH.clipScale}u, factor);
    mem[h.scratch + ${SCRATCH.clipped}u] = clipped;
  }
}
`;

/** The update of one element in torch 1.13's operation order (optimizers.ts), per kind. */
function updateBody(kind: OptimizerKind): string {
  if (kind === 'sgd') return 'w = w0 + (-h.lr) * d;';
  if (kind === 'momentum') {
    return `var b = d;
      if (h.first == 0u) { b = b0 * h.mu + d; }
      st(h.s0 + i, b);
      w = w0 + (-h.lr) * b;`;
  }
  return `let m = m0 * h.b1 + h.a1 * d;
      let v = v0 * h.b2 + h.a2 * d * d;
      st(h.s0 + i, m);
      st(h.s1 + i, v);
      let denom = sqrt(v) / h.bc2s + h.eps;
      w = w0 + (h.nss * m) / denom;`;
}

/**
 * The step: every element's weight and slots are copied to the backup (always, so `undo` after a
 * skipped step restores what is there), then updated unless some gradient was non-finite, and
 * each workgroup records the smallest index whose new weight is non-finite. The backup is a kernel,
 * not a copy command: WebGPU refuses a buffer-to-buffer copy within one buffer.
 */
function update(kind: OptimizerKind): string {
  const slots = kind === 'sgd' ? 0 : kind === 'momentum' ? 1 : 2;
  const load = [
    slots >= 1 ? `let ${slots === 1 ? 'b0' : 'm0'} = ld(h.s0 + i); st(h.bs0 + i, ${slots === 1 ? 'b0' : 'm0'});` : '',
    slots >= 2 ? 'let v0 = ld(h.s1 + i); st(h.bs1 + i, v0);' : '',
  ].join('\n    ');
  return /* wgsl */ `
@compute @workgroup_size(${OPT_WG})
fn update(@builtin(local_invocation_id) l: vec3<u32>, @builtin(workgroup_id) wg: vec3<u32>) {
  let t = l.x;
  let skip = mem[h.scratch + ${SCRATCH.nonFinite}u] != 0u;
  let factor = ld(h.scratch + ${SCRATCH.clipScale}u);
  var bad = NO_BAD;
  let stride = h.groups * WG;
  for (var i = wg.x * WG + t; i < h.n; i = i + stride) {
    let w0 = ld(h.w + i);
    st(h.bw + i, w0);
    ${load}
    var w = w0;
    if (!skip) {
      let g = ld(h.g + i) * factor;
      // torch adds the decay only when it is non-zero (0·∞ would be NaN).
      var d = g;
      if (h.wdOn != 0u) { d = g + h.wd * w0; }
      ${updateBody(kind)}
      st(h.w + i, w);
    }
    if (!finite(w) && bad == NO_BAD) { bad = i; }
  }
  wf[t] = bad;
  tree_min(t);
  if (t == 0u) { mem[h.scratch + HEAD + 3u * MAXG + wg.x] = wf[0]; }
}
`;
}

/** The check's stage 2 (one workgroup): the smallest non-finite index over all workgroups. */
const CHECK_FINAL = /* wgsl */ `
@compute @workgroup_size(${OPT_WG})
fn check_final(@builtin(local_invocation_id) l: vec3<u32>) {
  let t = l.x;
  var bad = NO_BAD;
  for (var k = t; k < h.groups; k = k + WG) { bad = min(bad, mem[h.scratch + HEAD + 3u * MAXG + k]); }
  wf[t] = bad;
  tree_min(t);
  if (t == 0u) { mem[h.scratch + ${SCRATCH.bad}u] = wf[0]; }
}
`;

/** `undo`: weights and slots back from the backup. */
function restore(slots: number): string {
  return /* wgsl */ `
@compute @workgroup_size(${OPT_WG})
fn restore(@builtin(local_invocation_id) l: vec3<u32>, @builtin(workgroup_id) wg: vec3<u32>) {
  let stride = h.groups * WG;
  for (var i = wg.x * WG + l.x; i < h.n; i = i + stride) {
    mem[h.w + i] = mem[h.bw + i];
    ${slots >= 1 ? 'mem[h.s0 + i] = mem[h.bs0 + i];' : ''}
    ${slots >= 2 ? 'mem[h.s1 + i] = mem[h.bs1 + i];' : ''}
  }
}
`;
}

/** Entry points of the module, in the order a step dispatches them (restore is `undo`'s). */
export const ENTRY_POINTS = ['norm_partial', 'norm_final', 'update', 'check_final', 'restore'] as const;
export type EntryPoint = (typeof ENTRY_POINTS)[number];

/** The whole module for an optimiser kind (its only specialisation: offsets and values are in `h`). */
export function optimizerWgsl(kind: OptimizerKind): string {
  const slots = kind === 'sgd' ? 0 : kind === 'momentum' ? 1 : 2;
  return HEADER + NORM_PARTIAL + NORM_FINAL + update(kind) + CHECK_FINAL + restore(slots);
}
