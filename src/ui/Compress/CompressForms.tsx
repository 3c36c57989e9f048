import type { QuantBits, QuantGranularity, QuantScheme } from '../../engine/config/compress';
import { distill, prune, quantizeAll, quantizeOne, setCompressOptions, sweep } from '../store/compressActions';
import type { CompressSlice, Mode } from '../store/store';
import { NumberField, SelectField } from '../common/Field';
import { exportSummary, exportWeightBytes, PORTABLE_QUANT } from '../../engine/config/exportForms';

const BITS = ['8', '16', '4'] as const;
const BIT_LABELS = { '8': 'int8', '16': 'float16', '4': '4-bit (compact .nnq; stock tfjs: one code a byte)' };
const GRANULARITY_LABELS = { tensor: 'per tensor (stock tfjs holds it)', channel: 'per channel (compact .nnq; stock tfjs: float32)' };

interface FormProps {
  which: Mode;
  c: CompressSlice;
  /** Another job (compressing or training) is running: the form is disabled. */
  busy: boolean;
}

export function QuantizeForm({ which, c, busy }: FormProps) {
  const q = c.quant;
  const set = (quant: CompressSlice['quant']) => setCompressOptions(which, { quant });
  const source = c.state?.variants.find((v) => v.id === c.sourceId);
  const portable = q.bits === PORTABLE_QUANT.bits && q.scheme === PORTABLE_QUANT.scheme && q.granularity === PORTABLE_QUANT.granularity;
  return (
    <fieldset className="grid-fields" disabled={busy}>
      <legend>Quantize (post-training; biases stay float32)</legend>
      <SelectField
        label="Precision"
        value={String(q.bits) as (typeof BITS)[number]}
        options={BITS}
        labels={BIT_LABELS}
        testId={`quant-bits-${which}`}
        onChange={(b) => set({ ...q, bits: Number(b) as QuantBits })}
      />
      <SelectField<QuantScheme>
        label="Scheme"
        value={q.scheme}
        options={['affine', 'symmetric']}
        testId={`quant-scheme-${which}`}
        onChange={(scheme) => set({ ...q, scheme })}
      />
      <SelectField<QuantGranularity>
        label="Granularity"
        value={q.granularity}
        options={['tensor', 'channel']}
        labels={GRANULARITY_LABELS}
        testId={`quant-granularity-${which}`}
        onChange={(granularity) => set({ ...q, granularity })}
      />
      {source && (
        <p className="muted wide" data-testid={`quant-export-${which}`}>
          Its export:{' '}
          {exportSummary(
            q,
            exportWeightBytes(
              source.layers.map((l) => l.shape),
              q,
            ),
          )}
          {portable ? ' (the portable default)' : ''}.
        </p>
      )}
      <div className="row">
        <button type="button" data-testid={`quantize-${which}`} onClick={() => void quantizeOne(which, q)}>
          Quantize
        </button>
        <button type="button" data-testid={`quantize-all-${which}`} onClick={() => void quantizeAll(which)}>
          Try all 9
        </button>
      </div>
    </fieldset>
  );
}

export function PruneForm({ which, c, busy }: FormProps) {
  const p = c.prune;
  const set = (next: CompressSlice['prune']) => setCompressOptions(which, { prune: next });
  return (
    <fieldset className="grid-fields" disabled={busy}>
      <legend>Prune by magnitude (exactly the target share of weights with the smallest |w| become 0)</legend>
      <NumberField
        label="Target sparsity (%)"
        value={Math.round(p.sparsity * 1000) / 10}
        step={5}
        testId={`prune-sparsity-${which}`}
        onChange={(v) => set({ ...p, sparsity: v / 100 })}
      />
      <SelectField
        label="Threshold"
        value={p.scope}
        options={['global', 'layer']}
        labels={{ global: 'global', layer: 'per layer' }}
        testId={`prune-scope-${which}`}
        onChange={(scope) => set({ ...p, scope })}
      />
      <SelectField
        label="Mode"
        value={p.mode}
        options={['oneShot', 'gradual']}
        labels={{ oneShot: 'one-shot', gradual: 'gradual + fine-tune' }}
        testId={`prune-mode-${which}`}
        onChange={(mode) => set({ ...p, mode })}
      />
      <NumberField
        label={`Fine-tune ${which === 'images' ? 'epochs' : 'rounds'} (gradual)`}
        value={p.epochs}
        disabled={p.mode !== 'gradual'}
        testId={`prune-epochs-${which}`}
        onChange={(epochs) => set({ ...p, epochs })}
      />
      <label className="field checkbox">
        <input type="checkbox" checked={p.includeBiases} onChange={(e) => set({ ...p, includeBiases: e.target.checked })} />
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
  );
}

/** Distillation is offered on the Images tab only. */
export function DistillForm({ c, busy }: Omit<FormProps, 'which'>) {
  const d = c.distill;
  const set = (patch: Partial<CompressSlice['distill']>) => setCompressOptions('images', { distill: { ...d, ...patch } });
  return (
    <fieldset className="grid-fields" disabled={busy}>
      <legend>Distil into a smaller student (softened outputs at temperature T, mixed with the labels by alpha)</legend>
      <SelectField
        label="Student"
        value={d.student}
        options={['small', 'builder']}
        labels={{ small: 'small MLP 784-32-10', builder: 'the model built in 2.' }}
        testId="distill-student"
        onChange={(student) => set({ student })}
      />
      <NumberField
        label="Temperature T"
        value={d.temperature}
        step={0.5}
        testId="distill-temperature"
        onChange={(temperature) => set({ temperature })}
      />
      <NumberField label="alpha (label weight)" value={d.alpha} step={0.1} testId="distill-alpha" onChange={(alpha) => set({ alpha })} />
      <NumberField label="Epochs" value={d.epochs} testId="distill-epochs" onChange={(epochs) => set({ epochs })} />
      <div className="row">
        <button type="button" data-testid="distill" onClick={() => void distill()}>
          Distil
        </button>
      </div>
    </fieldset>
  );
}
