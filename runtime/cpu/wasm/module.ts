/**
 * The fast CPU kernels' WebAssembly module: emitted once per thread from {@link emitGemmTile} and
 * friends, compiled on first use, and instantiated once per program on that program's own memory.
 * Compilation is synchronous, which workers (where training runs) and Node allow; a browser's main
 * thread refuses synchronous compilation of modules over 4 KB (this one is about 16 KB), so code
 * there awaits {@link loadKernelModule} first. Where WebAssembly SIMD is missing or compilation is
 * refused the caller falls back to the JavaScript reference kernels.
 */
import { moduleBytes } from './assembler.ts';
import { emitDot, emitGemmTile, emitTranspose, TILES } from './gemm-emit.ts';
import { emitPointwise } from './pointwise-emit.ts';

/** The exports of one instance (addresses and strides in bytes). */
export interface KernelExports {
  readonly [name: string]: (...args: number[]) => void;
}

let compiled: WebAssembly.Module | null | undefined;
/** Synchronous compilation was refused here (a browser's main thread): do not try again per program. */
let refusedSync = false;

/** The module's bytes (exported for tests and for size checks). */
export function kernelModuleBytes(): Uint8Array<ArrayBuffer> {
  return moduleBytes([...TILES.map(([r, w]) => emitGemmTile(r, w)), emitTranspose(), emitDot(4), emitDot(1), ...emitPointwise()]);
}

/**
 * The compiled module, or null where this engine cannot run it (no SIMD, compilation refused).
 * A refused synchronous compilation is not remembered, so a later {@link loadKernelModule} can still succeed.
 */
export function kernelModule(): WebAssembly.Module | null {
  if (compiled !== undefined) return compiled;
  if (refusedSync) return null;
  try {
    const bytes = kernelModuleBytes();
    compiled = typeof WebAssembly === 'object' && WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
  } catch {
    refusedSync = true;
    return null;
  }
  return compiled;
}

/**
 * Compile the module asynchronously (allowed everywhere, including a browser's main thread) so
 * that programs built afterwards use the fast kernels. Resolves to whether they are available.
 */
export async function loadKernelModule(): Promise<boolean> {
  if (compiled !== undefined) return compiled !== null;
  try {
    const bytes = kernelModuleBytes();
    compiled = typeof WebAssembly === 'object' && WebAssembly.validate(bytes) ? await WebAssembly.compile(bytes) : null;
  } catch {
    compiled = null;
  }
  return compiled !== null;
}

/** Instantiate the kernels on `memory` (synchronous: the module is already compiled). */
export function instantiateKernels(module: WebAssembly.Module, memory: WebAssembly.Memory): KernelExports {
  return new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as KernelExports;
}
