import { memo, useMemo } from 'react';
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { EpochPoint } from '../../engine/config/events';
import type { OverlayRun } from '../store/store';

const COLORS = ['#1d4ed8', '#b91c1c', '#047857', '#a16207'];

/** What the comparison chart draws: validation accuracy in %, or validation nats per character. */
const pointsOf = (r: OverlayRun) => {
  const value = (p: EpochPoint) => (r.task === 'images' ? p.valAccuracy * 100 : p.valLoss);
  return r.epochs.filter((p) => Number.isFinite(value(p))).map((p) => ({ epoch: p.epoch, value: value(p) }));
};

/** Up to 4 runs' validation curves on one chart, by epoch (round for the char-LSTM). */
export const RunsOverlay = memo(function RunsOverlay({ runs }: { runs: OverlayRun[] }) {
  const mixed = new Set(runs.map((r) => r.task)).size > 1;
  const rows = useMemo(() => {
    const byEpoch = new Map<number, Record<string, number>>();
    for (const r of runs) for (const p of pointsOf(r)) byEpoch.set(p.epoch, { ...(byEpoch.get(p.epoch) ?? { epoch: p.epoch }), [r.id]: p.value });
    return [...byEpoch.values()].sort((a, b) => a.epoch - b.epoch);
  }, [runs]);
  if (runs.length === 0) return null;
  const unit = runs[0].task === 'images' ? 'validation accuracy (%)' : 'validation nats/char';
  return (
    <figure className="chart" data-testid="runs-overlay" data-runs={runs.length} data-points={runs.map((r) => pointsOf(r).length).join(',')}>
      <figcaption>
        Compared: {unit} per {runs[0].task === 'images' ? 'epoch' : 'round'}
      </figcaption>
      {mixed && <p className="muted">Image and text runs measure different things; compare runs of one kind.</p>}
      <ResponsiveContainer width="100%" height={220}>
        <LineChart data={rows} margin={{ top: 4, right: 16, bottom: 4, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="epoch" type="number" domain={['dataMin', 'dataMax']} allowDecimals={false} />
          <YAxis domain={['auto', 'auto']} width={48} />
          <Tooltip />
          <Legend />
          {runs.map((r, i) => (
            <Line key={r.id} dataKey={r.id} name={r.label} stroke={COLORS[i % COLORS.length]} dot isAnimationActive={false} connectNulls />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </figure>
  );
});
