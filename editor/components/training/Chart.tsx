/** A cell of the charts grid: title, hover readout, enlarge button, legend and the live plot (see ChartPlot). */
import { useEffect, useRef } from 'react';
import type { ChartName } from '../../training/chart-model.ts';
import { setChartSettings } from '../../training/chart-settings.ts';
import { ChartPlot } from './ChartPlot.ts';

export function Chart({ name, title, hint, expanded }: { name: ChartName; title: string; hint: string; expanded: boolean }) {
  const plot = useRef<HTMLDivElement>(null);
  const legend = useRef<HTMLDivElement>(null);
  const readout = useRef<HTMLSpanElement>(null);
  const empty = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const p = new ChartPlot(name, { plot: plot.current!, legend: legend.current!, readout: readout.current!, empty: empty.current! });
    return () => p.destroy();
  }, [name]);
  return (
    <section className={`charts-cell${expanded ? ' charts-expanded' : ''}`} data-testid={`chart-${name}`} aria-label={title}>
      <header className="charts-head">
        <h3 title={hint}>{title}</h3>
        <span className="charts-readout" ref={readout} />
        <button
          type="button"
          className="charts-enlarge"
          onClick={() => setChartSettings({ expanded: expanded ? undefined : name })}
          aria-label={expanded ? 'Back to all charts' : `Enlarge ${title}`}
          title={expanded ? 'Back to all charts' : 'Enlarge this chart'}
        >
          {expanded ? '⤡' : '⤢'}
        </button>
      </header>
      <div className="charts-legend" ref={legend} />
      <div className="charts-plot" ref={plot}>
        <div className="charts-empty" ref={empty} hidden />
      </div>
    </section>
  );
}
