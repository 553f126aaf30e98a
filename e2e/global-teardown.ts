/** Close the preview server global-setup.ts started; never leave a server running. */
import type { PreviewServer } from 'vite';
import { SERVER_KEY } from './global-setup.ts';

export default async function globalTeardown(): Promise<void> {
  const server = (globalThis as Record<symbol, unknown>)[SERVER_KEY] as PreviewServer | undefined;
  delete (globalThis as Record<symbol, unknown>)[SERVER_KEY];
  await server?.close();
}
