/**
 * Strided (broadcasting) elementwise kernels: `binary` (out (+)= alpha·f(a, b), as in
 * cpu/kernels/binary.ts) and `copy` (out (+)= alpha·src, as in cpu/kernels/strided-copy.ts),
 * over a {@link StridedSpec} of rank ≤ 6 whose shape and strides are baked into the shader.
 *
 * One thread owns one output element. Axes along which the output has stride 0 (size > 1) are
 * reductions: when accumulating, the owning thread loops over them itself, in the CPU's order
 * (outer axes first, innermost last), and adds `alpha·Σ` once — no two threads ever write one
 * element, so sums are race-free and the same every run. Without `accumulate` such an axis means
 * "the last write wins" on the CPU, so the thread computes only the last index.
 */
import type { Instr } from '../../compile/instr.ts';
import type { StridedSpec } from '../../cpu/kernels/strided.ts';
import { f32bits, grid, WG, type GpuKernel } from './kernel.ts';

type Binary = Extract<Instr, { k: 'binary' }>;
type Copy = Extract<Instr, { k: 'copy' }>;

/** f(x0, x1) of each binary op. */
const BINARY: Record<Binary['op'], string> = {
  add: 'x0 + x1',
  sub: 'x0 - x1',
  mul: 'x0 * x1',
  div: 'x0 / x1',
};

const product = (xs: readonly number[]): number => xs.reduce((a, b) => a * b, 1);

/** The axes of a spec split into the output's own (one thread per index) and the reduced ones (output stride 0, size > 1). */
export function stridedAxes(spec: StridedSpec): { kept: number[]; reduced: number[] } {
  const kept: number[] = [];
  const reduced: number[] = [];
  spec.shape.forEach((n, d) => (spec.strides[0]![d] === 0 && n > 1 ? reduced : kept).push(d));
  return { kept, reduced };
}

/** Output elements (threads): the product of the kept axes, or 0 when the space is empty. */
function outputs(spec: StridedSpec): number {
  if (product(spec.shape) === 0) return 0;
  return product(stridedAxes(spec).kept.map((d) => spec.shape[d]!));
}

/**
 * The shader for `out (+)= alpha·expr` where `expr` reads `x0` (and `x1`) from the inputs.
 * Record: `[out, in0, in1, alpha]` (element offsets, alpha's bits).
 */
function source(spec: StridedSpec, inputs: number, expr: string, acc: boolean): string {
  const { kept, reduced } = stridedAxes(spec);
  const ops = Array.from({ length: inputs + 1 }, (_, k) => k);
  const ptr = (k: number, level: number): string => (k === 0 ? 'o' : `p${k}_${level}`);
  // The thread's index → kept-axis indices, innermost fastest (adjacent threads, adjacent outputs).
  const live = kept.filter((d) => spec.shape[d]! > 1);
  const decompose = live
    .slice()
    .reverse()
    .map((d, n, all) => {
      const size = spec.shape[d]!;
      const last = n === all.length - 1;
      const x = last ? 'r' : `r % ${size}u`;
      const steps = ops.map((k) => `${ptr(k, 0)} += x * (${spec.strides[k]![d]!});`).join(' ');
      return `{ let x = i32(${x}); ${last ? '' : `r = r / ${size}u; `}${steps} }`;
    });
  const read = (level: number): string => ops.slice(1).map((k) => `let x${k - 1} = mem[u32(${ptr(k, level)})];`).join(' ');
  let body: string;
  if (acc && reduced.length > 0) {
    // Nested loops over the reduced axes, each level advancing a copy of the input pointers.
    let inner = `${read(reduced.length)} s += ${expr};`;
    for (let L = reduced.length - 1; L >= 0; L--) {
      const d = reduced[L]!;
      const copies = ops.slice(1).map((k) => `var ${ptr(k, L + 1)} = ${ptr(k, L)};`).join(' ');
      const steps = ops.slice(1).map((k) => `${ptr(k, L + 1)} += (${spec.strides[k]![d]!});`).join(' ');
      inner = `{ ${copies}\n    for (var j${L} = 0u; j${L} < ${spec.shape[d]!}u; j${L}++) { ${inner} ${steps} } }`;
    }
    body = `var s = 0.0;\n  ${inner}\n  mem[u32(o)] = mem[u32(o)] + pf(3) * s;`;
  } else {
    // No reduction, or the CPU's last-write-wins along output-stride-0 axes without acc.
    const lastIndex = reduced.flatMap((d) => ops.slice(1).map((k) => `${ptr(k, 0)} += (${(spec.shape[d]! - 1) * spec.strides[k]![d]!});`)).join(' ');
    const v = `pf(3) * (${expr})`;
    body = `${lastIndex}\n  ${read(0)}\n  mem[u32(o)] = ${acc ? `mem[u32(o)] + ${v}` : v};`;
  }
  return /* wgsl */ `
@compute @workgroup_size(${WG}) fn main(@builtin(global_invocation_id) g: vec3<u32>, @builtin(num_workgroups) nw: vec3<u32>) {
  let i = flat(g, nw);
  if (i >= ${outputs(spec)}u) { return; }
  var r = i;
  var o = i32(u(0));
  ${ops
    .slice(1)
    .map((k) => `var ${ptr(k, 0)} = i32(u(${k}));`)
    .join(' ')}
  ${decompose.join('\n  ')}
  ${body}
}`;
}

/** The specialisation key: shape and every operand's strides (offsets and alpha are in the record). */
const specKey = (s: StridedSpec): string => `[${s.shape.join(',')}] ${s.strides.map((x) => `(${x.join(',')})`).join(' ')}`;

/** `out (+)= alpha·f(a, b)`; `out` may be `a` or `b` visited in the same order (each thread reads its element before writing it). */
export const binary: GpuKernel<Binary> = {
  key: (i) => `${i.op}${i.acc ? ' acc' : ''} ${specKey(i.spec)}`,
  wgsl: (i) => source(i.spec, 2, BINARY[i.op], i.acc),
  record: (i, c) => [c.at(i.out), c.at(i.a), c.at(i.b), f32bits(i.alpha)],
  workgroups: (i) => grid(outputs(i.spec)),
};

/** `out (+)= alpha·src`: slices, concatenations, broadcasts and (accumulating) broadcast gradients. */
export const copy: GpuKernel<Copy> = {
  key: (i) => `${i.acc ? 'acc ' : ''}${specKey(i.spec)}`,
  wgsl: (i) => source(i.spec, 1, 'x0', i.acc),
  record: (i, c) => [c.at(i.out), c.at(i.src), 0, f32bits(i.alpha)],
  workgroups: (i) => grid(outputs(i.spec)),
};
