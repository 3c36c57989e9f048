import { useMemo } from 'react';
import { CartesianGrid, ComposedChart, Legend, Line, ResponsiveContainer, Scatter, Tooltip, XAxis, YAxis } from 'recharts';
import { smooth } from '../../engine/train/metrics';
import type { EpochPoint, StepPoint } from '../../engine/train/trainer';
import { useStore } from '../store/store';
import { Panel } from '../common/Field';

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
  trainKey: 'loss' | 'accuracy';
  valKey: 'valLoss' | 'valAccuracy';
  testId: string;
}

function MetricChart({ title, steps, epochs, trainKey, valKey, testId }: Props) {
  const { raw, smoothed, val } = useMemo(() => {
    const values = steps.map((p) => p[trainKey]);
    const s = smooth(values, 0.95);
    const rows = steps.map((p, i) => ({ step: p.step, raw: values[i], smooth: s[i] }));
    const thinned = thin(rows);
    return {
      raw: thinned.map((r) => ({ step: r.step, raw: r.raw })),
      smoothed: thinned.map((r) => ({ step: r.step, smooth: r.smooth })),
      val: epochs.filter((e) => Number.isFinite(e[valKey])).map((e) => ({ step: e.step, val: e[valKey] })),
    };
  }, [steps, epochs, trainKey, valKey]);
  const last = steps[steps.length - 1];
  const lastVal = val[val.length - 1];
  const fmt = (v: number) => (trainKey === 'accuracy' ? `${(v * 100).toFixed(1)}%` : v.toFixed(3));
  return (
    <figure className="chart" data-testid={testId} data-points={steps.length} data-val-points={val.length}>
      <figcaption>
        {title}
        <span className="muted" data-testid={`${testId}-summary`}>
          {last ? ` latest train ${fmt(smoothed[smoothed.length - 1].smooth)} (smoothed) at step ${last.step}` : ' no data yet'}
          {lastVal ? `; validation ${fmt(lastVal.val)} after epoch ${epochs.length}` : ''}
        </span>
      </figcaption>
      <ResponsiveContainer width="100%" height={220}>
        <ComposedChart margin={{ top: 8, right: 16, bottom: 4, left: 0 }}>
          <CartesianGrid stroke="#e5e7eb" />
          <XAxis dataKey="step" type="number" domain={[0, 'dataMax']} allowDataOverflow={false} tickCount={6} />
          <YAxis domain={trainKey === 'accuracy' ? [0, 1] : [0, 'auto']} width={48} />
          <Tooltip formatter={(v) => (typeof v === 'number' ? fmt(v) : String(v))} />
          <Legend />
          <Scatter name="train (raw)" data={raw} dataKey="raw" fill="#93c5fd" shape="circle" isAnimationActive={false} legendType="circle" r={1.5} />
          <Line name="train (smoothed)" data={smoothed} dataKey="smooth" stroke="#1d4ed8" dot={false} strokeWidth={2} isAnimationActive={false} />
          <Line name="validation" data={val} dataKey="val" stroke="#dc2626" strokeDasharray="6 3" dot={{ r: 3 }} strokeWidth={2} isAnimationActive={false} />
        </ComposedChart>
      </ResponsiveContainer>
    </figure>
  );
}

export function ChartsPanel() {
  const steps = useStore((s) => s.train.steps);
  const epochs = useStore((s) => s.train.epochs);
  return (
    <Panel title="Live metrics" testId="charts-panel">
      <MetricChart title="Loss" steps={steps} epochs={epochs} trainKey="loss" valKey="valLoss" testId="loss-chart" />
      <MetricChart title="Accuracy" steps={steps} epochs={epochs} trainKey="accuracy" valKey="valAccuracy" testId="accuracy-chart" />
    </Panel>
  );
}
