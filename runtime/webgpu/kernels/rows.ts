/** The row-wise and lookup kernels, one file each: softmax, cross-entropy, BCE, gather/scatter, argmax. */
export { softmax, softmaxGrad } from './softmax.ts';
export { crossEntropy, crossEntropyGrad } from './cross-entropy.ts';
export { bce, bceGrad, bceTargetGrad } from './bce.ts';
export { gather, scatterAdd } from './gather.ts';
export { argmax } from './argmax.ts';
