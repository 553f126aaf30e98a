/**
 * Rough gemm throughput, not a test: `npx tsx runtime/cpu/kernels/bench-gemm.ts`.
 * Prints GFLOP/s for each form (NN, NT = transB, TN = transA) at the two shapes a recurrent
 * layer hits (small batch × wide layer, and the weight-gradient shape), in float32 and float64,
 * next to a naive i-k-j triple loop. Both array types run through the same function, as in
 * training, so the numbers include V8's polymorphic element access.
 */
import { gemm, type GemmSpec } from './gemm.ts';
import type { FloatArray } from './types.ts';

/** The textbook loop with the inner loop over contiguous C and B rows (NN only). */
function naiveNN(M: number, N: number, K: number, a: FloatArray, b: FloatArray, c: FloatArray): void {
  c.fill(0, 0, M * N);
  for (let i = 0; i < M; i++)
    for (let k = 0; k < K; k++) {
      const av = a[i * K + k]!;
      for (let j = 0; j < N; j++) c[i * N + j] = c[i * N + j]! + av * b[k * N + j]!;
    }
}

function timeIt(flops: number, run: () => void): number {
  for (let w = 0; w < 20; w++) run();
  let reps = 1;
  for (;;) {
    const t0 = performance.now();
    for (let r = 0; r < reps; r++) run();
    const ms = performance.now() - t0;
    if (ms > 300) return (flops * reps) / (ms * 1e6);
    reps *= 2;
  }
}

const shapes: [number, number, number][] = [
  [32, 512, 192],
  [512, 192, 32],
];
const forms: [string, boolean, boolean][] = [
  ['NN', false, false],
  ['NT', false, true],
  ['TN', true, false],
];
for (const Ctor of [Float32Array, Float64Array]) {
  for (const [M, N, K] of shapes) {
    const a = new Ctor(M * K).map(() => Math.random() - 0.5);
    const b = new Ctor(K * N).map(() => Math.random() - 0.5);
    const c = new Ctor(M * N);
    const flops = 2 * M * N * K;
    const parts = [`${Ctor.name.padEnd(12)} M=${M} N=${N} K=${K}:`];
    for (const [name, transA, transB] of forms) {
      const spec: GemmSpec = { M, N, K, transA, transB, accumulate: false, batch: 1, aStride: 0, bStride: 0, cStride: 0 };
      parts.push(`${name} ${timeIt(flops, () => gemm(spec, a, 0, b, 0, c, 0)).toFixed(2)}`);
    }
    parts.push(`naive-NN ${timeIt(flops, () => naiveNN(M, N, K, a, b, c)).toFixed(2)} GFLOP/s`);
    console.log(parts.join('  '));
  }
}
