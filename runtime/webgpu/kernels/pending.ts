/** Placeholder for kernels not written yet: compiling a program that needs one fails loudly. */
import type { Instr } from '../../compile/instr.ts';
import type { GpuKernel } from './kernel.ts';

export function pending<I extends Instr>(kind: I['k']): GpuKernel<I> {
  const fail = (): never => {
    throw new Error(`webgpu: no kernel for ${kind} yet`);
  };
  return { key: () => '', wgsl: fail, record: fail, workgroups: fail };
}
