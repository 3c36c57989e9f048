import type { CompressSlice, Mode } from '../store/store';
import { openExport, showHistogram } from '../store/compressActions';
import { exportSummary } from '../../engine/config/exportForms';
import { HistogramChart } from '../common/lazyCharts';
import { useMetric } from './useMetric';

const bytes = (n: number) => `${n.toLocaleString('en-US')} B`;

/** Every variant: sizes, sparsity, metric against the float32 model, export. */
export function VariantsTable({ which, c }: { which: Mode; c: CompressSlice }) {
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
              <button type="button" data-testid={`export-variant-${v.id}`} disabled={c.busy !== null} onClick={() => void openExport(which, v.id)}>
                {v.kind === 'quantized' ? 'Export quantized weights' : 'Export'}
              </button>
              <br />
              <small className="muted" data-testid={`variant-export-${v.id}`}>
                {exportSummary(v.quant, { stock: v.stockBytes, compact: v.rawBytes })}
              </small>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The selected variant: its per-layer figures and the histogram of one weight. */
export function VariantDetail({ which, c }: { which: Mode; c: CompressSlice }) {
  const v = c.state?.variants.find((x) => x.id === c.selectedId);
  if (!v) return null;
  const h = c.histogram;
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
      {h && <HistogramChart which={which} v={v} h={h} />}
    </div>
  );
}
