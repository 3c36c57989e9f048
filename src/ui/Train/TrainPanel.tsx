import { LR_SCHEDULES, OPTIMIZERS, OptimizerName } from '../../engine/train/config';
import { pauseTraining, resumeTraining, setTrainConfig, startTraining, stopTraining } from '../store/actions';
import { useStore } from '../store/store';
import { ErrorText, NumberField, Panel, SelectField } from '../common/Field';

const OPTIMIZER_LABELS: Record<OptimizerName, string> = { sgd: 'SGD', momentum: 'SGD + momentum 0.9', adam: 'Adam', rmsprop: 'RMSprop' };

function formatEta(sec: number): string {
  if (!Number.isFinite(sec)) return '–';
  const s = Math.round(sec);
  return s >= 60 ? `${Math.floor(s / 60)} min ${s % 60} s` : `${s} s`;
}

export function TrainPanel() {
  const train = useStore((s) => s.train);
  const ready = useStore((s) => s.data.info !== null && s.backend.active !== null);
  const { config, state, progress } = train;
  const active = state === 'running' || state === 'paused';
  const set = setTrainConfig;
  return (
    <Panel title="3. Train" testId="train-panel">
      <fieldset disabled={active} className="grid-fields">
        <legend>Hyperparameters</legend>
        <SelectField label="Optimizer" value={config.optimizer} options={OPTIMIZERS} labels={OPTIMIZER_LABELS} testId="optimizer" onChange={(optimizer) => set({ optimizer })} />
        <NumberField label="Learning rate" value={config.learningRate} step={0.0001} testId="learning-rate" onChange={(learningRate) => set({ learningRate })} />
        <SelectField label="LR schedule" value={config.lrSchedule} options={LR_SCHEDULES} labels={{ constant: 'constant', cosine: 'cosine decay to 0' }} testId="lr-schedule" onChange={(lrSchedule) => set({ lrSchedule })} />
        <NumberField label="Batch size" value={config.batchSize} testId="batch-size" onChange={(batchSize) => set({ batchSize })} />
        <NumberField label="Epochs" value={config.epochs} testId="epochs" onChange={(epochs) => set({ epochs })} />
        <NumberField label="L1 penalty" value={config.l1} step={0.0001} onChange={(l1) => set({ l1 })} />
        <NumberField label="L2 penalty" value={config.l2} step={0.0001} onChange={(l2) => set({ l2 })} />
        <NumberField label="Random seed" value={config.seed} testId="seed" onChange={(seed) => set({ seed })} />
        <NumberField label="Training subset (0 = all)" value={config.trainLimit} step={1000} testId="train-limit" onChange={(trainLimit) => set({ trainLimit })} />
      </fieldset>
      <div className="row buttons">
        <button type="button" data-testid="start" disabled={active || !ready} onClick={() => void startTraining()}>
          Start
        </button>
        <button type="button" data-testid="pause" disabled={state !== 'running'} onClick={() => void pauseTraining()}>
          Pause
        </button>
        <button type="button" data-testid="resume" disabled={state !== 'paused'} onClick={() => void resumeTraining()}>
          Resume
        </button>
        <button type="button" data-testid="stop" disabled={!active} onClick={() => void stopTraining()}>
          Stop
        </button>
        <span className="state" data-testid="train-state">
          {state}
        </span>
      </div>
      {progress && (
        <div className="progress" data-testid="progress" data-tensors-per-epoch={train.epochs.map((e) => e.numTensors).join(',')}>
          <progress value={progress.step} max={progress.totalSteps} aria-label="Training progress" />
          <span>
            Epoch {progress.epoch}/{progress.epochs} · step {progress.step.toLocaleString('en-US')}/{progress.totalSteps.toLocaleString('en-US')} · ETA{' '}
            {formatEta(progress.etaSec)} · <span data-testid="samples-per-sec">{Math.round(progress.samplesPerSec).toLocaleString('en-US')}</span> samples/s
            {train.epochs.length > 0 && ` · ${train.epochs[train.epochs.length - 1].numTensors} tensors in use after epoch ${train.epochs.length}`}
          </span>
        </div>
      )}
      {train.seconds !== null && !active && <p className="muted">
          Trained for <span data-testid="train-seconds">{train.seconds.toFixed(1)}</span> s.
        </p>}
      <ErrorText text={train.message} testId="train-message" />
    </Panel>
  );
}
