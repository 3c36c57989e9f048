import { ACTIVATIONS, Activation, CNN_PRESET, CnnConfig, MLP_PRESET, MlpConfig, DenseSpec } from '../../engine/config/imageModel';
import { setModelConfig, setModelKind } from '../store/imagesActions';
import { useStore } from '../store/store';
import { NumberField, Panel, SelectField } from '../common/Field';
import { ModelSummaryTable } from './ModelSummaryTable';
import { IMAGE_HELP as HELP } from '../help/hyperparameters';

function DenseEditor({
  layers,
  onChange,
  label,
  disabled,
}: {
  layers: DenseSpec[];
  onChange: (l: DenseSpec[]) => void;
  label: string;
  disabled: boolean;
}) {
  const set = (i: number, patch: Partial<DenseSpec>) => onChange(layers.map((l, j) => (j === i ? { ...l, ...patch } : l)));
  return (
    <fieldset disabled={disabled}>
      <legend>{label}</legend>
      <p className="help muted">{HELP.units}</p>
      {layers.map((l, i) => (
        <div className="row" key={i}>
          <NumberField label={`Units ${i + 1}`} value={l.units} min={1} testId={`units-${i}`} onChange={(units) => set(i, { units })} />
          <SelectField<Activation> label="Activation" value={l.activation} options={ACTIVATIONS} onChange={(activation) => set(i, { activation })} />
          <button type="button" onClick={() => onChange(layers.filter((_, j) => j !== i))} aria-label={`Remove ${label.toLowerCase()} ${i + 1}`}>
            Remove
          </button>
        </div>
      ))}
      <button type="button" onClick={() => onChange([...layers, { units: 64, activation: 'relu' }])}>
        Add layer
      </button>
    </fieldset>
  );
}

function CnnEditor({ config, disabled }: { config: CnnConfig; disabled: boolean }) {
  const setBlock = (i: number, patch: Partial<CnnConfig['blocks'][number]>) =>
    setModelConfig({ ...config, blocks: config.blocks.map((b, j) => (j === i ? { ...b, ...patch } : b)) });
  return (
    <>
      <fieldset disabled={disabled}>
        <legend>Conv blocks</legend>
        <p className="help muted">{HELP.conv}</p>
        {config.blocks.map((b, i) => (
          <div className="row" key={i}>
            <NumberField label={`Filters ${i + 1}`} value={b.filters} min={1} onChange={(filters) => setBlock(i, { filters })} />
            <NumberField label="Kernel" value={b.kernelSize} min={1} testId={`kernel-${i}`} onChange={(kernelSize) => setBlock(i, { kernelSize })} />
            <SelectField label="Padding" value={b.padding} options={['same', 'valid'] as const} onChange={(padding) => setBlock(i, { padding })} />
            <SelectField label="Pooling" value={b.pool} options={['max', 'avg', 'none'] as const} onChange={(pool) => setBlock(i, { pool })} />
            <SelectField<Activation>
              label="Activation"
              value={b.activation}
              options={ACTIVATIONS}
              onChange={(activation) => setBlock(i, { activation })}
            />
            <button type="button" onClick={() => setModelConfig({ ...config, blocks: config.blocks.filter((_, j) => j !== i) })}>
              Remove
            </button>
          </div>
        ))}
        <button
          type="button"
          onClick={() =>
            setModelConfig({
              ...config,
              blocks: [...config.blocks, { filters: 16, kernelSize: 3, padding: 'same', activation: 'relu', pool: 'max' }],
            })
          }
        >
          Add conv block
        </button>
      </fieldset>
      <DenseEditor label="Dense head" layers={config.dense} disabled={disabled} onChange={(dense) => setModelConfig({ ...config, dense })} />
    </>
  );
}

/** The model choice, compact beside the data: MLP or CNN, its preset, problems and summary; the layers are edited in Settings. */
export function ModelPanel({ onSettings }: { onSettings: () => void }) {
  const model = useStore((s) => s.model);
  const disabled = useStore((s) => s.train.state === 'running' || s.train.state === 'paused');
  return (
    <Panel title="2. Model" testId="model-panel">
      <div className="row" role="radiogroup" aria-label="Model type">
        {(['mlp', 'cnn'] as const).map((k) => (
          <label key={k}>
            <input
              type="radio"
              name="model-kind"
              checked={model.kind === k}
              disabled={disabled}
              data-testid={`kind-${k}`}
              onChange={() => setModelKind(k)}
            />{' '}
            {k.toUpperCase()}
          </label>
        ))}
        <button type="button" disabled={disabled} onClick={() => setModelConfig(model.kind === 'mlp' ? MLP_PRESET : CNN_PRESET)}>
          Reset to {model.kind === 'mlp' ? 'MLP 784-64-10' : 'LeNet-5'} preset
        </button>
        <button type="button" data-testid="edit-architecture" onClick={onSettings}>
          Edit layers…
        </button>
      </div>
      {model.problems.length > 0 && (
        <ul className="error" role="alert" data-testid="model-problems">
          {model.problems.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      )}
      {model.summary && <ModelSummaryTable summary={model.summary} />}
    </Panel>
  );
}

/** The image model's layers and dropout, in the Settings view with the training hyperparameters. */
export function ArchitecturePanel() {
  const model = useStore((s) => s.model);
  const disabled = useStore((s) => s.train.state === 'running' || s.train.state === 'paused');
  const config = model.configs[model.kind];
  return (
    <Panel title={`Architecture (${model.kind.toUpperCase()})`} testId="architecture-panel">
      {config.kind === 'mlp' ? (
        <DenseEditor
          label="Hidden layers"
          layers={config.hidden}
          disabled={disabled}
          onChange={(hidden) => setModelConfig({ ...(config as MlpConfig), hidden })}
        />
      ) : (
        <CnnEditor config={config} disabled={disabled} />
      )}
      <NumberField
        label="Dropout rate"
        value={config.dropout}
        step={0.05}
        min={0}
        disabled={disabled}
        testId="dropout"
        hint={HELP.dropout}
        onChange={(dropout) => setModelConfig({ ...config, dropout })}
      />
    </Panel>
  );
}
