/**
 * Live charts of the session's runs (uPlot): loss and metric (train and test), global gradient
 * norm with the clipping threshold, the per-timestep gradient ‖∂L/∂z_t‖ of each recurrent state,
 * gate saturation, and the runs list that chooses which previous runs are overlaid. Any chart can
 * be enlarged to the whole tab (beside the runs list).
 */
import { memo, useSyncExternalStore } from 'react';
import type { ChartName } from '../../training/chart-model.ts';
import { getChartSettings, setChartSettings, subscribeChartSettings } from '../../training/chart-settings.ts';
import { Chart } from './Chart.tsx';
import { RunsList } from './RunsList.tsx';
import './TrainingCharts.css';

const CHARTS: readonly { name: ChartName; title: string; hint: string }[] = [
  { name: 'loss', title: 'Loss', hint: 'Training loss per step (smoothed: an exponential moving average) and test loss at each evaluation, for every shown run' },
  { name: 'metric', title: 'Metric', hint: 'The task’s metric on each training batch and on the test split at each evaluation, for every shown run of that metric' },
  { name: 'gradNorm', title: 'Gradient norm (log)', hint: 'Global gradient norm before clipping, per step; the dashed line is the clipping threshold, red dots the clipped steps' },
  {
    name: 'timestep',
    title: '‖∂L/∂z_t‖ by time step (log)',
    hint: 'Norm of the loss gradient with respect to each recurrent state at each time step t, from the latest diagnosed step, for every shown run: a vanishing gradient falls off towards t = 0',
  },
  { name: 'gates', title: 'Gate saturation', hint: 'Per gate: fraction of activations above 0.9 (solid) and below 0.1 (dashed), over training' },
];

/** Memoised: the panel re-rendering (the lock badge, a tab) never re-renders the charts' cells. */
export const TrainingCharts = memo(function TrainingCharts() {
  const { smooth, expanded } = useSyncExternalStore(subscribeChartSettings, getChartSettings);
  const shown = expanded === undefined ? CHARTS : CHARTS.filter((c) => c.name === expanded);
  return (
    <div className="training-charts" data-testid="training-charts">
      <div className="charts-bar">
        <label>
          <input type="checkbox" checked={smooth} onChange={(e) => setChartSettings({ smooth: e.target.checked })} /> smooth train curves
        </label>
        <span className="charts-hint">drag across a chart to zoom · double-click to reset · hover for values</span>
      </div>
      <div className={`charts-grid${expanded !== undefined ? ' charts-grid-one' : ''}`}>
        {shown.map((c) => (
          <Chart key={c.name} name={c.name} title={c.title} hint={c.hint} expanded={expanded === c.name} />
        ))}
        <RunsList />
      </div>
    </div>
  );
});
