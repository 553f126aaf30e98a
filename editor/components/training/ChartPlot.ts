/**
 * One live chart: a uPlot plot in a cell, fed by its chart model. It subscribes to the runs store
 * and the chart settings itself and redraws through the frame scheduler, so React renders the
 * cell once and never for data. The plot lives as long as the cell: runs coming and going change
 * its series in place (`delSeries`/`addSeries`, which draw nothing), and each redraw is one
 * `setData`. Building a plot (DOM, canvas, fonts) is the costly part, and all five charts doing
 * it at once when a run starts was a long task on a slow machine; now it happens once per chart,
 * when the panel shows it, one chart per frame.
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { buildChart, type ChartModel, type ChartName, type LegendItem, type SeriesSpec } from '../../training/chart-model.ts';
import { getChartSettings, subscribeChartSettings } from '../../training/chart-settings.ts';
import { logRange, logTicks } from '../../training/chart-ticks.ts';
import { setDrawn } from '../../training/chart-snapshot.ts';
import { getRuns, subscribeRuns } from '../../training/runs.ts';
import { cancelDraw, requestDraw, requestDrawNow, type Drawable } from './ChartFrame.ts';

/** The cell's parts the plot writes into. */
export interface ChartElements {
  readonly plot: HTMLElement;
  readonly legend: HTMLElement;
  readonly readout: HTMLElement;
  readonly empty: HTMLElement;
}

/** Tick labels: short, exponent form for the very small and the large (log axes span decades). */
export function tick(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a < 1e-3 || a >= 1e5) {
    const [m, e] = v.toExponential(0).split('e');
    return `${m}e${Number(e)}`;
  }
  return String(Number(v.toPrecision(3)));
}

const value = (v: number): string => (Math.abs(v) < 1e-3 && v !== 0 ? v.toExponential(2) : String(Number(v.toPrecision(4))));

const AXIS_FONT = '10px system-ui, sans-serif';

/** uPlot's options for one series of the model. */
function seriesOptions(s: SeriesSpec): uPlot.Series {
  return {
    label: s.label,
    stroke: s.colour,
    width: s.width,
    dash: [...s.dash],
    spanGaps: true,
    ...(s.kind === 'points' ? { paths: () => null, points: { show: true, size: s.pointSize, width: 1, stroke: s.colour, fill: s.colour } } : { points: { show: false } }),
  };
}

/** What a series looks like: a series with another key is replaced. */
const seriesKey = (s: SeriesSpec): string => `${s.kind}|${s.label}|${s.colour}|${s.width}|${s.dash.join(',')}|${s.pointSize}`;

/** The plot's scales: a model with other scales (never, for one chart) gets a new plot. */
const scalesKey = (m: ChartModel): string => `${m.log}|${m.yRange?.join(',') ?? ''}`;

/** The plot's options, with no series (they are added by the draw that has them). */
function options(m: ChartModel, width: number, height: number, readout: () => void): uPlot.Options {
  const axis = (side: 'x' | 'y'): uPlot.Axis => ({
    font: AXIS_FONT,
    size: side === 'x' ? 22 : 42,
    gap: 2,
    ticks: { size: 3, stroke: '#d4d4d8', width: 1 },
    grid: { stroke: '#eef0f3', width: 1 },
    stroke: '#6b7280',
    values: (_u, splits) => splits.map((v) => (v === null || v === undefined ? '' : tick(v))),
    ...(side === 'x' ? { space: 50 } : { space: 22 }),
    // Whole decades on a log axis (see chart-ticks.ts), as many as fit one per 18 px.
    // (and every one labelled: uPlot's own filter assumes its nine ticks a decade).
    ...(side === 'y' && m.log ? { splits: (u: uPlot, _i: number, min: number, max: number) => logTicks(min, max, Math.floor(u.bbox.height / devicePixelRatio / 18)), filter: (_u: uPlot, splits: number[]) => splits } : {}),
  });
  return {
    width,
    height,
    legend: { show: false },
    // Room on the right for the last x label (uPlot centres labels on their ticks).
    padding: [8, 16, 0, 0],
    cursor: { drag: { x: true, y: false, setScale: true }, points: { size: 5 } },
    scales: {
      x: { time: false },
      y: m.log ? { distr: 3, log: 10, range: (_u, min, max) => logRange(min, max) } : m.yRange !== undefined ? { range: [m.yRange[0], m.yRange[1]] } : {},
    },
    axes: [axis('x'), axis('y')],
    series: [{ label: 'x' }],
    hooks: { setCursor: [readout] },
  };
}

/** The nearest index to `i` where series `s` has a value (within a short reach), else undefined. */
function nearest(col: ArrayLike<number | null | undefined>, i: number): number | undefined {
  for (let d = 0; d < 400; d++) {
    if (i - d >= 0 && col[i - d] != null) return i - d;
    if (i + d < col.length && col[i + d] != null) return i + d;
    if (i - d < 0 && i + d >= col.length) return undefined;
  }
  return undefined;
}

/** Under the cursor: the x and each series' nearest value, in the cell's header. */
function showReadout(u: uPlot, m: ChartModel, readout: HTMLElement): void {
  const i = u.cursor.idx;
  if (i === null || i === undefined) {
    readout.textContent = '';
    return;
  }
  const x = u.data[0][i];
  const parts: string[] = [];
  m.series.forEach((s, k) => {
    if (s.label.endsWith('(raw)')) return;
    const col = u.data[k + 1]!;
    const j = nearest(col, i);
    if (j !== undefined) parts.push(`${s.label} ${value(col[j] as number)}`);
  });
  readout.textContent = `${m.xLabel} ${x ?? ''}: ${parts.join(' · ')}`;
  readout.title = readout.textContent;
}

function renderLegend(el: HTMLElement, items: readonly LegendItem[]): void {
  el.replaceChildren(
    ...items.map((it) => {
      const span = document.createElement('span');
      span.className = 'charts-legend-item';
      const mark = document.createElement('span');
      mark.className = it.marker === 'dot' ? 'charts-mark-dot' : 'charts-mark-line';
      if (it.marker === 'dot') mark.style.background = it.colour;
      else mark.style.borderTop = `2px ${it.dash.length > 0 ? 'dashed' : 'solid'} ${it.colour}`;
      const text = document.createElement('span');
      text.textContent = it.label;
      span.title = it.label;
      span.append(mark, text);
      return span;
    }),
  );
}

const NO_DATA: uPlot.AlignedData = [new Float64Array(0)];

export class ChartPlot implements Drawable {
  private plot: uPlot | undefined;
  private scales = '';
  /** Keys of the plot's series (after x), in order. */
  private seriesKeys: readonly string[] = [];
  /** The model last drawn (the readout reads its series). */
  private model: ChartModel | undefined;
  private legendKey = '';
  private showsEmpty = false;
  private size = { width: 0, height: 0 };
  private readonly unsubscribe: (() => void)[];
  private readonly resize: ResizeObserver;

  constructor(
    readonly name: ChartName,
    private readonly el: ChartElements,
  ) {
    // A page brought back from the background redraws what changed meanwhile.
    const onVisible = (): void => {
      if (document.visibilityState === 'visible') requestDrawNow(this);
    };
    document.addEventListener('visibilitychange', onVisible);
    this.unsubscribe = [subscribeRuns(() => requestDraw(this)), subscribeChartSettings(() => requestDrawNow(this)), () => document.removeEventListener('visibilitychange', onVisible)];
    // Sizes the plot to its cell, and redraws a chart that was hidden when it shows again.
    this.resize = new ResizeObserver(() => {
      const r = el.plot.getBoundingClientRect();
      const size = { width: Math.floor(r.width), height: Math.floor(r.height) };
      if (size.width === this.size.width && size.height === this.size.height) return;
      this.size = size;
      if (this.plot !== undefined && size.width > 0 && size.height > 0) this.plot.setSize(size);
      requestDrawNow(this);
    });
    this.resize.observe(el.plot);
    requestDrawNow(this);
  }

  private visible(): boolean {
    return this.size.width > 0 && this.size.height > 0 && this.el.plot.isConnected && document.visibilityState !== 'hidden';
  }

  draw(): boolean {
    if (!this.visible()) return false;
    const m = buildChart(this.name, getRuns(), getChartSettings());
    this.model = m;
    const legendKey = m.legend.map((l) => `${l.label}|${l.colour}|${l.marker}|${l.dash.join(',')}`).join('\n');
    if (legendKey !== this.legendKey) {
      renderLegend(this.el.legend, m.legend);
      this.legendKey = legendKey;
    }
    const empty = m.empty !== undefined;
    if (empty) this.el.empty.textContent = m.empty!;
    this.el.empty.hidden = !empty;
    if (this.plot === undefined || scalesKey(m) !== this.scales) {
      this.destroyPlot();
      this.plot = new uPlot(options(m, this.size.width, this.size.height, () => this.showReadout()), NO_DATA, this.el.plot);
      this.scales = scalesKey(m);
      this.showsEmpty = false;
    }
    const plot = this.plot;
    if (empty) {
      // The note covers the plot: no series, nothing drawn under it.
      if (!this.showsEmpty) {
        this.setSeries(plot, []);
        plot.setData(NO_DATA);
        plot.root.style.visibility = 'hidden';
        this.el.readout.textContent = '';
        this.showsEmpty = true;
      }
      setDrawn(this.name, false);
      return true;
    }
    this.setSeries(plot, m.series);
    plot.setData(m.data as uPlot.AlignedData);
    if (this.showsEmpty) {
      plot.root.style.visibility = '';
      this.showsEmpty = false;
    }
    setDrawn(this.name, true);
    return true;
  }

  /** Make the plot's series `specs`: keep the common prefix, replace the rest (no drawing until setData). */
  private setSeries(plot: uPlot, specs: readonly SeriesSpec[]): void {
    const keys = specs.map(seriesKey);
    let same = 0;
    while (same < keys.length && same < this.seriesKeys.length && keys[same] === this.seriesKeys[same]) same++;
    if (same === keys.length && same === this.seriesKeys.length) return;
    for (let i = this.seriesKeys.length; i > same; i--) plot.delSeries(i);
    for (let i = same; i < specs.length; i++) plot.addSeries(seriesOptions(specs[i]!), i + 1);
    this.seriesKeys = keys;
  }

  private showReadout(): void {
    if (this.plot !== undefined && this.model !== undefined && !this.showsEmpty) showReadout(this.plot, this.model, this.el.readout);
  }

  private destroyPlot(): void {
    if (this.plot === undefined) return;
    this.plot.destroy();
    this.plot = undefined;
    this.seriesKeys = [];
    this.el.readout.textContent = '';
    setDrawn(this.name, false);
  }

  destroy(): void {
    for (const u of this.unsubscribe) u();
    this.resize.disconnect();
    cancelDraw(this);
    this.destroyPlot();
  }
}
