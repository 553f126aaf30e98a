/**
 * One attention node's weights on one example as a heatmap: rows the decoder (query) steps,
 * columns the encoder (key) steps, the tokens on both axes, viridis from 0 to 1, the value of the
 * cell under the pointer in a readout. A CSS grid of cells (at most a few thousand), so every cell
 * and label is in the DOM for tests and screen readers.
 */
import { useState, type MouseEvent } from 'react';
import type { AxisLabels, WeightMap } from '../../../runtime/train/inspect.ts';
import { formatWeight, heatColour, scaleMax } from '../../training/inspect-colour.ts';
import { InspectLegend } from './InspectLegend.tsx';

/** Cell edge in px: larger for small maps, so a 5 × 6 map is not a postage stamp. */
export const cellSize = (rows: number, cols: number): number => {
  const n = Math.max(rows, cols);
  return n <= 12 ? 24 : n <= 24 ? 17 : n <= 40 ? 13 : 9;
};

const axisName = (a: AxisLabels, fallback: string): string =>
  a.source === 'input' ? `${a.stream} (input)` : a.source === 'prediction' ? `${a.stream} (predicted)` : a.source === 'node' ? fallback : `${a.axis ?? fallback} step`;

/** The label of row i: the predicted token, marked when it is not the target's. */
function RowLabel({ rows, i }: { rows: AxisLabels; i: number }) {
  const label = rows.labels[i] ?? String(i);
  const target = rows.targets?.[i];
  const wrong = target !== undefined && target !== label;
  return (
    <div role="rowheader" className={`inspect-row-label${wrong ? ' inspect-wrong' : ''}`} title={wrong ? `step ${i}: predicted ${label}, target ${target}` : `step ${i}: ${label}`}>
      {label}
    </div>
  );
}

export function InspectHeatmap({ map }: { map: WeightMap }) {
  const [hover, setHover] = useState<{ i: number; j: number } | undefined>(undefined);
  const R = map.weights.length;
  const C = map.cols.labels.length;
  const cell = cellSize(R, C);
  const max = scaleMax(map.weights, map.normalized);
  const vertical = map.cols.labels.some((l) => l.length > 2);
  const onMove = (e: MouseEvent<HTMLDivElement>): void => {
    const t = (e.target as HTMLElement).dataset;
    setHover(t.i !== undefined && t.j !== undefined ? { i: Number(t.i), j: Number(t.j) } : undefined);
  };
  const rowName = axisName(map.rows, map.node);
  const colName = axisName(map.cols, 'key');
  const readout =
    hover !== undefined
      ? `${map.rows.labels[hover.i] ?? hover.i} (row ${hover.i}) → ${map.cols.labels[hover.j] ?? hover.j} (column ${hover.j}): ${map.weights[hover.i]![hover.j]!.toFixed(4)}`
      : `${R} × ${C}: ${rowName} × ${colName}. Point at a cell for its weight.`;
  return (
    <figure className="inspect-heatmap" data-testid={`inspect-heatmap-${map.node}`}>
      <figcaption>
        <strong>{map.node}</strong> <span className="inspect-muted">attention weights · rows {rowName}, columns {colName}</span>
      </figcaption>
      <div className="inspect-heatmap-body">
        <div
          role="table"
          aria-label={`attention weights of ${map.node}: ${R} rows (${rowName}) by ${C} columns (${colName})`}
          className="inspect-grid"
          style={{ gridTemplateColumns: `max-content repeat(${C}, ${cell}px)`, gridTemplateRows: `${vertical ? 'auto' : `${cell}px`} repeat(${R}, ${cell}px)` }}
          onMouseMove={onMove}
          onMouseLeave={() => setHover(undefined)}
        >
          <div role="row" className="inspect-grid-row">
            <div role="columnheader" className="inspect-corner" aria-label={`${rowName} \\ ${colName}`} />
            {map.cols.labels.map((l, j) => (
              <div role="columnheader" key={j} className={`inspect-col-label${vertical ? ' inspect-vertical' : ''}`} title={`column ${j}: ${l}`}>
                {l}
              </div>
            ))}
          </div>
          {map.weights.map((row, i) => (
            <div role="row" className="inspect-grid-row" key={i}>
              <RowLabel rows={map.rows} i={i} />
              {row.map((w, j) => (
                <div
                  role="cell"
                  key={j}
                  data-i={i}
                  data-j={j}
                  aria-label={formatWeight(w)}
                  className={`inspect-cell${hover?.i === i && hover.j === j ? ' inspect-cell-hover' : ''}`}
                  style={{ background: heatColour(w, max) }}
                />
              ))}
            </div>
          ))}
        </div>
        <InspectLegend max={max} normalized={map.normalized} />
      </div>
      <p className="inspect-readout" data-testid="inspect-readout" aria-live="polite">
        {readout}
      </p>
    </figure>
  );
}
