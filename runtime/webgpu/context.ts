/**
 * A WebGPU device for training: from `navigator.gpu` in a browser or worker, or from Dawn (the
 * `webgpu` package) in Node. One context per trainer; its limits are read before any buffer is
 * made, and its loss is reported, not thrown (the trainer falls back to the CPU).
 */

/** What a person is told about the adapter that runs the kernels. */
export interface AdapterSummary {
  readonly vendor: string;
  readonly architecture: string;
  readonly description: string;
  /** A software adapter (SwiftShader): correct, slow. */
  readonly fallback: boolean;
}

export interface GpuContext {
  /**
   * The instance the device came from, held for the device's lifetime: Dawn in Node tears the
   * instance down when it is garbage-collected, and a device still in use then crashes the process.
   */
  readonly gpu: GPU;
  readonly device: GPUDevice;
  readonly adapter: AdapterSummary;
  /** Bytes one storage binding may span (every program's memory is one binding). */
  readonly maxBinding: number;
  /** Bytes one buffer may have. */
  readonly maxBuffer: number;
  /** Set when the device is lost; `reason` is `destroyed` when it was destroyed on purpose. */
  lost: { readonly reason: string; readonly message: string } | undefined;
}

/** Either a context or why there is none (said to the person, who then trains on the CPU). */
export type GpuRequest = { readonly ok: true; readonly context: GpuContext } | { readonly ok: false; readonly reason: string };

/** A `GPU` object, or a way to make one (Node's `webgpu` package). */
export type GpuProvider = () => Promise<GPU | undefined>;

/** The browser's `navigator.gpu`, when the page or worker has one. */
export const navigatorGpu: GpuProvider = async () => (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu;

/**
 * Dawn for Node. The package is loaded only when asked for (the page never bundles it). On Linux
 * without a GPU it needs a Vulkan driver: Chromium's SwiftShader works when the process starts with
 * `VK_ICD_FILENAMES` and `LD_LIBRARY_PATH` set (see `node-env.ts`).
 */
export const nodeGpu: GpuProvider = async () => {
  const name = 'webgpu';
  try {
    const mod = (await import(/* @vite-ignore */ name)) as { create: (flags: string[]) => GPU; globals: Record<string, unknown> };
    Object.assign(globalThis, mod.globals);
    return mod.create([]);
  } catch {
    return undefined;
  }
};

/** The provider for where this code runs: the browser's when there is one, else Dawn's. */
export const defaultGpu: GpuProvider = async () => (await navigatorGpu()) ?? (typeof process !== 'undefined' && process.versions?.node !== undefined ? nodeGpu() : undefined);

/**
 * A device with the adapter's largest storage-binding and buffer limits (the defaults, 128 MiB,
 * would cap a program's memory far below what the hardware holds). Never throws.
 */
export async function requestGpu(provider: GpuProvider = defaultGpu): Promise<GpuRequest> {
  let gpu: GPU | undefined;
  try {
    gpu = await provider();
  } catch (e) {
    return { ok: false, reason: `WebGPU could not be started: ${(e as Error).message}` };
  }
  if (gpu === undefined) return { ok: false, reason: 'this browser or runtime has no WebGPU' };
  let adapter: GPUAdapter | null;
  try {
    adapter = await gpuAwait(gpu.requestAdapter({ powerPreference: 'high-performance' }));
  } catch (e) {
    return { ok: false, reason: `no WebGPU adapter: ${(e as Error).message}` };
  }
  if (adapter === null) return { ok: false, reason: 'no WebGPU adapter is available (no GPU, or WebGPU is switched off)' };
  const limits = adapter.limits;
  let device: GPUDevice;
  try {
    device = await gpuAwait(adapter.requestDevice({
      label: 'unroll',
      requiredLimits: { maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize, maxBufferSize: limits.maxBufferSize },
    }));
  } catch (e) {
    return { ok: false, reason: `the WebGPU adapter gave no device: ${(e as Error).message}` };
  }
  const info = (adapter as { info?: GPUAdapterInfo }).info;
  const summary: AdapterSummary = {
    vendor: info?.vendor || 'unknown vendor',
    architecture: info?.architecture || 'unknown',
    description: info?.description || '',
    fallback: (adapter as { isFallbackAdapter?: boolean }).isFallbackAdapter === true || info?.architecture === 'swiftshader' || /swiftshader/i.test(info?.description ?? ''),
  };
  const context: GpuContext = {
    gpu,
    device,
    adapter: summary,
    maxBinding: device.limits.maxStorageBufferBindingSize,
    maxBuffer: device.limits.maxBufferSize,
    lost: undefined,
  };
  void device.lost.then((info) => {
    context.lost = { reason: info.reason ?? 'unknown', message: info.message };
  });
  return { ok: true, context };
}

/** One line naming the adapter: `nvidia ampere (NVIDIA A100)`, `google swiftshader (software)`. */
export function describeAdapter(a: AdapterSummary): string {
  const what = [a.vendor, a.architecture].filter((s) => s !== '' && s !== 'unknown' && s !== 'unknown vendor').join(' ') || 'WebGPU adapter';
  const extra = a.fallback ? 'software' : a.description;
  return extra !== '' ? `${what} (${extra})` : what;
}

/**
 * Await a GPU promise with the event loop held open: Dawn in Node resolves its promises from a
 * poll that does not keep the process alive, so a Node process awaiting only the GPU would exit.
 */
export async function gpuAwait<T>(p: Promise<T>): Promise<T> {
  const timer = setInterval(() => undefined, 1000);
  try {
    return await p;
  } finally {
    clearInterval(timer);
  }
}
