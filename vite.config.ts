import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';
import { swiftShaderEnv } from './runtime/webgpu/testing/node-env.ts';

// The WebGPU tests run on Dawn in Node; without a GPU, Chromium's SwiftShader is its driver. The
// loader reads these at process start, so they are set here, before Vitest forks its workers.
Object.assign(process.env, swiftShaderEnv());

/** Cross-origin isolation: training workers share weights and gradients through
 *  SharedArrayBuffer, which browsers only enable on an isolated page. */
const isolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  plugins: [react()],
  root: '.',
  server: { host: '127.0.0.1', port: 5173, headers: isolationHeaders },
  preview: { host: '127.0.0.1', headers: isolationHeaders },
  // One page with React, React Flow and every block definition: about 0.5 MB minified
  // (150 kB gzipped) is expected, not a sign of an accidental import.
  build: { chunkSizeWarningLimit: 1024 },
  test: {
    include: ['blocks/**/*.test.ts', 'runtime/**/*.test.ts', 'editor/**/*.test.{ts,tsx}', 'examples/**/*.test.ts', 'scripts/**/*.test.ts', 'bench/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
  },
});
