/**
 * Browser tests of the built editor. The app is served from dist/ by Vite's preview server,
 * started on a free port in e2e/global-setup.ts and closed in e2e/global-teardown.ts.
 */
import { existsSync } from 'node:fs';
import { defineConfig } from '@playwright/test';

/** Debian's Chromium where installed (Playwright's download does not work on CI machines here);
 *  undefined lets Playwright use its own browser on a developer machine. */
export const chromiumPath: string | undefined = ['/usr/bin/chromium', '/usr/lib/chromium/chromium'].find((p) => existsSync(p));

/** Flags measured to work headless as root without a GPU (see ENVIRONMENT.md). */
export const chromiumArgs: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--enable-unsafe-webgpu',
];

export default defineConfig({
  testDir: 'e2e',
  workers: 1,
  reporter: 'list',
  forbidOnly: !!process.env.CI,
  timeout: 30_000,
  globalSetup: './e2e/global-setup.ts',
  globalTeardown: './e2e/global-teardown.ts',
  use: {
    browserName: 'chromium',
    // Set by global-setup before workers start; workers inherit the runner's environment.
    baseURL: process.env.UNROLL_E2E_URL,
    viewport: { width: 1280, height: 760 },
    launchOptions: { ...(chromiumPath ? { executablePath: chromiumPath } : {}), args: [...chromiumArgs] },
  },
});
