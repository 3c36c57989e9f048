import { store, useStore, Mode } from '../store/store';

/** Start a new model, or keep training the current one (trained here, loaded from files, or compressed). */
export function ContinueToggle({ which, disabled }: { which: Mode; disabled: boolean }) {
  const on = useStore((s) => s.continueRun[which]);
  return (
    <label className="field checkbox" title="Keeps the current weights (for example a loaded model) and trains them further with these settings.">
      <input
        type="checkbox"
        checked={on}
        disabled={disabled}
        data-testid={`continue-${which}`}
        onChange={(e) => store.update('continueRun', { [which]: e.target.checked })}
      />
      <span>Continue training the current model (instead of a new one)</span>
    </label>
  );
}
