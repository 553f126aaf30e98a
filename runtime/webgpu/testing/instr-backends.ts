/**
 * The op suite's backends: run a list of plan instructions over one flat memory on the CPU
 * reference (float64, exact) and on WebGPU (float32), so every kernel test runs over both.
 * WebGPU is listed only when an adapter can be had; otherwise `skipped` says why (printed by the
 * suite). Test support only.
 */
import { afterAll } from 'vitest';
import type { Instr } from '../../compile/instr.ts';
import type { Plan } from '../../compile/plan.ts';
import { CpuProgram } from '../../cpu/program.ts';
import { requestGpu, type GpuContext } from '../context.ts';
import { GpuProgram } from '../program.ts';

export interface InstrRun {
  /** The memory after the instructions ran. */
  readonly memory: Float64Array;
  /** Probe values (CPU meaning) when probe instructions ran. */
  readonly probes: Float64Array;
}

export interface InstrBackend {
  readonly name: 'cpu' | 'webgpu';
  /**
   * Run `forward` over a copy of `memory` (one buffer, element offsets as refs on buffer 0), then
   * `probes` (probe instructions) with `probeCount` slots of which `sumSqSlots` are norms.
   */
  run(memory: ArrayLike<number>, forward: readonly Instr[], probes?: { readonly instrs: readonly Instr[]; readonly count: number; readonly sumSqSlots?: readonly number[] }): Promise<InstrRun>;
}

function planOf(size: number, forward: readonly Instr[], probes?: { readonly instrs: readonly Instr[]; readonly count: number; readonly sumSqSlots?: readonly number[] }): Plan {
  return {
    batch: 1,
    buffers: [{ id: 0, size, kind: 'arena', offset: 0 }],
    arenaSize: size,
    forward,
    backward: probes?.instrs ?? [],
    values: new Map(),
    inputGrads: new Map(),
    valueGrads: new Map(),
    seeds: [],
    feeds: [],
    lowered: { ops: [], feeds: [], weights: new Map(), losses: [], detached: new Set(), predictions: [], states: [], gates: [], outputs: new Map() },
    probes: { states: [probes?.sumSqSlots ?? []], gates: [], count: probes?.count ?? 0 },
  };
}

export const cpuBackend: InstrBackend = {
  name: 'cpu',
  run: async (memory, forward, probes) => {
    const program = new CpuProgram(planOf(memory.length, forward, probes), 'float64', { weights: new Map(), grads: new Map() });
    program.arena.set(memory);
    program.forward();
    if (probes !== undefined) program.backward(true);
    return { memory: Float64Array.from(program.arena), probes: Float64Array.from(program.probes) };
  },
};

export function gpuBackend(context: GpuContext): InstrBackend {
  return {
    name: 'webgpu',
    run: async (memory, forward, probes) => {
      const made = await GpuProgram.create(context, planOf(memory.length, forward, probes));
      if (!made.ok) throw new Error(made.errors.map((e) => e.message).join('; '));
      const program = made.value;
      try {
        program.write({ buf: 0, off: 0 }, Float32Array.from(memory));
        await program.run({ backward: probes !== undefined, probes: probes !== undefined });
        const out = await program.read({ buf: 0, off: 0 }, memory.length);
        return { memory: Float64Array.from(out), probes: Float64Array.from(program.probes) };
      } finally {
        program.destroy();
      }
    },
  };
}

/** The CPU and, when an adapter exists, WebGPU; `close` destroys the device (Node does not exit otherwise). */
export async function instrBackends(): Promise<{ readonly list: readonly InstrBackend[]; readonly skipped?: string; readonly context?: GpuContext; close(): void }> {
  const gpu = await requestGpu();
  if (!gpu.ok) return { list: [cpuBackend], skipped: `WebGPU tests skipped: ${gpu.reason}`, close: () => undefined };
  return { list: [cpuBackend, gpuBackend(gpu.context)], context: gpu.context, close: () => gpu.context.device.destroy() };
}

/** `instrBackends()` for a test file: the device is destroyed after the file, and a skip says why. */
export async function instrSuite(): ReturnType<typeof instrBackends> {
  const b = await instrBackends();
  afterAll(() => b.close());
  if (b.skipped !== undefined) console.warn(b.skipped);
  return b;
}
