import { useState } from 'react';
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

interface Props {
  testId: string;
  raw: XY[];
  smoothed: XY[];
  val: XY[];
  format: (v: number) => string;
  /** The chart's log-scale switch, where it has one. */
  log?: { on: boolean; set: (on: boolean) => void };
}

/**
 * Values at a chosen step, readable by keyboard (arrows, Home, End) and pointer (drag): the chart's drawing is
 * hidden from screen readers, this is not. Also the chart's data as a CSV download.
 */
export function Readout({ testId, raw, smoothed, val, format: fmt, log }: Props) {
  const [at, setAt] = useState<number | null>(null);
  const max = Math.max(raw[raw.length - 1]?.step ?? 0, val[val.length - 1]?.step ?? 0);
  if (max === 0) return null;
  const step = at === null ? max : Math.min(at, max);
  const show = (label: string, p: XY | null) => (p && Number.isFinite(p.value) ? `${label} ${fmt(p.value)}` : null);
  const r = pointAt(raw, step);
  const parts = [show('train', r), show('smoothed', pointAt(smoothed, step)), show('validation', pointAt(val, step))].filter((x) => x !== null);
  const download = () => {
    const url = URL.createObjectURL(new Blob([seriesCsv(raw, smoothed, val)], { type: 'text/csv' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = `${testId}.csv`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };
  return (
    <div className="row readout">
      <label>
        Read at step{' '}
        <input type="range" min={0} max={max} step={1} value={step} data-testid={`${testId}-step`} onChange={(e) => setAt(Number(e.target.value))} />
      </label>
      <output data-testid={`${testId}-readout`}>
        step {r?.step ?? step}: {parts.join(' · ') || 'no value yet'}
      </output>
      {log && (
        <label>
          <input type="checkbox" checked={log.on} data-testid={`${testId}-log`} onChange={(e) => log.set(e.target.checked)} /> log scale
        </label>
      )}
      <button type="button" data-testid={`${testId}-csv`} onClick={download}>
        CSV
      </button>
    </div>
  );
}
