/**
 * Messages between the page and the preview worker (preview-worker.ts). The worker keeps the
 * file's bytes (sent once, transferred), so changing the mapping sends only the mapping.
 */
import type { DataPreview } from '../../runtime/data/dataset.ts';
import type { ColumnMapping } from '../../runtime/data/mapping.ts';
import type { Result } from '../../runtime/errors/catalogue.ts';
import type { ParamValueJson } from '../../runtime/graph/types.ts';

export type PreviewRequest =
  /** The file to preview from now on. */
  | { readonly kind: 'file'; readonly name: string; readonly bytes: Uint8Array }
  /** Read the file with these params and mapping (see `previewData`). */
  | {
      readonly kind: 'preview';
      readonly id: number;
      readonly params: Readonly<Record<string, ParamValueJson>>;
      readonly map: ColumnMapping | string | undefined;
      readonly graphParams: Readonly<Record<string, ParamValueJson>>;
      readonly rows: number;
    };

export interface PreviewReply {
  readonly id: number;
  readonly result: Result<DataPreview>;
}
