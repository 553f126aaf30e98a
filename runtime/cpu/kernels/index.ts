/**
 * Unroll's CPU kernel library: pure functions over flat row-major typed arrays addressed by
 * (buffer, element offset). They are the reference backend other backends are tested against,
 * and are called from prebuilt closures in the hot path, so none of them allocates per call.
 */
export type { FloatArray } from './types.ts';
export { gemm, type GemmSpec } from './gemm.ts';
export { unary, unaryGrad, fill, type UnaryOp, type UnaryGradOp } from './unary.ts';
export { prepareStrided, MAX_STRIDED_RANK, type StridedSpec } from './strided.ts';
export { binary, type BinaryOp } from './binary.ts';
export { stridedCopy } from './strided-copy.ts';
export { softmax, softmaxGrad } from './softmax.ts';
export { crossEntropy, crossEntropyGrad } from './cross-entropy.ts';
export { bceLogits, bceLogitsGrad, bceLogitsTargetGrad } from './bce.ts';
export { gather, scatterAdd } from './gather.ts';
export { argmax } from './argmax.ts';
export { lstmCellForward, lstmCellBackward } from './lstm-cell.ts';
export { gruCellForward, gruCellBackward } from './gru-cell.ts';
export { sumSquares, dot } from './reduce.ts';
