import { useEffect, useRef } from 'react';
import type { VariantInfo } from '../../engine/config/compress';
import { compactHolds, kiloBytes, stockHolds } from '../../engine/config/exportForms';
import type { ExportFile } from '../../engine/config/results';
import { closeExport, downloadExport } from '../store/compressActions';
import { LOADER_FILE, loaderUrl } from '../store/files';
import type { CompressSlice, Mode } from '../store/store';
import { useMetric } from './useMetric';

interface Row {
  name: string;
  bytes: number;
  holds: string;
  loads: string;
}

const PAGE_LOAD = { images: 'this page (5. Compress: Load a model)', text: 'this page (Text tab: Load a saved char model)' };

/** Each file of the export: what it holds and which tools load it. */
function rows(which: Mode, v: VariantInfo, files: ExportFile[]): Row[] {
  return files.map((f) => {
    const bytes = f.bytes.length;
    if (f.name.endsWith('.nnq')) {
      return { name: f.name, bytes, holds: `compact: ${compactHolds(v.quant) ?? 'every weight'}`, loads: `${LOADER_FILE}; ${PAGE_LOAD[which]}` };
    }
    if (f.name.endsWith('.weights.bin')) {
      const holds = `weights: ${stockHolds(v.quant)}${v.quant && v.quant.granularity === 'channel' && v.quant.bits !== 16 ? ' (dequantized, full size)' : ''}`;
      return { name: f.name, bytes, holds, loads: 'with its model.json' };
    }
    return { name: f.name, bytes, holds: 'topology and weights manifest', loads: `stock tfjs (tf.loadLayersModel); ${PAGE_LOAD[which]}` };
  });
}

/** Five lines that load the export with plain tfjs: the .nnq through the loader when there is one, else model.json. */
function usageSnippet(which: Mode, files: ExportFile[]): string {
  const nnq = files.find((f) => f.name.endsWith('.nnq'));
  const json = files.find((f) => f.name.endsWith('.json'));
  const input =
    which === 'images'
      ? 'const x = tf.zeros([1, 28, 28, 1]); // one 28 x 28 digit, pixels 0..1'
      : 'const x = tf.tensor2d([[0, 1, 2]]); // character ids: model.getUserDefinedMetadata().vocab';
  const load = nnq
    ? [`import { loadCompactModel } from './${LOADER_FILE}';`, `const model = await loadCompactModel('${nnq.name}');`]
    : [`const model = await tf.loadLayersModel('${json?.name ?? 'model.json'}');`, '// its .weights.bin lies beside it'];
  return ["import * as tf from '@tensorflow/tfjs';", ...load, input, 'model.predict(x).print();'].join('\n');
}

function FilesTable({ which, v, files, loaderBytes }: { which: Mode; v: VariantInfo; files: ExportFile[]; loaderBytes: number | null }) {
  const { fmt, name } = useMetric(which);
  return (
    <table data-testid={`export-files-${which}`}>
      <thead>
        <tr>
          <th>File</th>
          <th>Size</th>
          <th>Holds</th>
          <th>Loads in</th>
          <th>{name} (page)</th>
        </tr>
      </thead>
      <tbody>
        {rows(which, v, files).map((r) => (
          <tr key={r.name} data-testid={`export-file-${r.name}`}>
            <td>{r.name}</td>
            <td className="num" data-bytes={r.bytes}>
              {kiloBytes(r.bytes)}
            </td>
            <td>{r.holds}</td>
            <td>{r.loads}</td>
            <td className="num">{fmt(v.metric)}</td>
          </tr>
        ))}
        {loaderBytes !== null && (
          <tr data-testid={`export-file-${LOADER_FILE}`}>
            <td>
              <a href={loaderUrl()} download={LOADER_FILE} data-testid={`export-loader-${which}`}>
                {LOADER_FILE}
              </a>
            </td>
            <td className="num" data-bytes={loaderBytes}>
              {kiloBytes(loaderBytes)}
            </td>
            <td>the loader: an ES module, no dependency but @tensorflow/tfjs</td>
            <td>a bundler, or an import map for @tensorflow/tfjs</td>
            <td />
          </tr>
        )}
      </tbody>
    </table>
  );
}

/** The export of one variant: its files, their sizes, what loads each, the page's metric, five lines of usage. */
export function ExportDialog({ which, c }: { which: Mode; c: CompressSlice }) {
  const ref = useRef<HTMLDialogElement>(null);
  const e = c.exporting;
  const v = e && c.state?.variants.find((x) => x.id === e.variantId);
  const { fmt, delta, name } = useMetric(which);
  useEffect(() => {
    if (v && ref.current && !ref.current.open) ref.current.showModal();
  }, [v]);
  if (!e || !v) return null;
  const base = c.state?.variants[0];
  const titleId = `export-title-${which}`;
  return (
    <dialog ref={ref} className="export-dialog" aria-labelledby={titleId} data-testid={`export-dialog-${which}`} onClose={() => closeExport(which)}>
      <h3 id={titleId}>
        Export #{v.id} {v.label}
      </h3>
      <p data-testid={`export-metric-${which}`}>
        The page measured {name} {fmt(v.metric)}
        {base && base.id !== v.id ? ` (${delta(v.metric, base.metric)} against float32)` : ''} for these weights; each file below loads exactly them.
      </p>
      <FilesTable which={which} v={v} files={e.files} loaderBytes={e.loaderBytes} />
      <pre className="snippet" data-testid={`export-snippet-${which}`}>
        <code>{usageSnippet(which, e.files)}</code>
      </pre>
      <div className="row">
        <button type="button" data-testid={`export-download-${which}`} disabled={c.busy !== null} onClick={() => void downloadExport(which, false)}>
          Download {e.files.length} files
        </button>
        <button type="button" data-testid={`export-zip-${which}`} disabled={c.busy !== null} onClick={() => void downloadExport(which, true)}>
          Download one .zip
        </button>
        <button type="button" onClick={() => ref.current?.close()}>
          Close
        </button>
      </div>
    </dialog>
  );
}
