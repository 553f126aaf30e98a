/**
 * Test helpers for the strided kernels (not used by the kernels): operand layouts as the planner
 * produces them (dense, transposed, slices of bigger tensors, broadcasts) and a naive odometer
 * over the unsimplified iteration space.
 */
import fc from 'fast-check';

/** One operand's view: element strides per axis of the iteration shape, plus a base offset. */
export interface Layout {
  strides: number[];
  offset: number;
  /** Elements the buffer needs: one past the largest offset the view reaches. */
  size: number;
}

/** Row-major strides of `dims`. */
export function denseStrides(dims: readonly number[]): number[] {
  const s = new Array<number>(dims.length).fill(0);
  let acc = 1;
  for (let d = dims.length - 1; d >= 0; d--) {
    s[d] = acc;
    acc *= dims[d]!;
  }
  return s;
}

/** Calls `visit` with the per-operand offsets of every index of `shape`, in row-major order. */
export function forEachIndex(shape: readonly number[], layouts: readonly Layout[], visit: (offsets: number[]) => void): void {
  if (shape.some((n) => n === 0)) return;
  const idx = new Array<number>(shape.length).fill(0);
  for (;;) {
    visit(layouts.map((l) => l.offset + idx.reduce((s, i, d) => s + i * l.strides[d]!, 0)));
    let d = shape.length - 1;
    while (d >= 0 && ++idx[d]! === shape[d]!) idx[d--] = 0;
    if (d < 0) return;
  }
}

/**
 * A layout for `shape`: dense storage whose axes are stored in the order `perm` (identity =
 * row-major) inside a buffer `pad[d]` bigger per axis (a slice of a bigger tensor), starting at
 * `offset`, with the axes in `broadcast` given stride 0.
 */
export function makeLayout(shape: readonly number[], perm: readonly number[], pad: readonly number[], broadcast: readonly boolean[], offset: number): Layout {
  const stored = perm.map((d) => shape[d]! + pad[d]!);
  const storedStrides = denseStrides(stored);
  const strides = shape.map((_, d) => (broadcast[d] ? 0 : storedStrides[perm.indexOf(d)]!));
  const reach = shape.reduce((s, n, d) => s + Math.max(n - 1, 0) * strides[d]!, 0);
  return { strides, offset, size: offset + reach + 1 };
}

/** fast-check arbitrary for a layout of `shape`; `allowBroadcast` false keeps it injective. */
export function layoutArb(shape: readonly number[], allowBroadcast: boolean): fc.Arbitrary<Layout> {
  const r = shape.length;
  const perm = fc.oneof(
    fc.constant(shape.map((_, d) => d)),
    fc.shuffledSubarray(
      shape.map((_, d) => d),
      { minLength: r, maxLength: r },
    ),
  );
  const pad = fc.oneof(fc.constant(new Array<number>(r).fill(0)), fc.array(fc.nat(2), { minLength: r, maxLength: r }));
  const bc = allowBroadcast
    ? fc.oneof(fc.constant(new Array<boolean>(r).fill(false)), fc.array(fc.boolean(), { minLength: r, maxLength: r }))
    : fc.constant(new Array<boolean>(r).fill(false));
  return fc.tuple(perm, pad, bc, fc.nat(6)).map(([p, q, b, o]) => makeLayout(shape, p, q, b, o));
}

/** Shapes of rank 0–6 with small axes (0 included) and at most ~400 elements. */
export const shapeArb: fc.Arbitrary<number[]> = fc
  .array(fc.oneof(fc.integer({ min: 1, max: 4 }), fc.constantFrom(1, 0, 5, 7)), { minLength: 0, maxLength: 6 })
  .filter((s) => s.reduce((a, b) => a * b, 1) <= 400);
