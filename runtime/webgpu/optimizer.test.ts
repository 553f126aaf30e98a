import { afterAll, describe, expect, it } from 'vitest';
import { rng, uniform } from '../cpu/kernels/test-support.ts';
import { clipByGlobalNorm, defaultOptimizerSpec, globalNorm, Optimizer, type OptimizerKind, type OptimizerSpec } from '../train/optimizers.ts';
import { gpuAwait, requestGpu } from './context.ts';
import { GpuOptimizer, paramLayout, type GpuOptimizerSnapshot } from './optimizer.ts';
import { describeMismatch, mismatch } from './testing/compare.ts';

const gpu = await requestGpu();
if (!gpu.ok) console.warn(`GPU optimiser tests skipped: ${gpu.reason}`);
afterAll(() => {
  if (gpu.ok) gpu.context.device.destroy();
});
const context = gpu.ok ? gpu.context : undefined;

/** Odd sizes: one element, fewer than a workgroup, one past a workgroup, several workgroups. */
const SPECS = [
  { key: 'a', size: 1 },
  { key: 'b', size: 3 },
  { key: 'c', size: 257 },
  { key: 'd', size: 1000 },
];
const LAYOUT = paramLayout(SPECS);

const f32 = (n: number, r: () => number, lo: number, hi: number): Float64Array => Float64Array.from({ length: n }, () => Math.fround(uniform(r, lo, hi)));

async function make(spec: OptimizerSpec, layout = LAYOUT): Promise<GpuOptimizer> {
  const made = await GpuOptimizer.create(context!, layout, spec);
  if (!made.ok) throw new Error(made.errors.map((e) => e.message).join('; '));
  return made.value;
}

/** Write per-weight gradients (float32) into the grads region. */
function writeGrads(opt: GpuOptimizer, grads: readonly ArrayLike<number>[]): void {
  const all = new Float32Array(opt.layout.total);
  opt.layout.keys.forEach((k, i) => all.set(grads[i]!, opt.layout.offsets.get(k)));
  context!.device.queue.writeBuffer(opt.buffer, opt.gradsAt, all);
}

function expectState(got: GpuOptimizerSnapshot, params: readonly Float64Array[], cpu: Optimizer, what: string): void {
  SPECS.forEach(({ key }, i) => {
    expect(describeMismatch(`${what} weight ${key}`, mismatch(got.weights.get(key)!, params[i]!, 1e-5))).toBe('');
  });
  const state = cpu.getState();
  expect(got.step).toBe(state.step);
  expect(Object.keys(got.slots).sort()).toEqual(Object.keys(state.slots).sort());
  for (const [name, arrays] of Object.entries(state.slots)) {
    SPECS.forEach(({ key }, i) => {
      expect(describeMismatch(`${what} ${name} of ${key}`, mismatch(got.slots[name]![i]!, arrays[i]!, 1e-5))).toBe('');
    });
  }
}

function expectSame(a: GpuOptimizerSnapshot, b: GpuOptimizerSnapshot): void {
  expect(a.step).toBe(b.step);
  for (const [k, w] of a.weights) expect(Array.from(b.weights.get(k)!)).toEqual(Array.from(w));
  for (const [name, arrays] of Object.entries(a.slots)) arrays.forEach((s, i) => expect(Array.from(b.slots[name]![i]!)).toEqual(Array.from(s)));
}

const KINDS: readonly OptimizerKind[] = ['sgd', 'momentum', 'adam'];

describe.skipIf(context === undefined)('GpuOptimizer', () => {
  for (const kind of KINDS) {
    for (const weightDecay of [0, 0.05]) {
      // 0: no clipping; 1e6: clipping on but never reached; 4: every step clipped (norms are ~10-40).
      for (const clip of [0, 1e6, 4]) {
        it(`${kind}${weightDecay !== 0 ? ' with weight decay' : ''}, clip ${clip}: 5 steps equal the CPU optimiser`, async () => {
          const spec: OptimizerSpec = { ...defaultOptimizerSpec(kind), weightDecay, lr: kind === 'adam' ? 0.01 : 0.05 };
          const r = rng(KINDS.indexOf(kind) * 100 + weightDecay * 1000 + clip);
          const params = SPECS.map((s) => f32(s.size, r, -1, 1));
          const cpu = new Optimizer(spec, params);
          const opt = await make(spec);
          try {
            opt.upload(new Map(SPECS.map((s, i) => [s.key, params[i]!])));
            for (let step = 1; step <= 5; step++) {
              // A different gradient scale each step, so clipping differs too.
              const grads = SPECS.map((s) => f32(s.size, r, -step, step));
              writeGrads(opt, grads);
              const lr = spec.lr * (1 - 0.1 * step);
              const got = await opt.step(lr, clip);
              const want = clipByGlobalNorm(grads.map((g) => Float64Array.from(g)), clip);
              expect(Math.abs(got.norm - want.norm)).toBeLessThanOrEqual(1e-5 * want.norm);
              expect(got.clipped).toBe(want.scale !== 1);
              // The clip factor is float32 (a few ulps from the float64 one). The reference steps with
              // the GPU's factor: where g·scale + wd·w cancels (in a one-element weight, say), an ulp
              // of the factor is a relative error far above 1e-5 in the moments, in any float32 code.
              expect(Math.abs(got.scale - want.scale)).toBeLessThanOrEqual(5e-7 * want.scale);
              for (const g of grads) for (let i = 0; i < g.length; i++) g[i] = g[i]! * got.scale;
              cpu.step(params, grads, lr);
              // The cases do what they say: clip 4 is active on every step, the others never.
              expect(want.scale !== 1).toBe(clip === 4);
              expect(got.badElement).toBeUndefined();
              expect(opt.steps).toBe(step);
              expectState(await opt.download(), params, cpu, `step ${step}`);
            }
          } finally {
            opt.destroy();
          }
        });
      }
    }

    it(`${kind}: a NaN or infinite gradient changes nothing and reports a non-finite norm`, async () => {
      const spec = { ...defaultOptimizerSpec(kind), weightDecay: 0.01 };
      const r = rng(7 + KINDS.indexOf(kind));
      const params = SPECS.map((s) => f32(s.size, r, -1, 1));
      const opt = await make(spec);
      try {
        opt.upload(new Map(SPECS.map((s, i) => [s.key, params[i]!])));
        writeGrads(opt, SPECS.map((s) => f32(s.size, r, -1, 1)));
        await opt.step(spec.lr, 1);
        const before = await opt.download();
        for (const [bad, norm] of [
          [NaN, NaN],
          [Infinity, Infinity],
          [-Infinity, Infinity],
        ] as const) {
          const grads = SPECS.map((s) => f32(s.size, r, -1, 1));
          grads[2]![200] = bad;
          writeGrads(opt, grads);
          const got = await opt.step(spec.lr, 1);
          expect(got.norm).toBe(norm);
          expect(got.clipped).toBe(false);
          expect(got.badElement).toBeUndefined();
          expect(opt.steps).toBe(1);
          expectSame(before, await opt.download());
        }
        // The skipped steps did not count: momentum's next step is its second, Adam's t is 2.
        const params2 = SPECS.map((s) => Float64Array.from(before.weights.get(s.key)!));
        const cpu = new Optimizer(spec, params2);
        cpu.setState({ step: before.step, slots: Object.fromEntries(Object.entries(before.slots).map(([n, a]) => [n, a.map((x) => Float64Array.from(x))])) });
        const grads = SPECS.map((s) => f32(s.size, r, -1, 1));
        writeGrads(opt, grads);
        cpu.step(params2, grads, spec.lr);
        await opt.step(spec.lr, 0);
        expectState(await opt.download(), params2, cpu, 'after skipped steps');
      } finally {
        opt.destroy();
      }
    });
  }

  for (const kind of ['sgd', 'momentum'] as const) {
    it(`${kind}: a step that makes weights non-finite names the first, and undo restores everything`, async () => {
      const spec = { ...defaultOptimizerSpec(kind), weightDecay: 0.01 };
      const r = rng(31);
      const opt = await make(spec);
      try {
        opt.upload(new Map(SPECS.map((s) => [s.key, f32(s.size, r, -1, 1)])));
        for (let i = 0; i < 2; i++) {
          writeGrads(opt, SPECS.map((s) => f32(s.size, r, -1, 1)));
          expect((await opt.step(0.01, 0)).badElement).toBeUndefined();
        }
        const before = await opt.download();
        const grads = SPECS.map((s) => f32(s.size, r, -1, 1));
        grads[2]![100] = Math.fround(3e38);
        grads[3]![5] = Math.fround(-3e38);
        grads[3]![900] = Math.fround(3e38);
        writeGrads(opt, grads);
        const got = await opt.step(1e10, 0);
        // The norm of float32 gradients is finite even when float32 cannot hold it (√3·3e38).
        expect(Math.abs(got.norm - globalNorm(grads)) / globalNorm(grads)).toBeLessThan(1e-5);
        expect(got.norm).toBeGreaterThan(3.4e38);
        expect(got.badElement).toBe(LAYOUT.offsets.get('c')! + 100);
        expect(opt.keyOfElement(got.badElement!)).toBe('c');
        expect(opt.steps).toBe(3);
        const after = await opt.download();
        expect(after.weights.get('c')![100]).toBe(-Infinity);
        expect(after.weights.get('d')![5]).toBe(Infinity);
        opt.undo();
        expect(opt.steps).toBe(2);
        expectSame(before, await opt.download());
        // And the next good step continues from there (momentum: not a first step).
        writeGrads(opt, SPECS.map((s) => f32(s.size, r, -1, 1)));
        expect((await opt.step(0.01, 0)).badElement).toBeUndefined();
        expect(opt.steps).toBe(3);
      } finally {
        opt.destroy();
      }
    });
  }

  it('momentum: the first step ignores the buffer’s old contents, also after a skipped step', async () => {
    const spec = { ...defaultOptimizerSpec('momentum'), weightDecay: 0.01 };
    const r = rng(53);
    const params = SPECS.map((s) => f32(s.size, r, -1, 1));
    // Step 0 with a non-zero buffer: only the `first` flag tells `buf = d` from `buf = μ·buf + d`.
    const state = { step: 0, slots: { momentum_buffer: SPECS.map((s) => f32(s.size, r, -5, 5)) } };
    const cpu = new Optimizer(spec, params);
    cpu.setState(state);
    const opt = await make(spec);
    try {
      opt.upload(new Map(SPECS.map((s, i) => [s.key, params[i]!])), state);
      const nan = SPECS.map((s) => f32(s.size, r, -1, 1));
      nan[0]![0] = NaN;
      writeGrads(opt, nan);
      expect((await opt.step(0.1, 0)).norm).toBeNaN();
      expect(opt.steps).toBe(0);
      for (let step = 1; step <= 2; step++) {
        const grads = SPECS.map((s) => f32(s.size, r, -1, 1));
        writeGrads(opt, grads);
        cpu.step(params, grads, 0.1);
        await opt.step(0.1, 0);
        expectState(await opt.download(), params, cpu, `step ${step}`);
      }
    } finally {
      opt.destroy();
    }
  });

  it('Adam: undo restores both moments and the bias-correction step', async () => {
    const spec = defaultOptimizerSpec('adam');
    const r = rng(41);
    const params = SPECS.map((s) => f32(s.size, r, -1, 1));
    const cpu = new Optimizer(spec, params);
    const opt = await make(spec);
    try {
      opt.upload(new Map(SPECS.map((s, i) => [s.key, params[i]!])));
      for (let i = 0; i < 2; i++) {
        const grads = SPECS.map((s) => f32(s.size, r, -1, 1));
        writeGrads(opt, grads);
        cpu.step(params, grads);
        await opt.step(spec.lr, 0);
      }
      const before = await opt.download();
      writeGrads(opt, SPECS.map((s) => f32(s.size, r, -3, 3)));
      expect((await opt.step(spec.lr, 0)).badElement).toBeUndefined();
      opt.undo();
      expectSame(before, await opt.download());
      const grads = SPECS.map((s) => f32(s.size, r, -1, 1));
      writeGrads(opt, grads);
      cpu.step(params, grads);
      await opt.step(spec.lr, 0);
      expectState(await opt.download(), params, cpu, 'after undo');
    } finally {
      opt.destroy();
    }
  });

  it('the norm is right for gradients of 1e-20, 1e20, and both together', async () => {
    const opt = await make(defaultOptimizerSpec('sgd'));
    try {
      opt.upload(new Map(SPECS.map((s) => [s.key, new Float64Array(s.size)])));
      const r = rng(5);
      const cases: [string, number[]][] = [
        ['1e-20', [1e-20, 1e-20, 1e-20, 1e-20]],
        ['1e20', [1e20, 1e20, 1e20, 1e20]],
        ['mixed', [1e-20, 1e20, 1e-20, 1]],
        ['tiny next to ones', [1, 1e-20, 1, 1e-20]],
      ];
      for (const [what, scales] of cases) {
        const grads = SPECS.map((s, i) => f32(s.size, r, -1, 1).map((x) => Math.fround(x * scales[i]!)));
        writeGrads(opt, grads);
        const got = await opt.step(0, 0);
        const want = globalNorm(grads);
        expect(want, what).toBeGreaterThan(0);
        expect(Math.abs(got.norm - want) / want, what).toBeLessThan(1e-5);
      }
    } finally {
      opt.destroy();
    }
  });

  it('more elements than threads: each thread’s scaled sum, the update and the check loop', async () => {
    // Three workgroups of 256 threads: 768 threads stride over 5001 elements (SwiftShader runs a
    // workgroup with barriers slowly; the default 1024 groups are tested below).
    const specs = [
      { key: 'big', size: 5001 },
      { key: 'tail', size: 3 },
    ];
    const layout = paramLayout(specs);
    const spec = { ...defaultOptimizerSpec('momentum'), weightDecay: 0.01 };
    const r = rng(99);
    const params = specs.map((s) => f32(s.size, r, -1, 1));
    const cpu = new Optimizer(spec, params);
    const made = await GpuOptimizer.create(context!, layout, spec, { maxGroups: 3 });
    if (!made.ok) throw new Error(made.errors[0]!.message);
    const opt = made.value;
    try {
      opt.upload(new Map(specs.map((s, i) => [s.key, params[i]!])));
      for (let step = 1; step <= 3; step++) {
        // Magnitudes spread over 1e-20…1e20, so a thread's later elements are often the larger.
        const grads = specs.map((s) => f32(s.size, r, -1, 1).map((x) => Math.fround(x * 10 ** Math.round(uniform(r, -20, 20)))));
        writeGrads(opt, grads);
        const got = await opt.step(0.5, 1);
        const want = clipByGlobalNorm(grads, 1);
        expect(Math.abs(got.norm - want.norm) / want.norm).toBeLessThan(1e-5);
        expect(got.clipped).toBe(true);
        cpu.step(params, grads, 0.5);
        const after = await opt.download();
        specs.forEach((s, i) => expect(describeMismatch(s.key, mismatch(after.weights.get(s.key)!, params[i]!, 1e-5))).toBe(''));
      }
      // Moderate gradients of similar size: rescaling within a thread's sum shows in the result.
      const even = specs.map((s) => f32(s.size, r, 0.5, 2));
      writeGrads(opt, even);
      const norm = (await opt.step(0, 0)).norm;
      expect(Math.abs(norm - globalNorm(even)) / globalNorm(even)).toBeLessThan(1e-5);
      // Non-finite weights in several threads; thread 100 has two (100 and 100 + 4·768): the
      // smallest index wins, within a thread and across.
      const bad = specs.map((s) => new Float64Array(s.size));
      for (const i of [3172, 2000, 100, 4999]) bad[0]![i] = 3e38;
      bad[1]![1] = 3e38;
      writeGrads(opt, bad);
      const res = await opt.step(1e10, 0);
      expect(res.badElement).toBe(100);
      expect(opt.keyOfElement(res.badElement!)).toBe('big');
      expect(opt.keyOfElement(5002)).toBe('tail');
    } finally {
      opt.destroy();
    }
  });

  it('the default 1024 workgroups over more elements than threads', async () => {
    // 262144 threads; 300001 elements: some threads take two. One step (slow on SwiftShader).
    const specs = [{ key: 'w', size: 300_001 }];
    const spec = defaultOptimizerSpec('sgd');
    const r = rng(98);
    const params = [f32(300_001, r, -1, 1)];
    const cpu = new Optimizer(spec, params);
    const opt = await make(spec, paramLayout(specs));
    try {
      opt.upload(new Map([['w', params[0]!]]));
      const grads = [f32(300_001, r, 0.5, 2)];
      grads[0]![270_000] = 50;
      writeGrads(opt, grads);
      const got = await opt.step(0.5, 10);
      const want = clipByGlobalNorm(grads, 10);
      expect(Math.abs(got.norm - want.norm) / want.norm).toBeLessThan(1e-5);
      cpu.step(params, grads, 0.5);
      expect(describeMismatch('w', mismatch((await opt.download()).weights.get('w')!, params[0]!, 1e-5))).toBe('');
    } finally {
      opt.destroy();
    }
  });

  it('upload with a state continues its step count and slots, download returns them', async () => {
    const spec = { ...defaultOptimizerSpec('adam'), weightDecay: 0.02 };
    const r = rng(77);
    const params = SPECS.map((s) => f32(s.size, r, -1, 1));
    const cpu = new Optimizer(spec, params);
    for (let i = 0; i < 3; i++) cpu.step(params, SPECS.map((s) => f32(s.size, r, -1, 1)));
    // Round to float32 on both sides, as the GPU holds them.
    params.forEach((p) => p.set(Float32Array.from(p)));
    const state = cpu.getState();
    for (const arrays of Object.values(state.slots)) arrays.forEach((a) => a.set(Float32Array.from(a)));
    cpu.setState(state);
    const opt = await make(spec);
    try {
      opt.upload(new Map(SPECS.map((s, i) => [s.key, params[i]!])), state);
      expect(opt.steps).toBe(3);
      const loaded = await opt.download();
      expect(loaded.step).toBe(3);
      expectState(loaded, params, cpu, 'uploaded');
      const grads = SPECS.map((s) => f32(s.size, r, -1, 1));
      writeGrads(opt, grads);
      cpu.step(params, grads);
      await opt.step(spec.lr, 0);
      expectState(await opt.download(), params, cpu, 'step 4');
      expect(() => opt.upload(new Map([['a', [1]]]))).toThrow(RangeError);
      expect(() => opt.upload(new Map(SPECS.map((s, i) => [s.key, params[i]!])), { step: 1, slots: { exp_avg: state.slots.exp_avg! } })).toThrow(RangeError);
    } finally {
      opt.destroy();
    }
  });

  it('encodeStep and readback work inside a caller’s submission; parseStep and undo refuse misuse', async () => {
    const opt = await make(defaultOptimizerSpec('momentum'));
    try {
      opt.upload(new Map(SPECS.map((s) => [s.key, new Float64Array(s.size).fill(1)])));
      expect(() => opt.undo()).toThrow();
      expect(() => opt.parseStep(new ArrayBuffer(32))).toThrow();
      const grads = SPECS.map((s) => new Float64Array(s.size).fill(2));
      writeGrads(opt, grads);
      const { device } = context!;
      const encoder = device.createCommandEncoder();
      opt.encodeStep(encoder, 0.5, 0);
      const [buf, at, bytes] = opt.readback;
      expect(at % 256).toBe(0);
      const staging = device.createBuffer({ size: 256, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
      encoder.copyBufferToBuffer(buf, at, staging, 0, bytes);
      device.queue.submit([encoder.finish()]);
      await gpuAwait(staging.mapAsync(GPUMapMode.READ));
      const res = opt.parseStep(staging.getMappedRange().slice(0, bytes));
      staging.destroy();
      expect(res.norm).toBeCloseTo(2 * Math.sqrt(LAYOUT.total), 3);
      expect(opt.steps).toBe(1);
      // First momentum step: buf = g, w = 1 − 0.5·2 = 0.
      const got = await opt.download();
      expect(Array.from(got.weights.get('c')!).every((x) => x === 0)).toBe(true);
      expect(Array.from(got.slots.momentum_buffer![3]!).every((x) => x === 2)).toBe(true);
      expect(() => opt.parseStep(new ArrayBuffer(32))).toThrow();
      expect(opt.keyOfElement(0)).toBe('a');
      expect(opt.keyOfElement(1)).toBe('b');
      expect(opt.keyOfElement(LAYOUT.total - 1)).toBe('d');
      expect(opt.keyOfElement(LAYOUT.total)).toBeUndefined();
      expect(opt.gradsAt % 256).toBe(0);
      expect(opt.weightsAt).toBe(0);
    } finally {
      opt.destroy();
    }
  });

  it('no weights at all: a step of norm 0', async () => {
    const opt = await make(defaultOptimizerSpec('adam'), paramLayout([]));
    try {
      opt.upload(new Map());
      const got = await opt.step(0.1, 1);
      expect(got).toEqual({ norm: 0, clipped: false, scale: 1, badElement: undefined });
      expect(opt.steps).toBe(1);
    } finally {
      opt.destroy();
    }
  });

  it('a buffer over the adapter’s limits is refused with E449 before allocating', async () => {
    const small = { ...context!, maxBinding: 64 * 1024 };
    const made = await GpuOptimizer.create(small, paramLayout([{ key: 'w', size: 100_000 }]), defaultOptimizerSpec('adam'));
    expect(made.ok).toBe(false);
    if (!made.ok) {
      expect(made.errors[0]!.code).toBe('E449');
      expect(made.errors[0]!.message).toMatch(/needs one GPU buffer of .* the adapter allows/);
    }
    expect(GpuOptimizer.bytes(100_000, 'adam')).toBeGreaterThan(7 * 400_000);
  });
});

describe('paramLayout', () => {
  it('lays weights out one after another and refuses duplicates', () => {
    const l = paramLayout([
      { key: 'x', size: 3 },
      { key: 'y', size: 0 },
      { key: 'z', size: 5 },
    ]);
    expect(l.keys).toEqual(['x', 'y', 'z']);
    expect([...l.offsets.values()]).toEqual([0, 3, 3]);
    expect(l.total).toBe(8);
    expect(() => paramLayout([{ key: 'x', size: 1 }, { key: 'x', size: 2 }])).toThrow(RangeError);
  });
});
