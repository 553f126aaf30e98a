/**
 * The charts' view settings, kept for the tab (a remounted Charts tab shows the curves as they
 * were): smoothing of the train curves, and the chart enlarged to the whole tab, if any.
 */
import type { ChartName, ChartOptions } from './chart-model.ts';

export interface ChartSettings extends ChartOptions {
  /** The one chart shown (beside the runs list) instead of the grid. */
  readonly expanded: ChartName | undefined;
}

let settings: ChartSettings = { smooth: true, expanded: undefined };
const listeners = new Set<() => void>();

export const getChartSettings = (): ChartSettings => settings;

export function subscribeChartSettings(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function setChartSettings(patch: Partial<ChartSettings>): void {
  settings = { ...settings, ...patch };
  for (const l of listeners) l();
}
