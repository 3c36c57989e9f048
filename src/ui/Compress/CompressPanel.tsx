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
import type { QuantBits, QuantGranularity, QuantScheme } from '../../engine/compress/quantize';
import type { VariantInfo } from '../../worker/api';
import {
  distill,
  exportVariant,
  importImageModel,
  prune,
  quantizeAll,
  quantizeOne,
  setCompressOptions,
  showHistogram,
  startCompression,
  stopCompression,
  sweep,
} from '../store/compressActions';
import { CompressSlice, Mode, useStore } from '../store/store';
import { ErrorText, NumberField, Panel, SelectField } from '../common/Field';

const BITS = ['16', '8', '4'] as const;
const BIT_LABELS = { '16': 'float16', '8': 'int8', '4': '4-bit' };

const bytes = (n: number) => `${n.toLocaleString('en-US')} B`;

function useMetric(which: Mode) {
  const metric = useStore((s) => s.compress[which].state?.metric);
  const higher = metric?.higherIsBetter ?? true;
  const fmt = (v: number) => (higher ? `${(v * 100).toFixed(2)}%` : v.toFixed(3));
  const delta = (v: number, base: number) =>
    higher ? `${(v - base) * 100 >= 0 ? '+' : ''}${((v - base) * 100).toFixed(2)} pt` : `${v - base >= 0 ? '+' : ''}${(v - base).toFixed(3)}`;
  return { name: metric?.name ?? '', fmt, delta, higher };
}

function VariantsTable({ which, c }: { which: Mode; c: CompressSlice }) {
  const { fmt, delta, name } = useMetric(which);
  const variants = c.state?.variants ?? [];
  const base = variants[0];
  return (
    <table className="variants" data-testid={`variants-${which}`}>
      <caption>Variants (sizes are the weights as stored; gzip level 9)</caption>
      <thead>
        <tr>
          <th>#</th>
          <th>Variant</th>
          <th>Sparsity</th>
          <th>Raw</th>
          <th>Gzipped</th>
          <th>Smaller (gz)</th>
          <th>{name}</th>
          <th>Change</th>
          <th>Export</th>
        </tr>
      </thead>
      <tbody>
        {variants.map((v) => (
          <tr key={v.id} data-testid={`variant-row-${v.id}`} className={c.selectedId === v.id ? 'selected' : undefined}>
            <td className="num">{v.id}</td>
            <td>
              <button
                type="button"
                className="link"
                onClick={() => void showHistogram(which, v.id, c.weightName)}
                title="Show per-layer figures and the weight histogram"
              >
                {v.label}
              </button>
            </td>
            <td className="num">{(v.sparsity * 100).toFixed(1)}%</td>
            <td className="num" data-testid={`variant-raw-${v.id}`} data-bytes={v.rawBytes}>
              {bytes(v.rawBytes)}
            </td>
            <td className="num" data-testid={`variant-gzip-${v.id}`} data-bytes={v.gzipBytes}>
              {bytes(v.gzipBytes)}
            </td>
            <td className="num">{base ? `${(base.gzipBytes / v.gzipBytes).toFixed(1)}x` : ''}</td>
            <td className="num" data-testid={`variant-metric-${v.id}`} data-value={v.metric}>
              {fmt(v.metric)}
            </td>
            <td className="num">{base && v.id !== base.id ? delta(v.metric, base.metric) : ''}</td>
            <td>
              <button
                type="button"
                data-testid={`export-variant-${v.id}`}
                disabled={c.busy !== null}
                onClick={() => void exportVariant(which, v.id)}
                title={
                  v.plainCompact
                    ? 'model.json + weights (plain tfjs)'
                    : 'model.json + weights that plain tfjs can load (per-channel codes as float32, 4-bit codes as uint8) and a compact .nnq file'
                }
              >
                {v.kind === 'quantized' ? 'Export quantized weights' : 'Export'}
              </button>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function TradeoffChart({ which, variants }: { which: Mode; variants: VariantInfo[] }) {
  const { name, fmt } = useMetric(which);
  const points = variants.map((v) => ({ kb: v.gzipBytes / 1024, metric: v.metric, label: v.label }));
  return (
    <figure className="chart" data-testid={`tradeoff-${which}`} data-points={points.length}>
      <figcaption>
        {name} against gzipped size, every variant{' '}
        <span className="muted">(pick the trade-off: {useMetric(which).higher ? 'up' : 'down'} and left is better)</span>
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

function SweepChart({ which, c }: { which: Mode; c: CompressSlice }) {
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

function Detail({ which, c }: { which: Mode; c: CompressSlice }) {
  const v = c.state?.variants.find((x) => x.id === c.selectedId);
  if (!v) return null;
  const h = c.histogram;
  const rows = h ? h.before.map((b, i) => ({ x: ((h.edges[i] + h.edges[i + 1]) / 2).toPrecision(2), before: b, after: h.after[i] })) : [];
  return (
    <div data-testid={`variant-detail-${which}`}>
      <h3>
        #{v.id} {v.label}: per layer{' '}
        {v.kind === 'distilled' ? '(a new, smaller model: no per-weight error against its teacher)' : `(errors against #${v.parentId ?? v.id})`}
      </h3>
      <table data-testid={`layers-${which}`}>
        <thead>
          <tr>
            <th>Weight</th>
            <th>Shape</th>
            <th>Stored as</th>
            <th>Max |error|</th>
            <th>Mean |error|</th>
            <th>Sparsity</th>
          </tr>
        </thead>
        <tbody>
          {v.layers.map((l) => (
            <tr key={l.name}>
              <td>
                <button type="button" className="link" onClick={() => void showHistogram(which, v.id, l.name)}>
                  {l.name}
                </button>
              </td>
              <td>[{l.shape.join(', ')}]</td>
              <td>{l.encoding}</td>
              <td className="num">{l.maxAbsError.toExponential(2)}</td>
              <td className="num">{l.meanAbsError.toExponential(2)}</td>
              <td className="num">{(l.sparsity * 100).toFixed(1)}%</td>
            </tr>
          ))}
        </tbody>
      </table>
      {h && (
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
      )}
    </div>
  );
}

export function CompressPanel({ which }: { which: Mode }) {
  const c = useStore((s) => s.compress[which]);
  const training = useStore((s) => s.train.state === 'running' || s.train.state === 'paused');
  const set = (patch: Partial<CompressSlice>) => setCompressOptions(which, patch);
  const variants = c.state?.variants ?? [];
  const busy = c.busy !== null || training;
  const q = c.quant;
  const p = c.prune;
  const d = c.distill;
  return (
    <Panel title={`5. Compress${which === 'text' ? ' the char-LSTM' : ''}`} testId={`compress-panel-${which}`}>
      <p className="muted">
        Quantize, prune{which === 'images' ? ', distil' : ''} and combine them; each variant is measured on{' '}
        {which === 'images' ? 'the test set' : 'the validation text'} and can be exported.
      </p>
      <div className="row">
        <button type="button" data-testid={`compress-start-${which}`} disabled={busy} onClick={() => void startCompression(which)}>
          {c.state ? 'Start again from the current model' : 'Compress the current model'}
        </button>
        {which === 'images' && (
          <label className="field">
            <span>Load a model (model.json + weights, or .nnq)</span>
            <input
              type="file"
              multiple
              accept=".json,.bin,.nnq"
              data-testid="import-image-model"
              disabled={busy}
              onChange={(e) => {
                const files = [...(e.target.files ?? [])];
                e.target.value = '';
                if (files.length) void importImageModel(files);
              }}
            />
          </label>
        )}
        {c.busy && (
          <span className="state" data-testid={`compress-busy-${which}`}>
            {c.busy}
            {c.progress ? ` · step ${c.progress.step}/${c.progress.totalSteps}` : ''}…
          </span>
        )}
        {c.busy && c.progress && (
          <button type="button" onClick={() => void stopCompression()}>
            Stop
          </button>
        )}
      </div>
      <ErrorText text={c.error} testId={`compress-error-${which}`} />
      {c.message && (
        <p className="muted" role="status" data-testid={`compress-message-${which}`}>
          {c.message}
        </p>
      )}
      {c.state && (
        <>
          <SelectField
            label="Apply the next step to"
            value={String(c.sourceId)}
            options={variants.map((v) => String(v.id))}
            labels={Object.fromEntries(variants.map((v) => [String(v.id), `#${v.id} ${v.label}`]))}
            testId={`compress-source-${which}`}
            onChange={(id) => set({ sourceId: Number(id) })}
          />
          <fieldset className="grid-fields" disabled={busy}>
            <legend>Quantize (post-training; biases stay float32)</legend>
            <SelectField
              label="Precision"
              value={String(q.bits) as (typeof BITS)[number]}
              options={BITS}
              labels={BIT_LABELS}
              testId={`quant-bits-${which}`}
              onChange={(b) => set({ quant: { ...q, bits: Number(b) as QuantBits } })}
            />
            <SelectField<QuantScheme>
              label="Scheme"
              value={q.scheme}
              options={['affine', 'symmetric']}
              testId={`quant-scheme-${which}`}
              onChange={(scheme) => set({ quant: { ...q, scheme } })}
            />
            <SelectField<QuantGranularity>
              label="Granularity"
              value={q.granularity}
              options={['tensor', 'channel']}
              labels={{ tensor: 'per tensor', channel: 'per channel' }}
              testId={`quant-granularity-${which}`}
              onChange={(granularity) => set({ quant: { ...q, granularity } })}
            />
            <div className="row">
              <button type="button" data-testid={`quantize-${which}`} onClick={() => void quantizeOne(which, q)}>
                Quantize
              </button>
              <button type="button" data-testid={`quantize-all-${which}`} onClick={() => void quantizeAll(which)}>
                Try all 9
              </button>
            </div>
          </fieldset>
          <fieldset className="grid-fields" disabled={busy}>
            <legend>Prune by magnitude (exactly the target share of weights with the smallest |w| become 0)</legend>
            <NumberField
              label="Target sparsity (%)"
              value={Math.round(p.sparsity * 1000) / 10}
              step={5}
              testId={`prune-sparsity-${which}`}
              onChange={(v) => set({ prune: { ...p, sparsity: v / 100 } })}
            />
            <SelectField
              label="Threshold"
              value={p.scope}
              options={['global', 'layer']}
              labels={{ global: 'global', layer: 'per layer' }}
              testId={`prune-scope-${which}`}
              onChange={(scope) => set({ prune: { ...p, scope } })}
            />
            <SelectField
              label="Mode"
              value={p.mode}
              options={['oneShot', 'gradual']}
              labels={{ oneShot: 'one-shot', gradual: 'gradual + fine-tune' }}
              testId={`prune-mode-${which}`}
              onChange={(mode) => set({ prune: { ...p, mode } })}
            />
            <NumberField
              label={`Fine-tune ${which === 'images' ? 'epochs' : 'rounds'} (gradual)`}
              value={p.epochs}
              disabled={p.mode !== 'gradual'}
              testId={`prune-epochs-${which}`}
              onChange={(epochs) => set({ prune: { ...p, epochs } })}
            />
            <label className="field checkbox">
              <input type="checkbox" checked={p.includeBiases} onChange={(e) => set({ prune: { ...p, includeBiases: e.target.checked } })} />
              <span>Prune biases too</span>
            </label>
            <div className="row">
              <button type="button" data-testid={`prune-${which}`} onClick={() => void prune(which)}>
                Prune
              </button>
              <button type="button" data-testid={`sweep-button-${which}`} onClick={() => void sweep(which)}>
                Sweep 0-98%
              </button>
            </div>
          </fieldset>
          {which === 'images' && (
            <fieldset className="grid-fields" disabled={busy}>
              <legend>Distil into a smaller student (softened outputs at temperature T, mixed with the labels by alpha)</legend>
              <SelectField
                label="Student"
                value={d.student}
                options={['small', 'builder']}
                labels={{ small: 'small MLP 784-32-10', builder: 'the model built in 2.' }}
                testId="distill-student"
                onChange={(student) => set({ distill: { ...d, student } })}
              />
              <NumberField
                label="Temperature T"
                value={d.temperature}
                step={0.5}
                testId="distill-temperature"
                onChange={(temperature) => set({ distill: { ...d, temperature } })}
              />
              <NumberField
                label="alpha (label weight)"
                value={d.alpha}
                step={0.1}
                testId="distill-alpha"
                onChange={(alpha) => set({ distill: { ...d, alpha } })}
              />
              <NumberField label="Epochs" value={d.epochs} testId="distill-epochs" onChange={(epochs) => set({ distill: { ...d, epochs } })} />
              <div className="row">
                <button type="button" data-testid="distill" onClick={() => void distill()}>
                  Distil
                </button>
              </div>
            </fieldset>
          )}
          <VariantsTable which={which} c={c} />
          <TradeoffChart which={which} variants={variants} />
          <SweepChart which={which} c={c} />
          <Detail which={which} c={c} />
        </>
      )}
    </Panel>
  );
}
