/**
 * The addressing weights of a memory network on one example: one row per memory item (a story's
 * sentence, as text), one column per hop (each `memory` node, or each step of one in a loop), each
 * cell the weight that hop put on that item, coloured on the heatmaps' scale, the largest in bold.
 */
import type { WeightMap } from '../../../runtime/train/inspect.ts';
import { formatWeight, heatColour, heatTextColour, scaleMax } from '../../training/inspect-colour.ts';

/** One hop: a column of weights over the memory items. */
interface Hop {
  readonly label: string;
  readonly node: string;
  readonly weights: readonly number[];
  readonly items: readonly string[];
  readonly normalized: boolean;
}

/** Every hop, in reading order: each node's steps (one outside loops). */
export function hopsOf(maps: readonly WeightMap[]): Hop[] {
  return maps.flatMap((m) =>
    m.weights.map((weights, r) => ({
      label: m.weights.length > 1 ? `${m.node} ${m.rows.labels[r] ?? r}` : m.node,
      node: m.node,
      weights,
      items: m.cols.labels,
      normalized: m.normalized,
    })),
  );
}

/** Consecutive hops over the same items share a table. */
function groups(hops: readonly Hop[]): Hop[][] {
  const out: Hop[][] = [];
  for (const h of hops) {
    const last = out.at(-1);
    if (last !== undefined && JSON.stringify(last[0]!.items) === JSON.stringify(h.items)) last.push(h);
    else out.push([h]);
  }
  return out;
}

function HopTable({ hops }: { hops: readonly Hop[] }) {
  const items = hops[0]!.items;
  const tops = hops.map((h) => h.weights.indexOf(Math.max(...h.weights)));
  const maxes = hops.map((h) => scaleMax([h.weights], h.normalized));
  return (
    <table className="inspect-memory-table" data-testid="inspect-memory">
      <thead>
        <tr>
          <th scope="col">#</th>
          <th scope="col" className="inspect-memory-item">memory item</th>
          {hops.map((h, k) => (
            <th scope="col" key={k} title={h.normalized ? `hop ${k + 1}: softmax weights` : `hop ${k + 1}: raw scores (linear start, no softmax)`}>
              hop {k + 1}
              <span className="inspect-muted inspect-hop-node">{h.label}</span>
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {items.map((text, i) => (
          <tr key={i}>
            <td className="inspect-muted">{i + 1}</td>
            <td className="inspect-memory-item" title={text}>
              {text}
            </td>
            {hops.map((h, k) => {
              const w = h.weights[i]!;
              return (
                <td
                  key={k}
                  className={`inspect-memory-cell${tops[k] === i ? ' inspect-top' : ''}`}
                  style={{ background: heatColour(w, maxes[k]), color: heatTextColour(w, maxes[k]) }}
                  title={`hop ${k + 1} (${h.label}) on item ${i + 1}: ${w.toFixed(4)}`}
                >
                  {formatWeight(w)}
                </td>
              );
            })}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function InspectMemory({ maps }: { maps: readonly WeightMap[] }) {
  const hops = hopsOf(maps);
  const linear = hops.some((h) => !h.normalized);
  return (
    <section className="inspect-memory" aria-label="memory addressing weights per hop">
      <h4>
        Memory addressing <span className="inspect-muted">· weight of each hop on each item{linear ? ' · linear start: raw scores, not a softmax' : ''}</span>
      </h4>
      {groups(hops).map((g, i) => (
        <HopTable key={i} hops={g} />
      ))}
    </section>
  );
}
