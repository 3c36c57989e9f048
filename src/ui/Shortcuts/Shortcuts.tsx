import { useEffect, useState } from 'react';
import { pauseTraining, resumeTraining } from '../store/training';
import { store } from '../store/store';

const SHORTCUTS: { keys: string; does: string }[] = [
  { keys: 'Space', does: 'Start, pause or resume training (when focus is not in a field)' },
  { keys: '?', does: 'Show or hide this list' },
  { keys: 'Esc', does: 'Close this list' },
];

/** Keys typed into a field, or Space on a button, belong to that control, never to a page shortcut. */
function ownsKeys(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target !== document.body && target.tabIndex >= 0) return true; // a focusable widget (the draw pad) uses its own keys
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT', 'BUTTON', 'A', 'SUMMARY'].includes(target.tagName);
}

/** Space runs the loop: start when idle (the current tab's Start), pause when running, resume when paused. */
function toggleRun(): void {
  const { state } = store.get().train;
  if (state === 'running') void pauseTraining();
  else if (state === 'paused') void resumeTraining();
  else {
    // the Start button knows the current tab's config; pressing it keeps one path from key to run
    const start = document.querySelector<HTMLButtonElement>('[data-testid="start"]');
    if (start && !start.disabled) start.click();
  }
}

/** Page-wide keyboard shortcuts and the "?" overlay that lists them. */
export function Shortcuts() {
  const [open, setOpen] = useState(false);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return;
      if (e.key === 'Escape') return setOpen(false);
      if (ownsKeys(e.target)) return;
      if (e.key === '?') {
        e.preventDefault();
        setOpen((o) => !o);
      } else if (e.key === ' ') {
        e.preventDefault();
        toggleRun();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
  if (!open) return null;
  return (
    <div className="shortcuts-backdrop" onClick={() => setOpen(false)}>
      <div
        className="shortcuts panel"
        role="dialog"
        aria-modal="true"
        aria-labelledby="shortcuts-title"
        data-testid="shortcuts"
        onClick={(e) => e.stopPropagation()}
      >
        <h2 id="shortcuts-title">Keyboard shortcuts</h2>
        <table>
          <tbody>
            {SHORTCUTS.map((s) => (
              <tr key={s.keys}>
                <th scope="row">
                  <kbd>{s.keys}</kbd>
                </th>
                <td>{s.does}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <button type="button" autoFocus onClick={() => setOpen(false)}>
          Close
        </button>
      </div>
    </div>
  );
}
