import { lazy, Suspense, type ComponentProps, type JSX, type JSXElementConstructor } from 'react';
import type * as Overlay from '../Runs/RunsOverlay';
import type * as Compress from '../Compress/CompressCharts';

// recharts (about 270 kB of the page's script) loads just after the first screen, in a chunk of its own:
// every component that draws a chart is reached through here.
function later<P extends object>(load: () => Promise<JSXElementConstructor<P>>): (props: P) => JSX.Element {
  const Lazy = lazy(async () => ({ default: await load() }));
  return function LaterChart(props: P) {
    return (
      <Suspense fallback={<div className="chart-loading" aria-busy="true" />}>
        <Lazy {...props} />
      </Suspense>
    );
  };
}

export const ChartsPanel = later<Record<string, never>>(() => import('../Charts/ChartsPanel').then((m) => m.ChartsPanel));
export const TextChartsPanel = later<Record<string, never>>(() => import('../Charts/TextChartsPanel').then((m) => m.TextChartsPanel));
export const RunsOverlay = later<ComponentProps<typeof Overlay.RunsOverlay>>(() => import('../Runs/RunsOverlay').then((m) => m.RunsOverlay));
export const HistogramChart = later<ComponentProps<typeof Compress.HistogramChart>>(() =>
  import('../Compress/CompressCharts').then((m) => m.HistogramChart),
);
export const SweepChart = later<ComponentProps<typeof Compress.SweepChart>>(() => import('../Compress/CompressCharts').then((m) => m.SweepChart));
export const TradeoffChart = later<ComponentProps<typeof Compress.TradeoffChart>>(() =>
  import('../Compress/CompressCharts').then((m) => m.TradeoffChart),
);
