/**
 * Node has no GPU driver of its own here: Dawn needs a Vulkan loader and driver, which Chromium's
 * package ships (SwiftShader, a software Vulkan). The variables must be set before the process
 * starts (the loader reads LD_LIBRARY_PATH at startup), so configs set them for child processes:
 * Vitest's forked workers, a spawned CLI, the benchmark.
 */
import { existsSync, readdirSync } from 'node:fs';

const CHROMIUM = '/usr/lib/chromium';

/** The variables that point Dawn at Chromium's SwiftShader, or `{}` when it is absent or a driver is already chosen. */
export function swiftShaderEnv(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  if (env.VK_ICD_FILENAMES !== undefined || process.platform !== 'linux' || systemDriver()) return {};
  const icd = `${CHROMIUM}/vk_swiftshader_icd.json`;
  if (!existsSync(icd) || !existsSync(`${CHROMIUM}/libvulkan.so.1`)) return {};
  const ld = env.LD_LIBRARY_PATH;
  return { VK_ICD_FILENAMES: icd, LD_LIBRARY_PATH: ld !== undefined && ld !== '' ? `${ld}:${CHROMIUM}` : CHROMIUM };
}

/** A Vulkan driver installed system-wide (a real GPU's): then Dawn should use it, not SwiftShader. */
function systemDriver(): boolean {
  for (const dir of ['/usr/share/vulkan/icd.d', '/etc/vulkan/icd.d']) {
    try {
      if (readdirSync(dir).some((f) => f.endsWith('.json'))) return true;
    } catch {
      // absent
    }
  }
  return false;
}
