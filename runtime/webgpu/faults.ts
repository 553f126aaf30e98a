/** Faults of the WebGPU backend, as the trainer sees them: a lost device, an error the device reported. */

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
