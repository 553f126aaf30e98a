/** The heatmaps' colour scale as a bar: 0 at the bottom, the top of the scale (1 for a softmax) above. */
import { heatColour } from '../../training/inspect-colour.ts';

const STEPS = 10;

export function InspectLegend({ max, normalized }: { max: number; normalized: boolean }) {
  const gradient = `linear-gradient(to top, ${Array.from({ length: STEPS + 1 }, (_, i) => heatColour(i / STEPS)).join(', ')})`;
  return (
    <div className="inspect-legend" aria-label={`colour scale from 0 to ${max}`} title={normalized ? 'weights of a softmax: 0 to 1' : 'raw scores (no softmax): 0 to the largest magnitude'}>
      <span>{normalized ? '1' : max.toPrecision(2)}</span>
      <div className="inspect-legend-bar" style={{ background: gradient }} />
      <span>0</span>
    </div>
  );
}
