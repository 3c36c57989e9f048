import * as tf from '@tensorflow/tfjs';
import type { Notice } from '../config/api';
import { BACKEND_ORDER, BackendName } from '../config/backends';
import type { ExportFile } from '../config/results';
import type { TrainConfig } from '../config/train';
import { TrainEvent, TrainResult } from '../config/events';
import type { NamedBytes } from '../config/data';
import { familyName, ImportedRun, RunRecord, RunSummary, StorageStatus } from '../config/runs';
import { trySetBackend } from '../backend/backends';
import { restoreWeights } from '../io/checkpoint';
import { Trainer } from '../train/trainer';
import { runExportFiles } from './exportRun';
import { readRunImport } from './importRun';
import type { RunPlan } from './plan';
import { RunRecorder } from './recorder';
import { browserLocks, listedStatus, RunLocks } from './runLocks';
import { KeyValue, MemoryKeyValue, openRunStore, RunStore } from './runStore';

/** A recorded run while it trains: how to rebuild it elsewhere, and where its events go. */
export interface ActiveRun {
  recorder: RunRecorder;
  plan: RunPlan;
  config: TrainConfig;
  onEvent: (e: TrainEvent) => void;
  model: tf.LayersModel;
}

/** What the keeper needs from the engine: rebuilding a run's model (through its family), notices, the trainer slot. */
interface KeeperHost {
  /** How to rebuild a stored run's model and task (its family's plan over the loaded data). */
  plan(record: RunRecord): RunPlan;
  notify(n: Notice): void;
  /** Registers the running trainer of `run`, so pause, resume and stop reach it (null: none runs). */
  setTrainer(trainer: Trainer | null, run?: ActiveRun): void;
  /** The active backend changed under a run: drop the data's copies on the old one, watch the new device. */
  backendChanged(): void;
  /** Why the run cannot go on with the data loaded now (other data, none), or null. */
  dataProblem(record: RunRecord): string | null;
}

type NewRunFields = Pick<RunRecord, 'task' | 'modelKind' | 'model' | 'topology' | 'train' | 'text' | 'vocab' | 'dataset' | 'totalSteps'>;

const elsewhere = (what: string) => `This run is training in another tab of this browser; ${what}.`;
const ELSEWHERE = elsewhere('resume it here once that tab stops it or closes');

const runId = () => `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;

/** The trainer's failure message as a cause: 'a kernel failed at step N (reason)'. */
function kernelFailure(error: string | undefined): string {
  const m = /at step (\d+): (.*?)\.* Switch backend and start again\.$/s.exec(error ?? '');
  return m ? `a kernel failed at step ${m[1]} (${m[2]})` : (error ?? 'a kernel failed');
}

/**
 * Keeps every run (IndexedDB, else memory), supervises the one training now, and takes a run whose backend
 * fails (a lost device, a kernel error) to the next backend from its last checkpoint.
 */
export class RunKeeper {
  private store = new RunStore(new MemoryKeyValue(), new MemoryKeyValue());
  storage: StorageStatus = { persistent: false, problem: null };
  private activeRunId: string | null = null;
  /** The record the running recorder writes: a rename must reach it, or its next save would undo the rename. */
  private activeRecord: RunRecord | null = null;
  /** Which runs train in some tab now (Web Locks; none in Node). */
  locks: RunLocks = browserLocks();
  /** Why the running trainer was stopped by the backend (a lost device): the run then goes on elsewhere. */
  private fault: string | null = null;
  /** Settles with the reason when the current WebGPU device is lost. */
  private deviceLost: Promise<string> | null = null;

  constructor(private readonly host: KeeperHost) {}

  async openStore(keepRuns: boolean, makeKeyValue?: (name: string) => KeyValue): Promise<void> {
    const opened = keepRuns ? await openRunStore(makeKeyValue) : null;
    this.store = opened?.store ?? this.store;
    this.storage = opened?.status ?? { persistent: false, problem: 'keeping runs is turned off for this page (?storage=off)' };
  }

  /** A lost device stops the recorded run training on it, which then goes on elsewhere (stopped: true). */
  watchDevice(lost: Promise<{ message: string; reason?: string }>, running: () => Trainer | null): Promise<{ stopped: boolean; why: string }> {
    this.deviceLost = lost.then((info) => `the GPU device was lost (${info.message || info.reason || 'no reason given'})`);
    return this.deviceLost.then((why) => {
      const trainer = running();
      if (!trainer || !this.activeRunId) return { stopped: false, why };
      this.fault = why;
      trainer.stop();
      return { stopped: true, why };
    });
  }

  newRun(fields: NewRunFields): RunRecorder {
    const now = new Date().toISOString();
    const label = `${familyName(fields.modelKind)} on ${fields.dataset.name}`;
    const record: RunRecord = {
      id: runId(),
      version: 0,
      name: label,
      createdAt: now,
      updatedAt: now,
      status: 'running',
      step: 0,
      checkpointStep: null,
      metric: null,
      backend: tf.getBackend(),
      error: null,
      steps: [],
      epochs: [],
      ...fields,
    };
    return this.recorderFor(record);
  }

  activeRun(recorder: RunRecorder, model: tf.LayersModel, config: TrainConfig, onEvent: (e: TrainEvent) => void): ActiveRun {
    return { recorder, plan: this.host.plan(recorder.record), config, onEvent, model };
  }

  private recorderFor(record: RunRecord): RunRecorder {
    const plan = this.host.plan(record);
    return new RunRecorder(
      this.store,
      record,
      (message) => this.host.notify({ level: 'error', message }),
      (point) => plan.metric(point),
    );
  }

  /**
   * Runs a recorded run to its end. A backend fault takes it to the next backend from its last checkpoint; any
   * other failure (a NaN loss) puts the model back to its last good checkpoint.
   */
  async run(trainer: Trainer, run: ActiveRun): Promise<TrainResult> {
    // registered at once (before any await), so a second start in this tab is refused
    this.host.setTrainer(trainer, run);
    this.activeRunId = run.recorder.record.id;
    this.activeRecord = run.recorder.record;
    let release: (() => void) | null = null;
    try {
      // held before the run is stored as running, so no other tab ever lists it as interrupted meanwhile
      release = await this.locks.acquire(run.recorder.record.id);
      if (!release) throw new Error(ELSEWHERE);
      await run.recorder.start();
      let result = await trainer.run();
      for (let tries = 0; (this.fault || result.backendFault) && tries < BACKEND_ORDER.length; tries++) {
        const why = this.fault ?? (await this.lossReason()) ?? kernelFailure(result.error);
        this.fault = null;
        const next = await this.continueElsewhere(run, why);
        if (!next) {
          result = {
            ...result,
            reason: 'failed',
            error: `${why}. No other backend could take over; reload the page to resume this run from its last checkpoint.`,
          };
          break;
        }
        this.host.setTrainer(next, run);
        result = await next.run();
      }
      const good = run.recorder.lastCheckpoint;
      if (result.reason === 'failed' && !result.backendFault && good) {
        restoreWeights(run.model, good);
        result = { ...result, error: `${result.error} The model is back at its last good checkpoint (step ${good.step}), kept in the Runs panel.` };
      }
      await run.recorder.finish(result);
      return result;
    } finally {
      this.host.setTrainer(null);
      this.activeRunId = null;
      this.activeRecord = null;
      this.fault = null;
      release?.();
    }
  }

  /** A read from a lost device can fail before device.lost settles: wait a moment to name the real cause. */
  private async lossReason(): Promise<string | null> {
    if (!this.deviceLost || tf.getBackend() !== 'webgpu') return null;
    return Promise.race([this.deviceLost, new Promise<null>((r) => setTimeout(() => r(null), 3000))]);
  }

  /** Moves a faulted run to the next backend that starts and restores its last checkpoint there; null if none can. */
  private async continueElsewhere(run: ActiveRun, why: string): Promise<Trainer | null> {
    const cp = run.recorder.lastCheckpoint;
    if (!cp) return null;
    const from = tf.getBackend() as BackendName;
    let to: BackendName | null = null;
    for (const b of BACKEND_ORDER.slice(BACKEND_ORDER.indexOf(from) + 1)) {
      if ((await trySetBackend(b)) === null) {
        to = b;
        break;
      }
    }
    if (!to) return null;
    this.host.backendChanged();
    const model = await run.plan.makeModel();
    restoreWeights(model, cp);
    const task = run.plan.makeTask(model);
    run.plan.adopt(model);
    run.model = model;
    run.recorder.rewind(cp.step);
    run.recorder.setBackend(to);
    const message = `Training paused on ${from}: ${why}. It goes on on ${to} from the last checkpoint (step ${cp.step}); nothing trained before that step is lost.`;
    this.host.notify({ level: 'error', message });
    run.onEvent({ type: 'rewind', step: cp.step, backend: to, message });
    return new Trainer(task, run.config, run.recorder.listen(run.onEvent), run.recorder.hooks(model, cp));
  }

  // ---- the Runs panel's operations ----

  /** Stored runs, newest first; a 'running' one not training here trains in another tab or was interrupted. */
  async list(): Promise<RunSummary[]> {
    const [runs, held] = await Promise.all([this.store.list(), this.locks.held()]);
    return runs.map((r) => ({ ...r, status: listedStatus(r.status, r.id === this.activeRunId, held?.has(r.id) ?? false) }));
  }

  /** Settles once no tab trains the run (its lock is free): the page then lists it again. */
  whenFree(id: string): Promise<void> {
    return this.locks.whenFree(id);
  }

  /** True when another tab trains the run now. */
  private async trainsElsewhere(id: string): Promise<boolean> {
    return id !== this.activeRunId && ((await this.locks.held())?.has(id) ?? false);
  }

  async get(id: string) {
    const record = await this.store.get(id);
    if (!record) throw new Error('This run is no longer stored (deleted in another tab?); reload the list.');
    return { record, cp: await this.store.checkpoint(id) };
  }

  /** Makes the run's last checkpoint the page's current model; returns its settings and curves. */
  async open(id: string): Promise<RunRecord> {
    const { record, cp } = await this.get(id);
    if (!cp) return record;
    const plan = this.host.plan(record);
    const model = await plan.makeModel();
    try {
      restoreWeights(model, cp);
    } catch (e) {
      model.dispose();
      throw e;
    }
    plan.adopt(model);
    return record;
  }

  async rename(id: string, name: string): Promise<RunSummary> {
    if (await this.trainsElsewhere(id)) throw new Error(elsewhere('rename it there, or here once it ends'));
    const renamed = await this.store.rename(id, name);
    if (this.activeRecord?.id === id) this.activeRecord.name = renamed.name;
    return renamed;
  }

  async delete(id: string): Promise<void> {
    if (id === this.activeRunId) throw new Error('This run is training; stop it before deleting it.');
    if (await this.trainsElsewhere(id)) throw new Error(elsewhere('stop it there (or close that tab) before deleting it'));
    await this.store.delete(id);
  }

  async export(id: string): Promise<ExportFile[]> {
    const { record, cp } = await this.get(id);
    return runExportFiles(record, cp, this.host.plan(record));
  }

  /** A run exported by this page (its .run.json and checkpoint files, or one .zip) stored here under the next version. */
  async importRun(files: NamedBytes[]): Promise<ImportedRun> {
    const { record, cp, note } = await readRunImport(files, (r) => this.host.plan(r), runId(), await this.store.nextVersion());
    if (cp) await this.store.putCheckpoint(record.id, cp);
    await this.store.put(record);
    const run = (await this.list()).find((r) => r.id === record.id)!;
    return { run, note };
  }

  /** A trainer that goes on from the run's last checkpoint: same weights, optimizer state, step and curves. */
  async prepareResume(id: string, onEvent: (e: TrainEvent) => void): Promise<{ trainer: Trainer; run: ActiveRun; record: RunRecord }> {
    if (await this.trainsElsewhere(id)) throw new Error(ELSEWHERE);
    const { record, cp } = await this.get(id);
    if (!cp) throw new Error('This run stopped before its first checkpoint was saved; start it again.');
    const problem = this.host.dataProblem(record);
    if (problem) throw new Error(problem);
    const plan = this.host.plan(record);
    const model = await plan.makeModel();
    let task;
    try {
      restoreWeights(model, cp);
      task = plan.makeTask(model);
    } catch (e) {
      model.dispose();
      throw e;
    }
    plan.adopt(model);
    const recorder = this.recorderFor(record);
    recorder.lastCheckpoint = cp;
    recorder.rewind(cp.step);
    recorder.setBackend(tf.getBackend());
    const trainer = new Trainer(task, record.train, recorder.listen(onEvent), recorder.hooks(model, cp));
    return { trainer, run: { recorder, plan, config: record.train, onEvent, model }, record };
  }
}
