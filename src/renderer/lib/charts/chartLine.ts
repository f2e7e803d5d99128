// Turns one metric series into the few thousand points a chart can draw: optional EMA smoothing
// (incremental), then min/max decimation. Kept apart from the component so it can be tested.
import { decimateMinMax, toPoints } from './decimate.ts';
import type { MetricSeries } from './metrics.svelte.ts';
import { EmaCache } from './smooth.ts';

/** A line on a chart: one series, possibly from another run when runs are overlaid. */
export interface ChartLine {
  label: string; // legend text, e.g. 'train loss' or 'run-3 · val loss'
  series: MetricSeries;
  color?: string; // '#rrggbb' (an alpha suffix fades the raw line); defaults to a palette entry
  dashed?: boolean; // e.g. validation lines
}

export interface LinePoints {
  raw: { x: number; y: number }[];
  smoothed: { x: number; y: number }[] | null; // null when smoothing is off
}

export class LinePreparer {
  #ema = new EmaCache();

  prepare(series: MetricSeries, smoothing: number, buckets: number): LinePoints {
    const n = series.length;
    const raw = toPoints(decimateMinMax(series.steps, series.values, n, buckets));
    if (smoothing <= 0) return { raw, smoothed: null };
    const ema = this.#ema.update(series.values, n, smoothing, series.epoch);
    return { raw, smoothed: toPoints(decimateMinMax(series.steps, ema, n, buckets)) };
  }
}

export const palette = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#b07aa1', '#edc948', '#9c755f'];
