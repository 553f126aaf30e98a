/** Every instruction kind's WebGPU kernel: the backend's kernel table (one entry per `Instr['k']`). */
import type { KernelTable } from './kernel.ts';
import { fill, unary, unaryGrad } from './elementwise.ts';
import { gemm } from './gemm.ts';
import { binary, copy } from './strided.ts';
import { argmax, bce, bceGrad, bceTargetGrad, crossEntropy, crossEntropyGrad, gather, scatterAdd, softmax, softmaxGrad } from './rows.ts';
import { gruBwd, gruFwd, lstmBwd, lstmFwd } from './cells.ts';
import { probeGates, probeLstmC, probeSumSq } from './probes.ts';

export const GPU_KERNELS: KernelTable = {
  fill,
  unary,
  unaryGrad,
  gemm,
  binary,
  copy,
  softmax,
  softmaxGrad,
  crossEntropy,
  crossEntropyGrad,
  bce,
  bceGrad,
  bceTargetGrad,
  gather,
  argmax,
  scatterAdd,
  lstmFwd,
  lstmBwd,
  gruFwd,
  gruBwd,
  probeSumSq,
  probeLstmC,
  probeGates,
};
