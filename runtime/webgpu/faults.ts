/** Faults of the WebGPU backend, as the trainer sees them: a lost device, an error the device reported. */
import { gpuAwait, type GpuContext } from './context.ts';
import { unrollError, type UnrollError } from '../errors/catalogue.ts';
import { formatBytes } from '../train/memory-estimate.ts';

export type GpuFaultKind = 'lost' | 'oom' | 'error';

/** Thrown by a GPU run; `kind` says whether falling back to the CPU can help (it always can) and whether the device is gone. */
export class GpuFault extends Error {
  constructor(
    readonly kind: GpuFaultKind,
    message: string,
    /** For `lost`: the device's reason (`destroyed` when destroyed on purpose, else `unknown`). */
    readonly reason?: string,
  ) {
    super(message);
    this.name = 'GpuFault';
  }

  static lost(info: { readonly reason: string; readonly message: string }): GpuFault {
    const detail = info.message.trim().replace(/\.$/, '');
    return new GpuFault('lost', `the GPU device was lost (${info.reason}${detail !== '' ? `: ${detail}` : ''})`, info.reason);
  }
}

/**
 * A failed GPU operation as a fault: a lost device when the device says so within a moment (its
 * `lost` promise may settle just after the failure it caused), else an error.
 */
export async function faultOf(context: GpuContext, message: string): Promise<GpuFault> {
  if (context.lost === undefined) {
    const info = await gpuAwait(Promise.race([context.device.lost, new Promise<undefined>((r) => setTimeout(r, 200, undefined))]));
    if (info !== undefined) context.lost = { reason: info.reason ?? 'unknown', message: info.message };
  }
  return context.lost !== undefined ? GpuFault.lost(context.lost) : new GpuFault('error', message);
}


/**
 * Why a buffer of `bytes` cannot be had, before anything is allocated: a lost device (E450), or
 * more than one binding or buffer of the adapter may hold (E449, naming `who` needs it and
 * `advice` what to do). Undefined when it fits.
 */
export function gpuRoomError(context: GpuContext, bytes: number, who: string, advice: string): UnrollError | undefined {
  if (context.lost !== undefined) return unrollError('E450', GpuFault.lost(context.lost).message);
  const limit = Math.min(context.maxBinding, context.maxBuffer);
  if (bytes <= limit) return undefined;
  return unrollError('E449', `${who} needs one GPU buffer of ${formatBytes(bytes)}; the adapter allows ${formatBytes(limit)}: ${advice}`);
}
