import {
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Scatter,
  ScatterChart,
  Tooltip,
  XAxis,
  YAxis,
  ZAxis,
} from 'recharts';
import type { Histogram, VariantInfo } from '../../engine/config/compress';
import type { CompressSlice, Mode } from '../store/store';
import { useMetric } from './useMetric';

/** The metric against gzipped size, one point per variant. */
export function TradeoffChart({ which, variants }: { which: Mode; variants: VariantInfo[] }) {
  const { name, fmt, higher } = useMetric(which);
  const points = variants.map((v) => ({ kb: v.gzipBytes / 1024, metric: v.metric, label: v.label }));
  return (
    <figure className="chart" data-testid={`tradeoff-${which}`} data-points={points.length}>
      <figcaption>
        {name} against gzipped size, every variant <span className="muted">(pick the trade-off: {higher ? 'up' : 'down'} and left is better)</span>
      </figcaption>
      <ResponsiveContainer width="100%" height={240}>
        <ScatterChart margin={{ top: 8, right: 16, bottom: 16, left: 0 }}>
          <CartesianGrid stroke="#e5e7eb" />
          <XAxis
            dataKey="kb"
            type="number"
            scale="log"
            domain={['auto', 'auto']}
            name="gzipped KB"
            unit=" KB"
            tickFormatter={(v: number) => v.toFixed(1)}
          />
          <YAxis dataKey="metric" type="number" domain={['auto', 'auto']} name={name} width={76} tickFormatter={fmt} />
          <ZAxis dataKey="label" name="variant" />
          <Tooltip formatter={(v, n) => (n === name && typeof v === 'number' ? fmt(v) : typeof v === 'number' ? v.toFixed(2) : String(v))} />
          <Scatter name="variants" data={points} fill="#1d4ed8" isAnimationActive={false} />
        </ScatterChart>
      </ResponsiveContainer>
    </figure>
  );
}

/** The one-shot sparsity sweep (drawn once it has run). */
export function SweepChart({ which, c }: { which: Mode; c: CompressSlice }) {
  const { name, fmt } = useMetric(which);
  if (!c.sweep.length) return null;
  const rows = c.sweep.map((p) => ({ sparsity: p.sparsity * 100, metric: p.metric }));
  return (
    <figure className="chart" data-testid={`sweep-${which}`} data-points={rows.length}>
      <figcaption>
        {name} against sparsity (one-shot, {c.sweepScope === 'layer' ? 'per layer' : 'global'}, no fine-tuning){' '}
        <span className="muted">{rows.map((r) => `${r.sparsity}%: ${fmt(r.metric)}`).join(' · ')}</span>
      </figcaption>
      <ResponsiveContainer width="100%" height={200}>
        <LineChart data={rows} margin={{ top: 8, right: 16, bottom: 4, left: 0 }}>
          <CartesianGrid stroke="#e5e7eb" />
          <XAxis dataKey="sparsity" type="number" domain={[0, 100]} unit="%" />
          <YAxis domain={['auto', 'auto']} width={76} tickFormatter={fmt} />
          <Tooltip formatter={(v) => (typeof v === 'number' ? fmt(v) : String(v))} />
          <Line dataKey="metric" name={name} stroke="#1d4ed8" isAnimationActive={false} />
        </LineChart>
      </ResponsiveContainer>
    </figure>
  );
}

/** One weight's values before and after the variant's compression. */
export function HistogramChart({ which, v, h }: { which: Mode; v: VariantInfo; h: Histogram }) {
  const rows = h.before.map((b, i) => ({ x: ((h.edges[i] + h.edges[i + 1]) / 2).toPrecision(2), before: b, after: h.after[i] }));
  return (
    <figure className="chart" data-testid={`histogram-${which}`}>
      <figcaption>
        {v.kind === 'distilled'
          ? `Weight histogram of ${h.name} (the student's own weights)`
          : `Weight histogram of ${h.name}: before (#${v.parentId ?? v.id}) and after (#${v.id})`}
      </figcaption>
      <ResponsiveContainer width="100%" height={200}>
        <BarChart data={rows} margin={{ top: 8, right: 16, bottom: 4, left: 0 }} barGap={0}>
          <CartesianGrid stroke="#e5e7eb" />
          <XAxis dataKey="x" interval={4} />
          <YAxis scale="sqrt" width={56} />
          <Tooltip />
          <Legend />
          <Bar dataKey="before" name="before" fill="#93c5fd" isAnimationActive={false} />
          <Bar dataKey="after" name="after" fill="#dc2626" isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </figure>
  );
}
