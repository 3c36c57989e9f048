import { useMemo } from 'react';
import { useXAxisScale, useYAxisScale } from 'recharts';
import type { EpochPoint } from '../../engine/config/events';
import { Mode, OverlayRun, useStore } from '../store/store';
import { pathOf, type XY } from './series';

/** A compared run's validation curve on a live chart, by step. */
export interface OverlaySeries {
  id: string;
  label: string;
  points: XY[];
}

const NO_OVERLAYS: OverlaySeries[] = [];

// apart from the live run's blue (train) and red (validation), and each with its own dash, for colour-blind readers
// (the legend's swatches in styles.css, .legend-overlay-N, repeat them)
const STYLES = [
  { stroke: '#7c3aed', dash: '2 3' },
  { stroke: '#047857', dash: '10 4' },
  { stroke: '#a16207', dash: '6 3 2 3' },
  { stroke: '#0e7490', dash: '1 5' },
];

/** The runs ticked 'compare' in the Runs panel that belong to this tab, as one chart's curves. */
export function useOverlays(task: Mode, valueOf: (e: EpochPoint) => number): OverlaySeries[] {
  const all = useStore((s) => s.runs.overlay);
  return useMemo(() => {
    const mine = all.filter((o: OverlayRun) => o.task === task);
    if (!mine.length) return NO_OVERLAYS;
    return mine.map((r) => ({
      id: r.id,
      label: r.label,
      points: r.epochs.filter((e) => Number.isFinite(valueOf(e))).map((e) => ({ step: e.step, value: valueOf(e) })),
    }));
  }, [all, task, valueOf]);
}

/** The caption's words for the overlays: a screen reader hears what the lines show. */
export function overlayCaption(series: OverlaySeries[], format: (v: number) => string): string {
  const parts = series.map((s) => {
    const last = s.points[s.points.length - 1];
    return last ? `${s.label}: validation ${format(last.value)} at step ${last.step}` : `${s.label}: no validation points`;
  });
  return `. Compared: ${parts.join('; ')}.`;
}

/** One dashed path per compared run, no dot per point, on the chart's scales. */
export function OverlayLines({ series }: { series: OverlaySeries[] }) {
  const x = useXAxisScale();
  const y = useYAxisScale();
  if (!x || !y) return null;
  return (
    <>
      {series.map((s, i) => (
        <path
          key={s.id}
          className="overlay-series"
          d={pathOf(s.points, x, y)}
          fill="none"
          stroke={STYLES[i % STYLES.length]!.stroke}
          strokeDasharray={STYLES[i % STYLES.length]!.dash}
          strokeWidth={1.5}
        />
      ))}
    </>
  );
}

export function OverlayLegend({ series }: { series: OverlaySeries[] }) {
  return (
    <>
      {series.map((s, i) => (
        <li key={s.id} className={`legend-overlay-${i % STYLES.length}`}>
          {s.label}
        </li>
      ))}
    </>
  );
}
