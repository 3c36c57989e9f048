import { LR_SCHEDULES, OPTIMIZERS, OptimizerName } from '../../engine/config/train';
import { setTrainConfig, startTraining } from '../store/imagesActions';
import { RunControls } from './RunControls';
import { useStore } from '../store/store';
import { ContinueToggle } from './ContinueToggle';
import { ErrorText, NumberField, Panel, SelectField } from '../common/Field';
import { IMAGE_HELP as HELP } from '../help/hyperparameters';

const OPTIMIZER_LABELS: Record<OptimizerName, string> = { sgd: 'SGD', momentum: 'SGD + momentum 0.9', adam: 'Adam', rmsprop: 'RMSprop' };

/** The full hyperparameter form: the Settings view of the frame's third column, so Start and the charts stay on screen. */
export function TrainSettingsPanel() {
  const config = useStore((s) => s.train.config);
  const active = useStore((s) => s.train.state === 'running' || s.train.state === 'paused');
  const set = setTrainConfig;
  return (
    <Panel title="Hyperparameters" testId="hyperparameters-panel">
      <fieldset disabled={active} className="grid-fields">
        <legend>Hyperparameters</legend>
        <SelectField
          label="Optimizer"
          value={config.optimizer}
          options={OPTIMIZERS}
          labels={OPTIMIZER_LABELS}
          testId="optimizer"
          hint={HELP.optimizer}
          onChange={(optimizer) => set({ optimizer })}
        />
        <NumberField
          label="Learning rate"
          value={config.learningRate}
          step={0.0001}
          testId="learning-rate"
          hint={HELP.learningRate}
          onChange={(learningRate) => set({ learningRate })}
        />
        <SelectField
          label="LR schedule"
          value={config.lrSchedule}
          options={LR_SCHEDULES}
          labels={{ constant: 'constant', cosine: 'cosine decay to 0' }}
          testId="lr-schedule"
          hint={HELP.lrSchedule}
          onChange={(lrSchedule) => set({ lrSchedule })}
        />
        <NumberField
          label="Batch size"
          value={config.batchSize}
          testId="batch-size"
          hint={HELP.batchSize}
          onChange={(batchSize) => set({ batchSize })}
        />
        <NumberField label="Epochs" value={config.epochs} testId="epochs" hint={HELP.epochs} onChange={(epochs) => set({ epochs })} />
        <NumberField label="L1 penalty" value={config.l1} step={0.0001} hint={HELP.l1} onChange={(l1) => set({ l1 })} />
        <NumberField label="L2 penalty" value={config.l2} step={0.0001} hint={HELP.l2} onChange={(l2) => set({ l2 })} />
        <NumberField label="Random seed" value={config.seed} testId="seed" hint={HELP.seed} onChange={(seed) => set({ seed })} />
        <NumberField
          label="Training subset (0 = all)"
          value={config.trainLimit}
          step={1000}
          testId="train-limit"
          hint={HELP.trainLimit}
          onChange={(trainLimit) => set({ trainLimit })}
        />
      </fieldset>
    </Panel>
  );
}

/** Start, progress and a one-line summary of the hyperparameters, next to the charts. */
export function TrainPanel({ onSettings }: { onSettings: () => void }) {
  const train = useStore((s) => s.train);
  const ready = useStore((s) => s.data.info !== null && s.backend.active !== null);
  const { config, state } = train;
  const compressing = useStore((s) => s.compress.images.busy !== null || s.compress.text.busy !== null);
  const active = state === 'running' || state === 'paused';
  const limit = config.trainLimit > 0 ? ` · ${config.trainLimit.toLocaleString('en-US')} samples` : '';
  return (
    <Panel title="3. Train" testId="train-panel">
      <p className="muted train-summary" data-testid="train-summary">
        {OPTIMIZER_LABELS[config.optimizer]} · lr {config.learningRate} · batch {config.batchSize} · {config.epochs} epoch
        {config.epochs === 1 ? '' : 's'}
        {limit} ·{' '}
        <button type="button" className="link" data-testid="change-settings" aria-label="change the settings" onClick={onSettings}>
          change
        </button>
      </p>
      {train.task === 'images' || !active ? (
        <>
          <ContinueToggle which="images" disabled={active} />
          <RunControls ready={ready && !compressing} onStart={() => void startTraining()} unit="samples" epochWord="Epoch" />
        </>
      ) : (
        <p className="muted">A char-LSTM is training; stop it (Text tab) to train an image model.</p>
      )}
      {train.task === 'images' && <ErrorText text={train.message} testId="train-message" />}
    </Panel>
  );
}
