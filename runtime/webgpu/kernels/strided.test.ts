import { describe, expect, it } from 'vitest';
import type { Instr } from '../../compile/instr.ts';
import type { BinaryOp } from '../../cpu/kernels/binary.ts';
import { prepareStrided, type StridedSpec } from '../../cpu/kernels/strided.ts';
import { forEachIndex, makeLayout, type Layout } from '../../cpu/kernels/strided-cases.ts';
import { rng, uniform } from '../../cpu/kernels/test-support.ts';
import { instrSuite, cpuBackend, type InstrBackend } from '../testing/instr-backends.ts';
import { describeMismatch, mismatch } from '../testing/compare.ts';
import { stridedAxes } from './strided.ts';

const B = await instrSuite();

const at = (off: number) => ({ buf: 0, off });
const OPS: readonly BinaryOp[] = ['add', 'sub', 'mul', 'div'];
/** Each binary op, and the copy. */
type Kind = BinaryOp | 'copy';
const KINDS: readonly Kind[] = [...OPS, 'copy'];

const dense = (shape: readonly number[], offset = 0): Layout =>
  makeLayout(
    shape,
    shape.map((_, d) => d),
    shape.map(() => 0),
    shape.map(() => false),
    offset,
  );
const withStrides = (shape: readonly number[], strides: number[], offset = 0): Layout => ({
  strides,
  offset,
  size: offset + shape.reduce((s, n, d) => s + Math.max(n - 1, 0) * (strides[d]! < 0 ? 0 : strides[d]!), 0) + 1,
});

interface Case {
  readonly kind: Kind;
  readonly shape: readonly number[];
  readonly out: Layout;
  readonly a: Layout;
  /** Unused by copy. */
  readonly b: Layout;
  readonly acc: boolean;
  readonly alpha: number;
  /** Which operand `out` shares its region with (an in-place op). */
  readonly inPlace?: 'a' | 'b';
  /** Give the kernel the raw spec (size-1 axes, unmerged) instead of prepareStrided's. */
  readonly raw?: boolean;
}

const describeCase = (c: Case, spec: StridedSpec): string =>
  `${c.kind}${c.acc ? ' acc' : ''} alpha ${c.alpha}${c.inPlace ? ` in place (${c.inPlace})` : ''} shape [${c.shape.join(',')}] strides ${[c.out, c.a, c.b].map((l) => `(${l.strides.join(',')})`).join(' ')} → ${JSON.stringify(spec)}`;

/**
 * One case on `backend` against the CPU reference: every output element the iteration reaches
 * within 1e-4 (norm-wise), every other element of memory exactly untouched. Values are ±[0.5, 2)
 * so division stays well-conditioned.
 */
async function check(backend: InstrBackend, c: Case, seed: number): Promise<void> {
  const outBase = 2;
  const aBase = c.inPlace === 'a' ? outBase : outBase + c.out.size + 3;
  const bBase = c.inPlace === 'b' ? outBase : Math.max(aBase + c.a.size, outBase + c.out.size) + 3;
  const size = Math.max(bBase + c.b.size, aBase + c.a.size, outBase + c.out.size) + 3;
  const r = rng(seed);
  const mem = Array.from({ length: size }, () => Math.fround((r() < 0.5 ? -1 : 1) * uniform(r, 0.5, 2)));
  const strides = c.kind === 'copy' ? [c.out.strides, c.a.strides] : [c.out.strides, c.a.strides, c.b.strides];
  const spec: StridedSpec = c.raw === true ? { shape: c.shape, strides } : prepareStrided(c.shape, ...strides);
  const out = at(outBase + c.out.offset);
  const instr: Instr =
    c.kind === 'copy'
      ? { k: 'copy', spec, src: at(aBase + c.a.offset), out, acc: c.acc, alpha: c.alpha }
      : { k: 'binary', op: c.kind, spec, a: at(aBase + c.a.offset), b: at(bBase + c.b.offset), out, acc: c.acc, alpha: c.alpha };
  const [got, want] = await Promise.all([backend.run(mem, [instr]), cpuBackend.run(mem, [instr])]);
  const written = new Set<number>();
  forEachIndex(c.shape, [c.out], ([o]) => written.add(outBase + o!));
  const idx = [...written].sort((x, y) => x - y);
  const m = mismatch(
    idx.map((i) => got.memory[i]!),
    idx.map((i) => want.memory[i]!),
  );
  expect(describeMismatch(describeCase(c, spec), m && { ...m, index: idx[m.index]! })).toBe('');
  const strayed = mem.findIndex((v, i) => !written.has(i) && got.memory[i] !== v);
  expect(strayed, `${describeCase(c, spec)}: element ${strayed} outside the output changed`).toBe(-1);
}

/** Random layouts like the planner's (permuted axes, slices of bigger tensors, broadcasts); `out` broadcasts (a reduction) only when accumulating. */
function randomCases(count: number, seed: number): Case[] {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const cases: Case[] = [];
  while (cases.length < count) {
    const rank = Math.floor(r() * 7);
    const shape = Array.from({ length: rank }, () => (r() < 0.04 ? 0 : pick([1, 2, 3, 4, 5, 7])));
    if (shape.reduce((a, b) => a * b, 1) > 600) continue;
    const acc = r() < 0.5;
    const layout = (broadcast: boolean): Layout => {
      const perm = r() < 0.5 ? shape.map((_, d) => d) : shape.map((_, d) => d).sort(() => r() - 0.5);
      const pad = shape.map(() => (r() < 0.3 ? Math.floor(r() * 3) : 0));
      const bc = shape.map(() => broadcast && r() < 0.35);
      return makeLayout(shape, perm, pad, bc, Math.floor(r() * 5));
    };
    cases.push({ kind: pick(KINDS), shape, out: layout(acc), a: layout(true), b: layout(true), acc, alpha: pick([1, -2, 0.375]), raw: r() < 0.3 });
  }
  return cases;
}

describe('strided axes', () => {
  it('reduces exactly the output-stride-0 axes of size > 1', () => {
    expect(stridedAxes({ shape: [3, 1, 4, 5], strides: [[0, 0, 1, 0]] })).toEqual({ kept: [1, 2], reduced: [0, 3] });
    expect(stridedAxes({ shape: [], strides: [[]] })).toEqual({ kept: [], reduced: [] });
  });
});

describe.each(B.list)('strided kernels on $name', (backend) => {
  for (const kind of KINDS) {
    it(`${kind}: same shape, broadcast rows and scalars, reductions over rows and columns, at every size`, async () => {
      let seed = kind.length * 1000;
      for (const n of [0, 1, 3, 17, 257])
        for (const m of [1, 3, 33])
          for (const acc of [false, true]) {
            const alpha = acc ? 0.5 : -1.25;
            const sh = [m, n];
            const c = { kind, acc, alpha, shape: sh };
            await check(backend, { ...c, shape: [n], out: dense([n], 1), a: dense([n], 2), b: dense([n], 3) }, seed++);
            await check(backend, { ...c, out: dense(sh, 1), a: dense(sh), b: withStrides(sh, [0, 1], 3) }, seed++);
            await check(backend, { ...c, out: dense(sh, 1), a: withStrides(sh, [0, 0], 4), b: withStrides(sh, [1, 0], 2) }, seed++);
            if (acc) {
              // d(bias) += dy summed over rows; a row sum; a total.
              await check(backend, { ...c, out: withStrides(sh, [0, 1], 2), a: dense(sh, 2), b: dense(sh, 3) }, seed++);
              await check(backend, { ...c, out: withStrides(sh, [1, 0], 2), a: dense(sh, 2), b: withStrides(sh, [0, 1]) }, seed++);
              await check(backend, { ...c, out: withStrides(sh, [0, 0], 2), a: dense(sh, 2), b: dense(sh, 1) }, seed++);
            }
          }
    });
  }

  it('reductions over several axes in between kept ones (a broadcast gradient summed over batch and time)', async () => {
    let seed = 1;
    for (const kind of KINDS) {
      // [T, B, H] summed into [H] and into [B]; [B, T, H] summed into [B, H]; out of a transposed source.
      const sh = [5, 7, 9];
      await check(backend, { kind, shape: sh, acc: true, alpha: 1, out: withStrides(sh, [0, 0, 1]), a: dense(sh), b: dense(sh, 1) }, seed++);
      await check(backend, { kind, shape: sh, acc: true, alpha: -0.5, out: withStrides(sh, [0, 1, 0]), a: dense(sh), b: withStrides(sh, [0, 0, 1]) }, seed++);
      await check(backend, { kind, shape: sh, acc: true, alpha: 2, out: withStrides(sh, [9, 0, 1]), a: withStrides(sh, [1, 5, 35]), b: dense(sh) }, seed++);
      const big = [3, 4, 2, 5, 3, 2];
      await check(backend, { kind, shape: big, acc: true, alpha: 1, out: withStrides(big, [0, 10, 0, 2, 0, 1]), a: dense(big), b: dense(big, 2) }, seed++);
      // Many outputs (several workgroups), each summing a long column.
      const tall = [300, 301];
      await check(backend, { kind, shape: tall, acc: true, alpha: 1, out: withStrides(tall, [0, 1]), a: dense(tall), b: withStrides(tall, [0, 1]) }, seed++);
    }
  });

  it('rank 0, in place (out = a, out = b), reversed strides and last-write-wins without accumulate', async () => {
    let seed = 50;
    for (const kind of KINDS)
      for (const acc of [false, true]) {
        await check(backend, { kind, shape: [], acc, alpha: 3, out: dense([]), a: dense([], 1), b: dense([], 2) }, seed++);
        const sh = [33, 17];
        await check(backend, { kind, shape: sh, acc, alpha: 1, out: dense(sh, 2), a: dense(sh, 2), b: withStrides(sh, [0, 1], 1), inPlace: 'a' }, seed++);
        await check(backend, { kind, shape: sh, acc, alpha: 1, out: dense(sh, 2), a: withStrides(sh, [1, 0]), b: dense(sh, 2), inPlace: 'b' }, seed++);
        await check(backend, { kind, shape: [257], acc, alpha: 1, out: dense([257]), a: withStrides([257], [-1], 256), b: dense([257]) }, seed++);
        // The CPU's semantics for a stride-0 output without accumulate: the last index's value.
        if (!acc) await check(backend, { kind, shape: [4, 17], acc, alpha: 1, out: withStrides([4, 17], [0, 1]), a: dense([4, 17]), b: dense([4, 17]) }, seed++);
      }
  });

  it('size-0 axes anywhere touch nothing', async () => {
    let seed = 70;
    for (const kind of KINDS)
      for (const acc of [false, true])
        for (const shape of [[0], [3, 0], [0, 5, 2], [4, 1, 0, 3]]) {
          const raw = shape.length > 1;
          await check(backend, { kind, shape, acc, alpha: 1, raw, out: acc ? withStrides(shape, shape.map((_, d) => (d === 0 ? 0 : 1))) : dense(shape), a: dense(shape), b: dense(shape) }, seed++);
        }
  });

  it('random ranks 0–6, layouts, ops, broadcasts and reductions (prepared and raw specs)', async () => {
    let seed = 1000;
    for (const c of randomCases(150, 3)) await check(backend, c, seed++);
  });
});
