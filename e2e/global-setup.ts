/** Serve the built app (dist/) on a free port for the browser tests. */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { preview, type PreviewServer } from 'vite';

/** Where setup leaves the server for global-teardown.ts (both run in the Playwright runner process). */
export const SERVER_KEY = Symbol.for('unroll.e2e.previewServer');

export default async function globalSetup(): Promise<void> {
  const root = fileURLToPath(new URL('..', import.meta.url));
  // UNROLL_DIST serves another build folder (`vite build --outDir dist-x`), so that several
  // builds can be tested side by side on one checkout.
  const outDir = process.env.UNROLL_DIST ?? 'dist';
  if (!existsSync(`${root}/${outDir}/index.html`)) throw new Error(`${outDir}/ is missing: run \`npm run build\` first (npm run test:e2e does)`);
  const server: PreviewServer = await preview({
    root,
    configFile: `${root}/vite.config.ts`,
    logLevel: 'warn',
    build: { outDir },
    preview: { host: '127.0.0.1', port: 0, strictPort: false, open: false },
  });
  (globalThis as Record<symbol, unknown>)[SERVER_KEY] = server;
  const address = server.httpServer.address();
  if (address === null || typeof address === 'string') throw new Error(`preview server has no TCP address: ${String(address)}`);
  process.env.UNROLL_E2E_URL = `http://127.0.0.1:${address.port}/`;
}
