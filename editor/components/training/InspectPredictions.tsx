/**
 * The predictions table: a page of the split's examples with input, target, prediction and ✓/✗
 * (or the example's own score, for error metrics such as mse), paged; a click on a row shows that
 * example in the heatmaps.
 */
import type { PredictionPage } from '../../../runtime/train/inspect.ts';
import { formatNumber } from '../../../runtime/train/inspect-example.ts';
import { PAGE_ROWS } from '../../training/inspect-store.ts';

interface Props {
  readonly page: PredictionPage;
  readonly selected: number;
  readonly onSelect: (index: number) => void;
  readonly onPage: (offset: number) => void;
}

export function InspectPredictions({ page, selected, onSelect, onPage }: Props) {
  const judged = page.rows.some((r) => r.correct !== null);
  const right = page.rows.filter((r) => r.correct === true).length;
  const first = page.rows[0]?.index ?? page.offset;
  const last = page.rows.at(-1)?.index ?? page.offset - 1;
  return (
    <section className="inspect-predictions" aria-label="predictions">
      <div className="inspect-page-bar">
        <button type="button" onClick={() => onPage(page.offset - PAGE_ROWS)} disabled={page.offset === 0} aria-label="previous page of predictions">
          ◀
        </button>
        <span data-testid="inspect-page-range">
          {first + 1}–{last + 1} of {page.count}
        </span>
        <button type="button" onClick={() => onPage(page.offset + PAGE_ROWS)} disabled={last + 1 >= page.count} aria-label="next page of predictions">
          ▶
        </button>
        <span className="inspect-muted">{judged ? `${right}/${page.rows.length} right on this page (${page.metric})` : `${page.metric} per example`}</span>
      </div>
      <table className="inspect-table" data-testid="inspect-predictions">
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">input</th>
            <th scope="col">target</th>
            <th scope="col">prediction</th>
            <th scope="col">{judged ? 'ok' : page.metric}</th>
          </tr>
        </thead>
        <tbody>
          {page.rows.map((r) => (
            <tr
              key={r.index}
              data-index={r.index}
              className={r.index === selected ? 'inspect-selected' : undefined}
              onClick={() => onSelect(r.index)}
              onKeyDown={(e) => {
                if (e.key === 'Enter' || e.key === ' ') {
                  e.preventDefault();
                  onSelect(r.index);
                }
              }}
              tabIndex={0}
              aria-current={r.index === selected ? 'true' : undefined}
              title="show this example's weights"
            >
              <td className="inspect-muted">{r.index}</td>
              <td className="inspect-text" title={r.input}>
                {r.input}
              </td>
              <td className="inspect-text" title={r.target}>
                {r.target}
              </td>
              <td className={`inspect-text${r.correct === false ? ' inspect-wrong' : ''}`} title={r.prediction}>
                {r.prediction}
              </td>
              <td className="inspect-mark" data-testid="inspect-mark">
                {r.correct === null ? formatNumber(r.score) : r.correct ? <span className="inspect-right">✓</span> : <span className="inspect-wrong">✗</span>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
