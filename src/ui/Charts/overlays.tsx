import { useMemo } from 'react';
import { Line } from 'recharts';
import type { EpochPoint } from '../../engine/train/trainer';
import { Mode, OverlayRun, useStore } from '../store/store';

/** A compared run's validation curve on a live chart, by step. */
export interface OverlaySeries {
  id: string;
  label: string;
  points: { step: number; value: number }[];
}

export const NO_OVERLAYS: OverlayRun[] = [];

// apart from the live run's blue (train) and red (validation), and each with its own dash, for colour-blind readers
const STYLES = [
  { stroke: '#7c3aed', dash: '2 3' },
  { stroke: '#047857', dash: '10 4' },
  { stroke: '#a16207', dash: '6 3 2 3' },
  { stroke: '#0e7490', dash: '1 5' },
];

/** The runs ticked 'compare' in the Runs panel that belong to this tab. */
export function useOverlays(task: Mode): OverlayRun[] {
  const all = useStore((s) => s.runs.overlay);
  return useMemo(() => {
    const mine = all.filter((o) => o.task === task);
    return mine.length ? mine : NO_OVERLAYS;
  }, [all, task]);
}

export function overlaySeries(runs: OverlayRun[], valueOf: (e: EpochPoint) => number): OverlaySeries[] {
  return runs.map((r) => ({ id: r.id, label: r.label, points: r.epochs.filter((e) => Number.isFinite(valueOf(e))).map((e) => ({ step: e.step, value: valueOf(e) })) }));
}

/** The caption's words for the overlays: a screen reader hears what the lines show. */
export function overlayCaption(series: OverlaySeries[], format: (v: number) => string): string {
  const parts = series.map((s) => {
    const last = s.points[s.points.length - 1];
    return last ? `${s.label}: validation ${format(last.value)} at step ${last.step}` : `${s.label}: no validation points`;
  });
  return `. Compared: ${parts.join('; ')}.`;
}

/** One path per compared run, no dot per point: the chart keeps few SVG nodes while the live run redraws it. */
export function overlayLines(series: OverlaySeries[]) {
  return series.map((s, i) => (
    <Line
      key={s.id}
      className="overlay-series"
      name={s.label}
      data={s.points}
      dataKey="value"
      stroke={STYLES[i % STYLES.length].stroke}
      strokeDasharray={STYLES[i % STYLES.length].dash}
      strokeWidth={1.5}
      dot={false}
      activeDot={false}
      isAnimationActive={false}
      legendType="plainline"
    />
  ));
}
