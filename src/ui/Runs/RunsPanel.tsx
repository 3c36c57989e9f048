import { useEffect, useState } from 'react';
import type { RunSummary } from '../../engine/config/runs';
import { ErrorText, Panel } from '../common/Field';
import {
  deleteRun,
  dismissOffer,
  exportRun,
  importRun,
  MAX_OVERLAY,
  openRun,
  refreshRuns,
  renameRun,
  resumeRun,
  startRename,
  toggleOverlay,
} from '../store/runsActions';
import { useStore } from '../store/store';
import { RunsOverlay } from '../common/lazyCharts';

const formatMetric = (r: RunSummary) =>
  !r.metric ? '–' : r.task === 'images' ? `${(r.metric.value * 100).toFixed(2)} %` : `${r.metric.value.toFixed(3)} nats/char`;

/** Interrupted (a reload, a crash), or stopped (here, or before an export) short of its end: it goes on from its checkpoint. */
const resumable = (r: RunSummary) =>
  r.checkpointStep !== null && (r.status === 'interrupted' || (r.status === 'stopped' && r.checkpointStep < r.totalSteps));

/** Import a run: its .run.json with its checkpoint files, or one .zip of them. */
function ImportRun({ busy }: { busy: boolean }) {
  return (
    <label className="field">
      <span>Import a run (NAME-vN.run.json with its .json and .weights.bin, or one .zip)</span>
      <input
        type="file"
        multiple
        accept=".json,.bin,.zip"
        data-testid="run-import"
        disabled={busy}
        onChange={(e) => {
          const files = [...(e.target.files ?? [])];
          e.target.value = '';
          if (files.length) void importRun(files);
        }}
      />
    </label>
  );
}

const STATUS_TEXT: Partial<Record<RunSummary['status'], string>> = { elsewhere: 'running in another tab' };

function RenameForm({ run }: { run: RunSummary }) {
  const [name, setName] = useState(run.name);
  return (
    <form
      className="row"
      onSubmit={(e) => {
        e.preventDefault();
        void renameRun(run.id, name);
      }}
    >
      <input aria-label="New name" value={name} maxLength={100} data-testid="rename-input" onChange={(e) => setName(e.target.value)} />
      <button type="submit" data-testid="rename-save">
        Save
      </button>
      <button type="button" onClick={() => startRename(null)}>
        Cancel
      </button>
    </form>
  );
}

function RunRow({ run, active }: { run: RunSummary; active: boolean }) {
  const { overlay, renaming, busy } = useStore((s) => s.runs);
  const compared = overlay.some((o) => o.id === run.id);
  // another tab trains it and keeps writing its record: renaming or deleting it here would be undone or break that run
  const elsewhere = run.status === 'elsewhere';
  return (
    <tr data-testid="run-row" data-version={run.version} data-status={run.status}>
      <td className="num">v{run.version}</td>
      <td>{renaming === run.id ? <RenameForm run={run} /> : <span data-testid="run-name">{run.name}</span>}</td>
      <td>{new Date(run.createdAt).toLocaleString()}</td>
      <td>{run.dataset.name}</td>
      <td data-testid="run-status">{STATUS_TEXT[run.status] ?? run.status}</td>
      <td className="num">
        {run.step.toLocaleString('en-US')}/{run.totalSteps.toLocaleString('en-US')}
      </td>
      <td className="num" data-testid="run-metric">
        {formatMetric(run)}
      </td>
      <td className="row">
        <label className="checkbox">
          <input
            type="checkbox"
            checked={compared}
            data-testid="run-compare"
            disabled={busy !== null || (!compared && overlay.length >= MAX_OVERLAY)}
            onChange={() => void toggleOverlay(run)}
          />
          compare
        </label>
        <button type="button" disabled={active || busy !== null} data-testid="run-open" onClick={() => void openRun(run.id)}>
          Open
        </button>
        {resumable(run) && (
          <button type="button" disabled={active} data-testid="run-resume" onClick={() => void resumeRun(run.id)}>
            Resume
          </button>
        )}
        <button type="button" disabled={busy !== null || elsewhere} onClick={() => startRename(run.id)}>
          Rename
        </button>
        <button type="button" disabled={busy !== null} data-testid="run-export" onClick={() => void exportRun(run.id)}>
          Export
        </button>
        <button
          type="button"
          disabled={busy !== null || elsewhere || (active && run.status === 'running')}
          data-testid="run-delete"
          onClick={() => void deleteRun(run.id)}
        >
          Delete
        </button>
      </td>
    </tr>
  );
}

/** An interrupted run's offer to resume, beside Start (not inside the Runs view), so it is seen when the page opens. */
export function ResumeOffer() {
  const offer = useStore((s) => s.runs.offer);
  const state = useStore((s) => s.train.state);
  if (!offer || state === 'running' || state === 'paused') return null;
  return (
    <div className="notice info" role="status" data-testid="resume-offer">
      <span>
        Run v{offer.version} "{offer.name}" was interrupted at step {offer.step.toLocaleString('en-US')} of {offer.totalSteps.toLocaleString('en-US')}
        . Resume it from its last checkpoint (step {offer.checkpointStep?.toLocaleString('en-US')})?
      </span>
      <span className="row">
        <button type="button" data-testid="resume-offered" onClick={() => void resumeRun(offer.id)}>
          Resume
        </button>
        <button type="button" onClick={dismissOffer}>
          Not now
        </button>
      </span>
    </div>
  );
}

/** Every training run, kept across reloads: reopen, compare, rename, delete, export, import, resume an interrupted one. */
export function RunsPanel() {
  const runs = useStore((s) => s.runs);
  const state = useStore((s) => s.train.state);
  const active = state === 'running' || state === 'paused';
  // the list follows the runs' lives: a new one appears when it starts, its figures when it ends
  useEffect(() => {
    void refreshRuns().catch(() => []);
    // oxlint-disable-next-line react/exhaustive-effect-dependencies -- state is the trigger, not an input
  }, [state]);
  const { storage } = runs;
  return (
    <Panel title="Runs" testId="runs-panel">
      <p className="muted" data-testid="runs-storage">
        {storage === null
          ? ''
          : storage.persistent
            ? 'Runs are saved in this browser (IndexedDB), with a checkpoint after every epoch.'
            : `Runs are kept only until this tab closes: ${storage.problem}.`}
      </p>
      {runs.list.length === 0 ? (
        <p className="muted">No runs yet: every run you start is listed here.</p>
      ) : (
        <table className="variants" data-testid="runs-table">
          <thead>
            <tr>
              <th>Version</th>
              <th>Name</th>
              <th>Started</th>
              <th>Dataset</th>
              <th>Status</th>
              <th>Steps</th>
              <th>Key metric</th>
              <th>Actions</th>
            </tr>
          </thead>
          <tbody>
            {runs.list.map((r) => (
              <RunRow key={r.id} run={r} active={active} />
            ))}
          </tbody>
        </table>
      )}
      <ImportRun busy={runs.busy !== null || active} />
      <ErrorText text={runs.error} testId="runs-error" />
      {runs.overlay.length > 0 && <RunsOverlay runs={runs.overlay} />}
    </Panel>
  );
}
