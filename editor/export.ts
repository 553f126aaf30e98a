/** Export ▸ PyTorch: the same model.py and train.py as `unroll export G --to pytorch` (runtime/export). */
import { formatError } from '../runtime/errors/catalogue.ts';
import { pytorchFiles } from '../runtime/export/files.ts';
import { analyzeGraph } from '../runtime/validate/validate.ts';
import { downloadBlob } from './files.ts';
import { currentDoc, notify } from './store.ts';

/** Download one file of the current graph's PyTorch export (`model.py` or `train.py`). */
export function downloadPytorchFile(name: 'model.py' | 'train.py'): void {
  const analysis = analyzeGraph(currentDoc(), { purpose: 'inference' });
  const files = analysis.ok ? pytorchFiles(analysis) : { ok: false as const, errors: analysis.errors };
  if (!files.ok) {
    notify('error', `Cannot export to PyTorch: ${files.errors.slice(0, 3).map(formatError).join('; ')}`);
    return;
  }
  const file = files.value.find((f) => f.name === name)!;
  downloadBlob(typeof file.data === 'string' ? file.data : new Uint8Array(file.data), file.name, file.mime);
}
