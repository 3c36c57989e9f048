import { memo, useMemo } from 'react';
import { CartesianGrid, ComposedChart, Legend, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { smooth } from '../../engine/train/metrics';
import type { EpochPoint, StepPoint } from '../../engine/train/trainer';
import { useStore } from '../store/store';
import { Panel } from '../common/Field';
import type { OverlayRun } from '../store/store';
import { NO_OVERLAYS, overlayCaption, overlayLines, overlaySeries, useOverlays } from './overlays';

export const NONE: StepPoint[] = [];
export const NO_EPOCHS: EpochPoint[] = [];
const MAX_POINTS = 300; // drawn per series; older steps are thinned, never the latest

function thin<T>(rows: T[]): T[] {
  if (rows.length <= MAX_POINTS) return rows;
  const every = Math.ceil(rows.length / MAX_POINTS);
  return rows.filter((_, i) => i % every === 0 || i === rows.length - 1);
}

interface Props {
  title: string;
  steps: StepPoint[];
  epochs: EpochPoint[];
  /** The training series (omit for a validation-only chart). */
  train?: (p: StepPoint) => number;
  val: (e: EpochPoint) => number;
  format: (v: number) => string;
  yDomain: [number | 'auto', number | 'auto'];
  epochWord: string;
  testId: string;
  /** Runs ticked 'compare' in the Runs panel: their validation curves over this chart, by step. */
  overlays?: OverlayRun[];
}

const NO_TRAIN = (): number => NaN;

/** The series a chart panel draws: the current run's, when that run is of this tab's kind. */
export function useSeries(task: 'images' | 'text'): { steps: StepPoint[]; epochs: EpochPoint[] } {
  const mine = useStore((s) => s.train.task === task);
  const steps = useStore((s) => (mine ? s.train.steps : NONE));
  const epochs = useStore((s) => (mine ? s.train.epochs : NO_EPOCHS));
  return { steps, epochs };
}

export const ZERO_TO_AUTO: [number, 'auto'] = [0, 'auto'];
const ZERO_TO_ONE: [number, number] = [0, 1];

export const MetricChart = memo(function MetricChart({ title, steps, epochs, train = NO_TRAIN, val: valOf, format: fmt, yDomain, epochWord, testId, overlays = NO_OVERLAYS }: Props) {
  const hasTrain = train !== NO_TRAIN;
  const { raw, smoothed, val } = useMemo(() => {
    if (!hasTrain) return { raw: [], smoothed: [], val: epochs.filter((e) => Number.isFinite(valOf(e))).map((e) => ({ step: e.step, val: valOf(e) })) };
    const values = steps.map(train);
    const s = smooth(values, 0.95);
    const rows = steps.map((p, i) => ({ step: p.step, raw: values[i], smooth: s[i] }));
    const thinned = thin(rows);
    return {
      raw: thinned.map((r) => ({ step: r.step, raw: r.raw })),
      smoothed: thinned.map((r) => ({ step: r.step, smooth: r.smooth })),
      val: epochs.filter((e) => Number.isFinite(valOf(e))).map((e) => ({ step: e.step, val: valOf(e) })),
    };
  }, [steps, epochs, train, valOf, hasTrain]);
  const compared = useMemo(() => overlaySeries(overlays, valOf), [overlays, valOf]);
  const last = hasTrain ? steps[steps.length - 1] : undefined;
  const lastVal = val[val.length - 1];
  return (
    <figure className="chart" data-testid={testId} data-points={steps.length} data-val-points={val.length} data-overlays={compared.length} data-overlay-points={compared.map((o) => o.points.length).join(',')}>
      <figcaption>
        {title}
        <span className="muted" data-testid={`${testId}-summary`}>
          {last ? ` latest train ${fmt(smoothed[smoothed.length - 1].smooth)} (smoothed) at step ${last.step}` : hasTrain || !lastVal ? ' no data yet: press Start to train' : ''}
          {lastVal ? `${hasTrain ? ';' : ''} validation ${fmt(lastVal.val)} after ${epochWord} ${epochs.length}` : ''}
        </span>
        {compared.length > 0 && <span className="muted" data-testid={`${testId}-overlays`}>{overlayCaption(compared, fmt)}</span>}
      </figcaption>
      {/* the caption above is the chart's text for screen readers; the drawing itself is hidden from them */}
      <div aria-hidden="true">
      <ResponsiveContainer width="100%" height={220}>
        <ComposedChart margin={{ top: 8, right: 16, bottom: 4, left: 0 }} accessibilityLayer={false}>
          <CartesianGrid stroke="#e5e7eb" />
          <XAxis dataKey="step" type="number" domain={[0, 'dataMax']} allowDataOverflow={false} tickCount={6} />
          <YAxis domain={yDomain} width={48} />
          <Tooltip formatter={(v) => (typeof v === 'number' ? fmt(v) : String(v))} />
          <Legend />
          {/* the raw losses as one faint path, not a symbol per point: hundreds of SVG nodes re-rendered on every
              update kept the main thread busy for 100-400 ms at a time during training */}
          {hasTrain && <Line className="raw-series" name="train (raw)" data={raw} dataKey="raw" stroke="#93c5fd" strokeWidth={1} dot={false} isAnimationActive={false} legendType="plainline" />}
          {hasTrain && <Line name="train (smoothed)" data={smoothed} dataKey="smooth" stroke="#1d4ed8" dot={false} strokeWidth={2} isAnimationActive={false} />}
          <Line name="validation" data={val} dataKey="val" stroke="#dc2626" strokeDasharray="6 3" dot={{ r: 3 }} strokeWidth={2} isAnimationActive={false} />
          {overlayLines(compared)}
        </ComposedChart>
      </ResponsiveContainer>
      </div>
    </figure>
  );
});

const lossOf = (p: StepPoint) => p.loss;
const accOf = (p: StepPoint) => p.accuracy;
const valLossOf = (e: EpochPoint) => e.valLoss;
const valAccOf = (e: EpochPoint) => e.valAccuracy;
const fixed3 = (v: number) => v.toFixed(3);
const percent = (v: number) => `${(v * 100).toFixed(1)}%`;

export function ChartsPanel() {
  const { steps, epochs } = useSeries('images');
  const overlays = useOverlays('images');
  return (
    <Panel title="Live metrics" testId="charts-panel">
      <MetricChart title="Loss" steps={steps} epochs={epochs} train={lossOf} val={valLossOf} format={fixed3} yDomain={ZERO_TO_AUTO} epochWord="epoch" testId="loss-chart" overlays={overlays} />
      <MetricChart title="Accuracy" steps={steps} epochs={epochs} train={accOf} val={valAccOf} format={percent} yDomain={ZERO_TO_ONE} epochWord="epoch" testId="accuracy-chart" overlays={overlays} />
    </Panel>
  );
}
