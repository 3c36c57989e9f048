import type { TrainEvent, TrainResult } from '../config/events';
import type { ExportFile } from '../config/results';
import type { NamedBytes } from '../config/data';
import type { ImportedRun, RunRecord, RunSummary, StorageStatus } from '../config/runs';
import type { RunKeeper } from '../runs/runKeeper';
import type { Workspace } from './workspace';

/** Runs: history, reopening a run's checkpoint, resuming after a reload, export (see runs/runKeeper.ts). */
export class RunService {
  constructor(private readonly ws: Workspace) {}

  private get keeper(): RunKeeper {
    return this.ws.keeper;
  }

  async storageStatus(): Promise<StorageStatus> {
    return this.keeper.storage;
  }

  /** Stored runs, newest first; a 'running' one not training here is listed as elsewhere (another tab) or interrupted. */
  async listRuns(): Promise<RunSummary[]> {
    return this.keeper.list();
  }

  async whenRunFree(id: string): Promise<void> {
    return this.keeper.whenFree(id);
  }

  async getRun(id: string): Promise<RunRecord> {
    return (await this.keeper.get(id)).record;
  }

  /** A run's settings and curves, and its last checkpoint's weights loaded as the page's current model. */
  async openRun(id: string): Promise<RunRecord> {
    return this.ws.exclusive('opening a run', () => this.keeper.open(id));
  }

  async renameRun(id: string, name: string): Promise<RunSummary> {
    return this.keeper.rename(id, name);
  }

  async deleteRun(id: string): Promise<void> {
    return this.keeper.delete(id);
  }

  /** The run as files: its record (settings, curves) as JSON and its last checkpoint as a layers-format model. */
  async exportRun(id: string): Promise<ExportFile[]> {
    return this.keeper.export(id);
  }

  /** Adds an exported run (its .run.json with its checkpoint files, or one .zip) as a new version; resume or open it after. */
  async importRun(files: NamedBytes[]): Promise<ImportedRun> {
    return this.ws.exclusive('importing a run', () => this.keeper.importRun(files), {
      whileTraining: 'Wait for training to finish (or stop it) before importing a run.',
    });
  }

  /** Goes on with an interrupted run from its last checkpoint: same weights, optimizer state, step and curves. */
  async resumeRun(id: string, onEvent: (e: TrainEvent) => void): Promise<TrainResult> {
    // nothing else starts while the run is rebuilt
    const resumed = await this.ws.exclusive('resuming a run', () => this.keeper.prepareResume(id, onEvent), {
      whileTraining: 'Training is already running; stop it first.',
      whileGenerating: 'Stop generating text before training.',
    });
    if (resumed.record.text) this.ws.textTrain = resumed.record.text;
    return this.ws.runTrainer(resumed.trainer, resumed.run);
  }
}
