/**
 * Which kernels float32 programs run: `fast` (WebAssembly SIMD where the engine has it, with the
 * JavaScript kernels for whatever has no fast form) or `reference` (the JavaScript kernels only,
 * the backend every other is tested against). Float64 programs always use the reference kernels.
 *
 * The default is `fast`; the environment variable `UNROLL_CPU_KERNELS=reference` (Node) or
 * {@link setCpuKernels} chooses otherwise. The choice is read when a program is built.
 */
export type CpuKernels = 'fast' | 'reference';

const fromEnv = (): CpuKernels => {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.UNROLL_CPU_KERNELS;
  return env === 'reference' ? 'reference' : 'fast';
};

let mode: CpuKernels = fromEnv();

/** Choose the kernels of programs built from now on (tests run every check on both). */
export function setCpuKernels(m: CpuKernels): void {
  mode = m;
}

/** The kernels programs built now will use. */
export function cpuKernels(): CpuKernels {
  return mode;
}
