import { pauseTraining, resumeTraining, stopTraining } from '../store/training';
import { useStore } from '../store/store';

function formatEta(sec: number): string {
  if (!Number.isFinite(sec)) return '–';
  const s = Math.round(sec);
  return s >= 60 ? `${Math.floor(s / 60)} min ${s % 60} s` : `${s} s`;
}

/** Start / Pause / Resume / Stop, the run state and the progress bar: shared by every kind of model. */
export function RunControls({
  ready,
  onStart,
  unit,
  epochWord,
}: {
  ready: boolean;
  onStart: () => void;
  unit: 'samples' | 'characters';
  epochWord: string;
}) {
  const train = useStore((s) => s.train);
  const { state, progress } = train;
  const active = state === 'running' || state === 'paused';
  return (
    <>
      <div className="row buttons run-bar">
        <button type="button" data-testid="start" disabled={active || !ready} onClick={onStart}>
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
            {epochWord} {progress.epoch}/{progress.epochs} · step {progress.step.toLocaleString('en-US')}/
            {progress.totalSteps.toLocaleString('en-US')} · ETA {formatEta(progress.etaSec)} ·{' '}
            <span data-testid="samples-per-sec">{Math.round(progress.samplesPerSec).toLocaleString('en-US')}</span> {unit}/s
            {train.epochs.length > 0 &&
              ` · ${train.epochs[train.epochs.length - 1].numTensors} tensors in use after ${epochWord.toLowerCase()} ${train.epochs.length}`}
          </span>
        </div>
      )}
      {train.seconds !== null && !active && (
        <p className="muted">
          Trained for <span data-testid="train-seconds">{train.seconds.toFixed(1)}</span> s.
        </p>
      )}
    </>
  );
}
