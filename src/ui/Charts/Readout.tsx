import { downloadBlob, chartSvgText, svgToPng } from './download';
import type { ReactNode } from 'react';
import type { XY } from './series';

/** The last point at or before `step` (the series are in step order), or null. */
export function pointAt(points: XY[], step: number): XY | null {
  let found: XY | null = null;
  for (const p of points) {
    if (p.step > step) break;
    found = p;
  }
  return found;
}

/** The chart's series as CSV: one row per step that has a value, columns train, smoothed, validation. */
export function seriesCsv(raw: XY[], smoothed: XY[], val: XY[]): string {
  const rows = new Map<number, [string, string, string]>();
  const put = (points: XY[], col: 0 | 1 | 2) => {
    for (const p of points) {
      const row = rows.get(p.step) ?? ['', '', ''];
      row[col] = Number.isFinite(p.value) ? String(p.value) : '';
      rows.set(p.step, row);
    }
  };
  put(raw, 0);
  put(smoothed, 1);
  put(val, 2);
  const lines = [...rows.entries()].sort((a, b) => a[0] - b[0]).map(([step, r]) => [step, ...r].join(','));
  return ['step,train,train_smoothed,validation', ...lines].join('\n') + '\n';
}

/** The step a readout shows: the chosen one, or the latest when none is chosen (or the chosen is past the end). */
export function readStep(at: number | null, max: number): number {
  return at === null ? max : Math.min(Math.max(at, 0), max);
}

interface ReadoutProps {
  testId: string;
  raw: XY[];
  smoothed: XY[];
  val: XY[];
  format: (v: number) => string;
  /** The step chosen (by the slider, the arrows or the pointer over the chart); null: the latest. */
  at: number | null;
  setAt: (step: number) => void;
}

/** The last step with a value in any series (0 when none). */
export function lastStepOf(raw: XY[], val: XY[]): number {
  return Math.max(raw[raw.length - 1]?.step ?? 0, val[val.length - 1]?.step ?? 0);
}

/**
 * Values at a chosen step, readable by keyboard (arrows, Home, End) and pointer (over the chart): the chart's
 * drawing is hidden from screen readers, this is not.
 */
export function Readout({ testId, raw, smoothed, val, format: fmt, at, setAt }: ReadoutProps) {
  const max = lastStepOf(raw, val);
  if (max === 0) return null;
  const step = readStep(at, max);
  const show = (label: string, p: XY | null) => (p && Number.isFinite(p.value) ? `${label} ${fmt(p.value)}` : null);
  const r = pointAt(raw, step);
  const parts = [show('train', r), show('smoothed', pointAt(smoothed, step)), show('validation', pointAt(val, step))].filter((x) => x !== null);
  return (
    <div className="row readout">
      <label>
        Step{' '}
        <input type="range" min={0} max={max} step={1} value={step} data-testid={`${testId}-step`} onChange={(e) => setAt(Number(e.target.value))} />
      </label>
      <output data-testid={`${testId}-readout`}>
        step {r?.step ?? step}: {parts.join(' · ') || 'no value yet'}
      </output>
    </div>
  );
}

/** "Last N steps" choices of the zoom (0: the whole run). */
const ZOOMS = [0, 50, 200, 1000] as const;

interface ToolsProps {
  testId: string;
  title: string;
  raw: XY[];
  smoothed: XY[];
  val: XY[];
  zoom: number;
  setZoom: (n: number) => void;
  /** The chart's log-scale switch, where it has one. */
  log?: { on: boolean; set: (on: boolean) => void };
  /** The figure whose drawing (its recharts SVG) is downloaded. */
  figure: () => HTMLElement | null;
  children: ReactNode;
}

/** The legend (children), the zoom to the last N steps, the log scale, and the chart's data and drawing as files. */
export function ChartTools({ testId, title, raw, smoothed, val, zoom, setZoom, log, figure, children }: ToolsProps) {
  const drawing = () => {
    const svg = figure()?.querySelector<SVGSVGElement>('svg.recharts-surface');
    return svg ? chartSvgText(svg, title) : null;
  };
  const svgFile = () => {
    const d = drawing();
    if (d) downloadBlob(new Blob([d.text], { type: 'image/svg+xml' }), `${testId}.svg`);
  };
  const pngFile = async () => {
    const d = drawing();
    if (d) downloadBlob(await svgToPng(d.text, d.width, d.height), `${testId}.png`);
  };
  const empty = lastStepOf(raw, val) === 0;
  return (
    <div className="chart-tools">
      {children}
      <label>
        Show{' '}
        <select value={zoom} data-testid={`${testId}-zoom`} onChange={(e) => setZoom(Number(e.target.value))}>
          {ZOOMS.map((n) => (
            <option key={n} value={n}>
              {n === 0 ? 'all steps' : `last ${n} steps`}
            </option>
          ))}
        </select>
      </label>
      {log && (
        <label>
          <input type="checkbox" checked={log.on} data-testid={`${testId}-log`} onChange={(e) => log.set(e.target.checked)} /> log
        </label>
      )}
      <span className="row downloads" role="group" aria-label={`Download the ${title} chart`}>
        <button
          type="button"
          data-testid={`${testId}-csv`}
          disabled={empty}
          onClick={() => downloadBlob(new Blob([seriesCsv(raw, smoothed, val)], { type: 'text/csv' }), `${testId}.csv`)}
        >
          CSV
        </button>
        <button type="button" data-testid={`${testId}-png`} disabled={empty} onClick={() => void pngFile()}>
          PNG
        </button>
        <button type="button" data-testid={`${testId}-svg`} disabled={empty} onClick={svgFile}>
          SVG
        </button>
      </span>
    </div>
  );
}
