import { memo, startTransition, useDeferredValue, useEffect, useMemo, useRef, useState, type PointerEvent, type ReactNode } from 'react';
import { CartesianGrid, ComposedChart, ResponsiveContainer, XAxis, YAxis, useXAxisScale, useYAxisScale } from 'recharts';
import type { EpochPoint, StepPoint } from '../../engine/config/events';
import { useStore } from '../store/store';
import { niceCeil, niceTicks, pathOf, trainSeries, zoomRange, type XY } from './series';
import { ChartTools, Readout } from './Readout';
import { OverlayLegend, OverlayLines, overlayCaption, useOverlays, type OverlaySeries } from './overlays';

// One live chart (recharts draws its frame): the panels reach it through ../common/lazyCharts, so recharts loads
// in a chunk of its own after the first screen.

const NONE: StepPoint[] = [];
const NO_EPOCHS: EpochPoint[] = [];
const NO_POINTS: XY[] = [];
type Task = 'images' | 'text';

/**
 * The series a chart draws: the current run's, when that run is of this tab's kind. Deferred: the store's update
 * (a Start click, a batch of step points) renders the rest of the page at once, and the charts after it, as a
 * transition React splits into slices of a few ms, so a redraw of the charts is never part of one long task.
 */
function useSeries(task: Task): { steps: StepPoint[]; epochs: EpochPoint[] } {
  const mine = useStore((s) => s.train.task === task);
  const steps = useDeferredValue(useStore((s) => (mine ? s.train.steps : NONE)));
  const epochs = useDeferredValue(useStore((s) => (mine ? s.train.epochs : NO_EPOCHS)));
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
function TrainLines({ task, of, from }: { task: Task; of: (p: StepPoint) => number; from: number }) {
  const { steps } = useSeries(task);
  const x = useXAxisScale();
  const y = useYAxisScale();
  if (!x || !y) return null;
  const { raw, smoothed } = trainSeries(steps, of, from);
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

function ValidationLine({ task, of, from }: { task: Task; of: (e: EpochPoint) => number; from: number }) {
  const points = useValidation(task, of).filter((p) => p.step >= from);
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
  xMin: number;
  xMax: number;
  yMin: number;
  yMax: number;
  /** A logarithmic y axis (yMin > 0; ticks at powers of ten). */
  log: boolean;
  children: ReactNode;
}

const MARGIN = { top: 8, right: 16, bottom: 4, left: 0 };
const Y_AXIS_WIDTH = 48;

/** Axes and grid, with explicit round ticks (recharts' own tick search is the costly part of a redraw). */
const ChartFrame = memo(
  function ChartFrame({ xMin, xMax, yMin, yMax, log, children }: FrameProps) {
    const xTicks = useMemo(() => niceTicks(xMin, xMax, 5), [xMin, xMax]);
    const yTicks = useMemo(() => (log ? decades(yMin, yMax) : niceTicks(yMin, yMax, 4)), [yMin, yMax, log]);
    // recharts builds an axis scale only over data: the two ends of the x axis stand in for the curves
    const ends = useMemo(() => [{ step: xMin }, { step: xMax }], [xMin, xMax]);
    return (
      <ResponsiveContainer width="100%" height="100%" minHeight={60}>
        <ComposedChart data={ends} margin={MARGIN} accessibilityLayer={false}>
          <CartesianGrid />
          <XAxis dataKey="step" type="number" domain={[xMin, xMax]} ticks={xTicks} allowDataOverflow interval={0} />
          <YAxis
            type="number"
            scale={log ? 'log' : 'auto'}
            domain={[yMin, yMax]}
            ticks={yTicks}
            allowDataOverflow
            interval={0}
            width={Y_AXIS_WIDTH}
          />
          {children}
        </ComposedChart>
      </ResponsiveContainer>
    );
  },
  (a, b) => a.xMin === b.xMin && a.xMax === b.xMax && a.yMin === b.yMin && a.yMax === b.yMax && a.log === b.log && a.children === b.children,
);

/** The step under the pointer, from its x over the plot area (the frame's margins and y axis aside). */
function stepAtPointer(e: PointerEvent<HTMLElement>, xMin: number, xMax: number): number {
  const box = e.currentTarget.getBoundingClientRect();
  const left = box.left + MARGIN.left + Y_AXIS_WIDTH;
  const width = box.width - MARGIN.left - Y_AXIS_WIDTH - MARGIN.right;
  const t = Math.min(1, Math.max(0, (e.clientX - left) / width));
  return Math.round(xMin + t * (xMax - xMin));
}

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
function useStaggeredBounds(xMin: number, xMax: number, yMax: number, delayMs: number): [number, number, number] {
  const [shown, setShown] = useState<[number, number, number]>([xMin, xMax, yMax]);
  useEffect(() => {
    if (shown[0] === xMin && shown[1] === xMax && shown[2] === yMax) return;
    // as a transition React may split the frame's render into slices of a few ms
    const timer = setTimeout(() => startTransition(() => setShown([xMin, xMax, yMax])), delayMs);
    return () => clearTimeout(timer);
  }, [xMin, xMax, yMax, delayMs, shown]);
  return shown;
}

interface Axes {
  xMin: number;
  xMax: number;
  yMin: number;
  yMax: number;
  log: boolean;
}

/**
 * The axis bounds of what is shown: the whole run, or its last `zoom` steps (the y range then fits what is shown);
 * a log y axis (charts with an open top, i.e. losses) from the decade below the smallest value to the one above the largest.
 */
function axesOf(
  steps: StepPoint[],
  train: ((p: StepPoint) => number) | undefined,
  val: XY[],
  compared: OverlaySeries[],
  yDomain: [number, number | 'auto'],
  view: { zoom: number; log: boolean; lastStep: number; fullMax: number },
): Axes {
  const [xMin, xMax] = zoomRange(view.zoom, view.lastStep, view.fullMax);
  const series = train ? trainSeries(steps, train, xMin) : null;
  const shownVal = val.filter((p) => p.step >= xMin);
  const shownPoints = compared.flatMap((o) => o.points.filter((p) => p.step >= xMin));
  const [yMin, yTop] = yDomain;
  const yMax =
    yTop !== 'auto'
      ? yTop
      : Math.max(yMin + 1, niceCeil(Math.max(series?.max ?? 0, ...shownVal.map((v) => v.value), ...shownPoints.map((p) => p.value))));
  const lowest = view.log ? minPositive(series?.raw ?? NO_POINTS, shownVal, shownPoints) : Infinity;
  const log = view.log && Number.isFinite(lowest) && yTop === 'auto';
  const logMin = log ? Number(`1e${Math.floor(Math.log10(lowest))}`) : yMin;
  const logMax = log ? Math.max(logMin * 10, Number(`1e${Math.ceil(Math.log10(yMax))}`)) : yMax;
  return { xMin, xMax, yMin: logMin, yMax: logMax, log };
}

function Legend({ train, compared }: { train: boolean; compared: OverlaySeries[] }) {
  return (
    <ul className="chart-legend" aria-hidden="true">
      {train && <li className="legend-raw">train</li>}
      {train && <li className="legend-smoothed">smoothed</li>}
      <li className="legend-validation">validation</li>
      <OverlayLegend series={compared} />
    </ul>
  );
}

function Caption({ title, testId, summary, overlays }: { title: string; testId: string; summary: string; overlays: string | null }) {
  return (
    <figcaption>
      {title}
      <span className="muted" data-testid={`${testId}-summary`}>
        {summary}
      </span>
      {overlays !== null && (
        <span className="muted" data-testid={`${testId}-overlays`}>
          {overlays}
        </span>
      )}
    </figcaption>
  );
}

export const MetricChart = memo(function MetricChart({ task, title, train, val: valOf, format: fmt, yDomain, epochWord, testId, order }: Props) {
  const { steps, epochs } = useSeries(task);
  const totalSteps = useDeferredValue(useStore((s) => (s.train.task === task ? (s.train.progress?.totalSteps ?? 0) : 0)));
  const whole = train ? trainSeries(steps, train) : null;
  const val = useValidation(task, valOf);
  // runs ticked 'compare' in the Runs panel: their validation curves over this chart, by step
  const compared = useOverlays(task, valOf);
  const lastVal = val[val.length - 1];
  const lastStep = Math.max(whole?.last?.step ?? 0, lastVal?.step ?? 0, ...compared.flatMap((o) => o.points.map((p) => p.step)));
  // the x axis spans the whole run when its length is known, so it is not redrawn as the run goes on
  const fullMax = totalSteps >= lastStep && totalSteps > 0 ? totalSteps : niceCeil(lastStep);
  const [zoom, setZoom] = useState(0);
  const [log, setLog] = useState(false);
  const axes = axesOf(steps, train, val, compared, yDomain, { zoom, log, lastStep, fullMax });
  const [frameXMin, frameX, frameY] = useStaggeredBounds(axes.xMin, axes.xMax, axes.yMax, order * STAGGER_MS);
  // the readout's step: chosen by its slider, or by the pointer over the drawing
  const [at, setAt] = useState<number | null>(null);
  const figure = useRef<HTMLElement>(null);
  const last = whole?.last;
  const shownCompared = useMemo(
    () => (frameXMin > 0 ? compared.map((o) => ({ ...o, points: o.points.filter((p) => p.step >= frameXMin) })) : compared),
    [compared, frameXMin],
  );
  // one element per data change, so the frame (memoised on its bounds and children) redraws only when they change
  const curves = useMemo(
    () => (
      <>
        {train && <TrainLines task={task} of={train} from={frameXMin} />}
        <ValidationLine task={task} of={valOf} from={frameXMin} />
        <OverlayLines series={shownCompared} />
      </>
    ),
    [task, train, valOf, shownCompared, frameXMin],
  );
  const summary =
    (last ? ` latest train ${fmt(last.value)} (smoothed) at step ${last.step}` : train || !lastVal ? ' no data yet: press Start to train' : '') +
    (lastVal ? `${train ? ';' : ''} validation ${fmt(lastVal.value)} after ${epochWord} ${epochs.length}` : '');
  return (
    <figure
      ref={figure}
      className="chart"
      data-testid={testId}
      data-points={steps.length}
      data-val-points={val.length}
      data-overlays={compared.length}
      data-overlay-points={compared.map((o) => o.points.length).join(',')}
      data-x-range={`${frameXMin},${frameX}`}
    >
      <Caption title={title} testId={testId} summary={summary} overlays={compared.length > 0 ? overlayCaption(compared, fmt) : null} />
      {/* the caption above and the readout below are the chart's text for screen readers; the drawing is hidden from them */}
      <div
        className="chart-plot"
        aria-hidden="true"
        data-testid={`${testId}-plot`}
        onPointerMove={lastStep > 0 ? (e) => setAt(stepAtPointer(e, frameXMin, frameX)) : undefined}
      >
        <ChartFrame xMin={frameXMin} xMax={frameX} yMin={axes.yMin} yMax={frameY} log={axes.log}>
          {curves}
        </ChartFrame>
      </div>
      <div className="chart-foot">
        <Readout testId={testId} raw={whole?.raw ?? NO_POINTS} smoothed={whole?.smoothed ?? NO_POINTS} val={val} format={fmt} at={at} setAt={setAt} />
        <ChartTools
          testId={testId}
          title={title}
          raw={whole?.raw ?? NO_POINTS}
          smoothed={whole?.smoothed ?? NO_POINTS}
          val={val}
          zoom={zoom}
          setZoom={setZoom}
          log={yDomain[1] === 'auto' ? { on: log, set: setLog } : undefined}
          figure={() => figure.current}
        >
          <Legend train={train !== undefined} compared={compared} />
        </ChartTools>
      </div>
    </figure>
  );
});
