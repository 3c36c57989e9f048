import { memo, startTransition, useEffect, useMemo, useState, type ReactNode } from 'react';
import { CartesianGrid, ComposedChart, ResponsiveContainer, XAxis, YAxis, useXAxisScale, useYAxisScale } from 'recharts';
import type { EpochPoint, StepPoint } from '../../engine/config/events';
import { useStore } from '../store/store';
import { niceCeil, niceTicks, pathOf, trainSeries, type XY } from './series';
import { Readout } from './Readout';
import { OverlayLegend, OverlayLines, overlayCaption, useOverlays } from './overlays';

// One live chart (recharts draws its frame): the panels reach it through ../common/lazyCharts, so recharts loads
// in a chunk of its own after the first screen.

const NONE: StepPoint[] = [];
const NO_EPOCHS: EpochPoint[] = [];
const NO_POINTS: XY[] = [];
type Task = 'images' | 'text';

/** The series a chart draws: the current run's, when that run is of this tab's kind. */
function useSeries(task: Task): { steps: StepPoint[]; epochs: EpochPoint[] } {
  const mine = useStore((s) => s.train.task === task);
  const steps = useStore((s) => (mine ? s.train.steps : NONE));
  const epochs = useStore((s) => (mine ? s.train.epochs : NO_EPOCHS));
  return { steps, epochs };
}

const STAGGER_MS = 40;

interface Props {
  task: Task;
  title: string;
  /** The training series (omit for a validation-only chart). */
  train?: (p: StepPoint) => number;
  val: (e: EpochPoint) => number;
  format: (v: number) => string;
  yDomain: [number, number | 'auto'];
  epochWord: string;
  testId: string;
  /** Position among the charts of its panel: each redraws its frame in its own task, STAGGER_MS after the previous. */
  order: number;
}

/**
 * The curves are drawn as plain SVG on the chart's own scales, and each re-renders alone when its data changes: a
 * recharts update of the whole chart (axes, grid, series, its internal store) took 60-160 ms of main-thread time
 * per redraw on a 2-core machine, so recharts draws only the frame, redrawn when an axis bound changes.
 */
function TrainLines({ task, of }: { task: Task; of: (p: StepPoint) => number }) {
  const { steps } = useSeries(task);
  const x = useXAxisScale();
  const y = useYAxisScale();
  if (!x || !y) return null;
  const { raw, smoothed } = trainSeries(steps, of);
  return (
    <g className="train-series">
      <path className="raw-series" d={pathOf(raw, x, y)} fill="none" style={{ stroke: 'var(--accent-soft)' }} strokeWidth={1} />
      <path className="smoothed-series" d={pathOf(smoothed, x, y)} fill="none" style={{ stroke: 'var(--accent)' }} strokeWidth={2} />
    </g>
  );
}

/** The finite validation values, one per epoch (round). */
function useValidation(task: Task, of: (e: EpochPoint) => number): XY[] {
  const { epochs } = useSeries(task);
  return useMemo(() => epochs.filter((e) => Number.isFinite(of(e))).map((e) => ({ step: e.step, value: of(e) })), [epochs, of]);
}

function ValidationLine({ task, of }: { task: Task; of: (e: EpochPoint) => number }) {
  const points = useValidation(task, of);
  const x = useXAxisScale();
  const y = useYAxisScale();
  if (!x || !y) return null;
  return (
    <g className="validation-series">
      <path d={pathOf(points, x, y)} fill="none" style={{ stroke: 'var(--danger-line)' }} strokeDasharray="6 3" strokeWidth={2} />
      {points.map((p) => (
        <circle key={p.step} cx={x(p.step)} cy={y(p.value)} r={3} style={{ fill: 'var(--surface)', stroke: 'var(--danger-line)' }} strokeWidth={2} />
      ))}
    </g>
  );
}

interface FrameProps {
  xMax: number;
  yMin: number;
  yMax: number;
  /** A logarithmic y axis (yMin > 0; ticks at powers of ten). */
  log: boolean;
  children: ReactNode;
}

/** Axes and grid, with explicit round ticks (recharts' own tick search is the costly part of a redraw). */
const ChartFrame = memo(
  function ChartFrame({ xMax, yMin, yMax, log, children }: FrameProps) {
    const xTicks = useMemo(() => niceTicks(0, xMax, 5), [xMax]);
    const yTicks = useMemo(() => (log ? decades(yMin, yMax) : niceTicks(yMin, yMax, 4)), [yMin, yMax, log]);
    // recharts builds an axis scale only over data: the two ends of the x axis stand in for the curves
    const ends = useMemo(() => [{ step: 0 }, { step: xMax }], [xMax]);
    return (
      <ResponsiveContainer width="100%" height={220}>
        <ComposedChart data={ends} margin={{ top: 8, right: 16, bottom: 4, left: 0 }} accessibilityLayer={false}>
          <CartesianGrid stroke="#e5e7eb" />
          <XAxis dataKey="step" type="number" domain={[0, xMax]} ticks={xTicks} allowDataOverflow interval={0} />
          <YAxis type="number" scale={log ? 'log' : 'auto'} domain={[yMin, yMax]} ticks={yTicks} allowDataOverflow interval={0} width={48} />
          {children}
        </ComposedChart>
      </ResponsiveContainer>
    );
  },
  (a, b) => a.xMax === b.xMax && a.yMin === b.yMin && a.yMax === b.yMax && a.log === b.log && a.children === b.children,
);

/** Powers of ten from lo to hi (both powers of ten). */
function decades(lo: number, hi: number): number[] {
  const ticks: number[] = [];
  for (let e = Math.round(Math.log10(lo)); e <= Math.round(Math.log10(hi)); e++) ticks.push(Number(`1e${e}`));
  return ticks;
}

/** The smallest positive finite value of some series (Infinity when none). */
function minPositive(...series: XY[][]): number {
  let min = Infinity;
  for (const points of series) for (const p of points) if (Number.isFinite(p.value) && p.value > 0 && p.value < min) min = p.value;
  return min;
}

/**
 * The axis bounds a chart's frame is drawn with, applied `delayMs` after they change: charts that change together
 * (at the first points of a run) then redraw in separate tasks rather than in one long one.
 */
function useStaggeredBounds(xMax: number, yMax: number, delayMs: number): [number, number] {
  const [shown, setShown] = useState<[number, number]>([xMax, yMax]);
  useEffect(() => {
    if (shown[0] === xMax && shown[1] === yMax) return;
    // as a transition React may split the frame's render into slices of a few ms
    const timer = setTimeout(() => startTransition(() => setShown([xMax, yMax])), delayMs);
    return () => clearTimeout(timer);
  }, [xMax, yMax, delayMs, shown]);
  return shown;
}

export const MetricChart = memo(function MetricChart({ task, title, train, val: valOf, format: fmt, yDomain, epochWord, testId, order }: Props) {
  const { steps, epochs } = useSeries(task);
  const totalSteps = useStore((s) => (s.train.task === task ? (s.train.progress?.totalSteps ?? 0) : 0));
  const series = train ? trainSeries(steps, train) : null;
  const val = useValidation(task, valOf);
  // runs ticked 'compare' in the Runs panel: their validation curves over this chart, by step
  const compared = useOverlays(task, valOf);
  const comparedPoints = compared.flatMap((o) => o.points);
  const lastVal = val[val.length - 1];
  const lastStep = Math.max(series?.last?.step ?? 0, lastVal?.step ?? 0, ...comparedPoints.map((p) => p.step));
  // the x axis spans the whole run when its length is known, so it is not redrawn as the run goes on
  const xMax = totalSteps >= lastStep && totalSteps > 0 ? totalSteps : niceCeil(lastStep);
  const [yMin, yTop] = yDomain;
  const yMax =
    yTop !== 'auto'
      ? yTop
      : Math.max(yMin + 1, niceCeil(Math.max(series?.max ?? 0, ...val.map((v) => v.value), ...comparedPoints.map((p) => p.value))));
  // a log y axis (charts with an open top, i.e. losses): from the decade below the smallest value to the one above the largest
  const [log, setLog] = useState(false);
  const lowest = log ? minPositive(series?.raw ?? NO_POINTS, val, comparedPoints) : Infinity;
  const useLog = log && Number.isFinite(lowest) && yTop === 'auto';
  const logMin = useLog ? Number(`1e${Math.floor(Math.log10(lowest))}`) : yMin;
  const logMax = useLog ? Math.max(logMin * 10, Number(`1e${Math.ceil(Math.log10(yMax))}`)) : yMax;
  const [frameX, frameY] = useStaggeredBounds(xMax, logMax, order * STAGGER_MS);
  const last = series?.last;
  // one element per data change, so the frame (memoised on its bounds and children) redraws only when they change
  const curves = useMemo(
    () => (
      <>
        {train && <TrainLines task={task} of={train} />}
        <ValidationLine task={task} of={valOf} />
        <OverlayLines series={compared} />
      </>
    ),
    [task, train, valOf, compared],
  );
  return (
    <figure
      className="chart"
      data-testid={testId}
      data-points={steps.length}
      data-val-points={val.length}
      data-overlays={compared.length}
      data-overlay-points={compared.map((o) => o.points.length).join(',')}
    >
      <figcaption>
        {title}
        <span className="muted" data-testid={`${testId}-summary`}>
          {last ? ` latest train ${fmt(last.value)} (smoothed) at step ${last.step}` : train || !lastVal ? ' no data yet: press Start to train' : ''}
          {lastVal ? `${train ? ';' : ''} validation ${fmt(lastVal.value)} after ${epochWord} ${epochs.length}` : ''}
        </span>
        {compared.length > 0 && (
          <span className="muted" data-testid={`${testId}-overlays`}>
            {overlayCaption(compared, fmt)}
          </span>
        )}
      </figcaption>
      {/* the caption above is the chart's text for screen readers; the drawing itself is hidden from them */}
      <div aria-hidden="true">
        <ChartFrame xMax={frameX} yMin={logMin} yMax={frameY} log={useLog}>
          {curves}
        </ChartFrame>
        <ul className="chart-legend">
          {train && <li className="legend-raw">train (raw)</li>}
          {train && <li className="legend-smoothed">train (smoothed)</li>}
          <li className="legend-validation">validation</li>
          <OverlayLegend series={compared} />
        </ul>
      </div>
      <Readout
        testId={testId}
        raw={series?.raw ?? NO_POINTS}
        smoothed={series?.smoothed ?? NO_POINTS}
        val={val}
        format={fmt}
        log={yTop === 'auto' ? { on: log, set: setLog } : undefined}
      />
    </figure>
  );
});
