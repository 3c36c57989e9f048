import { Component, lazy, Suspense, type ComponentProps, type JSX, type JSXElementConstructor, type ReactNode } from 'react';
import type * as Metric from '../Charts/MetricChart';
import type * as Overlay from '../Runs/RunsOverlay';
import type * as Compress from '../Compress/CompressCharts';

// recharts (about 115 kB of the page's gzipped script) is not in the first script: every component that draws a
// chart is reached through here, loads in a chunk of its own, and shows a placeholder of its own size meanwhile.

/** A chart's place while its code loads: its caption and its height, so nothing around it moves when it arrives. */
function ChartLoading({ caption, height }: { caption?: string; height: number }) {
  return (
    <figure className="chart" aria-busy="true" data-loading="chart">
      {caption !== undefined && <figcaption>{caption}</figcaption>}
      <div className="chart-loading" style={{ height }}>
        Loading chart…
      </div>
    </figure>
  );
}

/** A chart whose code did not arrive (offline before the service worker had cached it): said in its place, not a blank page. */
class ChartFailed extends Component<{ children: ReactNode }, { error: string | null }> {
  state = { error: null as string | null };
  static getDerivedStateFromError(e: unknown) {
    return { error: e instanceof Error ? e.message : String(e) };
  }
  render() {
    if (this.state.error === null) return this.props.children;
    return (
      <p className="error" role="alert" data-testid="chart-failed">
        This chart could not be loaded ({this.state.error}). Reload the page to try again.
      </p>
    );
  }
}

const loaders: (() => Promise<unknown>)[] = [];

function later<P extends object>(load: () => Promise<JSXElementConstructor<P>>, placeholder: (props: P) => JSX.Element): (props: P) => JSX.Element {
  let loading: Promise<JSXElementConstructor<P>> | undefined;
  // a failed load is forgotten, so the chart's own render tries again (React.lazy keeps what it gets)
  const once = () =>
    (loading ??= load().catch((e: unknown) => {
      loading = undefined;
      throw e;
    }));
  loaders.push(once);
  const Lazy = lazy(async () => ({ default: await once() }));
  return function LaterChart(props: P) {
    return (
      <ChartFailed>
        <Suspense fallback={placeholder(props)}>
          <Lazy {...props} />
        </Suspense>
      </ChartFailed>
    );
  };
}

/**
 * Fetches every chart's code once the browser is idle after the first screen, so a chart shown later (the runs
 * comparison, the compression charts) appears without its placeholder.
 */
export function loadChartsSoon(): void {
  const all = () => loaders.forEach((load) => void load().catch(() => undefined)); // the chart tries again when shown
  if (typeof requestIdleCallback === 'function') requestIdleCallback(all, { timeout: 2000 });
  else setTimeout(all, 200);
}

// the heights are each chart's drawing (its ResponsiveContainer) plus its legend or caption line
export const MetricChart = later<ComponentProps<typeof Metric.MetricChart>>(
  () => import('../Charts/MetricChart').then((m) => m.MetricChart),
  (p) => <ChartLoading caption={p.title} height={238} />,
);
export const RunsOverlay = later<ComponentProps<typeof Overlay.RunsOverlay>>(
  () => import('../Runs/RunsOverlay').then((m) => m.RunsOverlay),
  () => <ChartLoading caption="Compared runs" height={220} />,
);
const compressCharts = () => import('../Compress/CompressCharts');
export const HistogramChart = later<ComponentProps<typeof Compress.HistogramChart>>(
  () => compressCharts().then((m) => m.HistogramChart),
  () => <ChartLoading caption="Weight histogram" height={200} />,
);
export const SweepChart = later<ComponentProps<typeof Compress.SweepChart>>(
  () => compressCharts().then((m) => m.SweepChart),
  () => <ChartLoading caption="Sparsity sweep" height={200} />,
);
export const TradeoffChart = later<ComponentProps<typeof Compress.TradeoffChart>>(
  () => compressCharts().then((m) => m.TradeoffChart),
  () => <ChartLoading caption="Size against quality" height={240} />,
);
