/**
 * The files an export produces, the same for the command line and the editor's Export menu:
 * PyTorch gives `model.py` and `train.py`; ONNX gives `model.onnx` for given lengths.
 */
import type { Result } from '../errors/catalogue.ts';
import type { GraphAnalysis } from '../validate/types.ts';
import { exportOnnx } from './onnx.ts';
import { exportPytorch } from './pytorch.ts';
import { trainScript } from './train-template.ts';

export interface ExportFile {
  readonly name: string;
  readonly mime: string;
  readonly data: string | Uint8Array;
}

/** `model.py` and `train.py` for `a`. */
export function pytorchFiles(a: GraphAnalysis): Result<ExportFile[]> {
  const r = exportPytorch(a);
  if (!r.ok) return r;
  return {
    ok: true,
    value: [
      { name: 'model.py', mime: 'text/x-python', data: r.value.code },
      { name: 'train.py', mime: 'text/x-python', data: trainScript(a) },
    ],
  };
}

/** `model.onnx` for `a` unrolled at `lengths`, with these weights embedded. */
export function onnxFile(a: GraphAnalysis, lengths: Readonly<Record<string, number>>, weights: ReadonlyMap<string, ArrayLike<number>>, producerVersion = ''): Result<ExportFile> {
  const r = exportOnnx(a, lengths, { weights, producerVersion });
  if (!r.ok) return r;
  return { ok: true, value: { name: 'model.onnx', mime: 'application/octet-stream', data: r.value.bytes } };
}
