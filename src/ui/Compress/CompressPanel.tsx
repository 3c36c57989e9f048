import { importImageModel, setCompressOptions, startCompression, stopCompression } from '../store/compressActions';
import { CompressSlice, Mode, useStore } from '../store/store';
import { ErrorText, Panel, SelectField } from '../common/Field';
import { DistillForm, PruneForm, QuantizeForm } from './CompressForms';
import { SweepChart, TradeoffChart } from '../common/lazyCharts';
import { VariantDetail, VariantsTable } from './VariantTables';
import { ExportDialog } from './ExportDialog';

/** Start (or start again), load a model file (Images), what is running and its Stop button. */
function Toolbar({ which, c, busy }: { which: Mode; c: CompressSlice; busy: boolean }) {
  return (
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
  );
}

/** Once the float32 model is measured: the source variant, the three forms, the variants and their charts. */
function Workbench({ which, c, busy }: { which: Mode; c: CompressSlice; busy: boolean }) {
  const variants = c.state?.variants ?? [];
  return (
    <>
      <SelectField
        label="Apply the next step to"
        value={String(c.sourceId)}
        options={variants.map((v) => String(v.id))}
        labels={Object.fromEntries(variants.map((v) => [String(v.id), `#${v.id} ${v.label}`]))}
        testId={`compress-source-${which}`}
        onChange={(id) => setCompressOptions(which, { sourceId: Number(id) })}
      />
      <QuantizeForm which={which} c={c} busy={busy} />
      <PruneForm which={which} c={c} busy={busy} />
      {which === 'images' && <DistillForm c={c} busy={busy} />}
      <VariantsTable which={which} c={c} />
      <ExportDialog which={which} c={c} />
      <TradeoffChart which={which} variants={variants} />
      {c.sweep.length > 0 && <SweepChart which={which} c={c} />}
      <VariantDetail which={which} c={c} />
    </>
  );
}

export function CompressPanel({ which }: { which: Mode }) {
  const c = useStore((s) => s.compress[which]);
  const training = useStore((s) => s.train.state === 'running' || s.train.state === 'paused');
  const busy = c.busy !== null || training;
  return (
    <Panel title={which === 'text' ? '6. Compress the char model' : '5. Compress'} testId={`compress-panel-${which}`}>
      <p className="muted">
        Quantize, prune{which === 'images' ? ', distil' : ''} and combine them; each variant is measured on{' '}
        {which === 'images' ? 'the test set' : 'the validation text'} and can be exported.
      </p>
      <Toolbar which={which} c={c} busy={busy} />
      <ErrorText text={c.error} testId={`compress-error-${which}`} />
      {c.message && (
        <p className="muted" role="status" data-testid={`compress-message-${which}`}>
          {c.message}
        </p>
      )}
      {c.state && <Workbench which={which} c={c} busy={busy} />}
    </Panel>
  );
}
