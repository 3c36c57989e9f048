import { OPTIMIZERS, OptimizerName } from '../../engine/config/train';
import { setTextOnlyConfig, setTextTrainConfig, startTextTraining } from '../store/textActions';
import { useStore, type AppState } from '../store/store';
import { ContinueToggle } from '../Train/ContinueToggle';
import { ErrorText, NumberField, Panel, SelectField } from '../common/Field';
import { RunControls } from '../Train/RunControls';
import { TEXT_HELP as HELP } from '../help/hyperparameters';

const OPTIMIZER_LABELS: Record<OptimizerName, string> = { sgd: 'SGD', momentum: 'SGD + momentum 0.9', adam: 'Adam', rmsprop: 'RMSprop' };

/** The char-LSTM's hyperparameters, locked while a run is active. */
function HyperparameterFields({ text, disabled }: { text: AppState['text']; disabled: boolean }) {
  const { config, textConfig } = text;
  return (
    <fieldset disabled={disabled} className="grid-fields">
      <legend>Hyperparameters</legend>
      <SelectField
        label="Optimizer"
        value={config.optimizer}
        options={OPTIMIZERS}
        labels={OPTIMIZER_LABELS}
        testId="text-optimizer"
        hint={HELP.optimizer}
        onChange={(optimizer) => setTextTrainConfig({ optimizer })}
      />
      <NumberField
        label="Learning rate"
        value={config.learningRate}
        step={0.0005}
        testId="text-learning-rate"
        hint={HELP.learningRate}
        onChange={(learningRate) => setTextTrainConfig({ learningRate })}
      />
      <NumberField
        label="Batch (windows per step)"
        value={config.batchSize}
        testId="text-batch-size"
        hint={HELP.batchSize}
        onChange={(batchSize) => setTextTrainConfig({ batchSize })}
      />
      <NumberField
        label="Rounds"
        value={config.epochs}
        testId="text-rounds"
        hint={HELP.rounds}
        onChange={(epochs) => setTextTrainConfig({ epochs })}
      />
      <NumberField
        label="Steps per round (validate + sample)"
        value={textConfig.evalEvery}
        testId="text-eval-every"
        hint={HELP.evalEvery}
        onChange={(evalEvery) => setTextOnlyConfig({ evalEvery })}
      />
      <NumberField
        label="Gradient clip (global norm, 0 = off)"
        value={textConfig.clipNorm}
        step={0.5}
        testId="text-clip"
        hint={HELP.clipNorm}
        onChange={(clipNorm) => setTextOnlyConfig({ clipNorm })}
      />
      <NumberField
        label="Validation share (end of text)"
        value={textConfig.valFraction}
        step={0.05}
        testId="text-val-fraction"
        hint={HELP.valFraction}
        onChange={(valFraction) => setTextOnlyConfig({ valFraction })}
      />
      <NumberField
        label="Sample length"
        value={textConfig.sampleLength}
        step={50}
        testId="text-sample-length"
        hint={HELP.sampleLength}
        onChange={(sampleLength) => setTextOnlyConfig({ sampleLength })}
      />
      <NumberField label="Random seed" value={config.seed} testId="text-seed" hint={HELP.seed} onChange={(seed) => setTextTrainConfig({ seed })} />
    </fieldset>
  );
}

/** The char model's full hyperparameter form, in the Settings view of the frame's third column. */
export function TextSettingsPanel() {
  const text = useStore((s) => s.text);
  const active = useStore((s) => s.train.state === 'running' || s.train.state === 'paused');
  return (
    <Panel title="Hyperparameters" testId="text-hyperparameters-panel">
      <HyperparameterFields text={text} disabled={active} />
      {text.family === 'charTransformer' && (
        <p className="muted" data-testid="transformer-optimizer-note">
          The Transformer trains with AdamW (weight decay 0.1 on its matrices), a linear warm-up over a tenth of the steps and a cosine decay to a
          tenth: the optimizer choice does not apply, and the learning rate is the peak.
        </p>
      )}
    </Panel>
  );
}

/** Samples generated during training, below the charts so they don't push the charts down. */
export function TextSamples() {
  const text = useStore((s) => s.text);
  const task = useStore((s) => s.train.task);
  const samples = task === 'text' ? text.samples : [];
  if (samples.length === 0) return null;
  return (
    <section className="panel samples" aria-label="Samples while training" data-testid="text-samples">
      <h3>Samples while training (temperature 0.8)</h3>
      {samples
        .slice(-3)
        .reverse()
        .map((s) => (
          <figure key={s.step}>
            <figcaption>step {s.step}</figcaption>
            <pre>{s.text}</pre>
          </figure>
        ))}
    </section>
  );
}

export function TextTrainPanel({ onSettings }: { onSettings: () => void }) {
  const text = useStore((s) => s.text);
  const train = useStore((s) => s.train);
  const ready = useStore((s) => s.text.info !== null && s.backend.active !== null);
  const compressing = useStore((s) => s.compress.images.busy !== null || s.compress.text.busy !== null);
  const active = train.state === 'running' || train.state === 'paused';
  const { config } = text;
  return (
    <Panel title="3. Train" testId="text-train-panel">
      <p className="muted train-summary" data-testid="text-train-summary">
        {text.family === 'charTransformer' ? 'AdamW, warm-up + cosine' : OPTIMIZER_LABELS[config.optimizer]} · lr {config.learningRate} · batch{' '}
        {config.batchSize} · {config.epochs} round
        {config.epochs === 1 ? '' : 's'} ·{' '}
        <button type="button" className="link" data-testid="change-settings" aria-label="change the settings" onClick={onSettings}>
          change
        </button>
      </p>
      {train.task === 'text' || !active ? (
        <>
          <ContinueToggle which="text" disabled={active} />
          <RunControls ready={ready && !compressing} onStart={() => void startTextTraining()} unit="characters" epochWord="Round" />
        </>
      ) : (
        <p className="muted">An image model is training; stop it (Images tab) to train a char model.</p>
      )}
      {train.task === 'text' && <ErrorText text={train.message} testId="train-message" />}
    </Panel>
  );
}
