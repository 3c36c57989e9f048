import type * as tf from '@tensorflow/tfjs';
import { captureCheckpoint, Checkpoint, restoreOptimizer } from '../io/checkpoint';
import type { TrainerHooks } from '../train/trainer';
import type { EpochPoint, TrainEvent, TrainResult } from '../config/events';
import type { RunRecord } from '../config/runs';
import type { RunStore } from './runStore';

/** Says once per kind of storage trouble that runs are not being kept; training goes on regardless. */
type StorageWarning = (message: string) => void;

const isQuota = (e: unknown) => e instanceof Error && (e.name === 'QuotaExceededError' || /quota/i.test(e.message));

/**
 * Keeps one run in the store while it trains: its curves as the events pass, a checkpoint (weights, optimizer
 * state, random positions) before the first step and after every epoch, and how it ended. The last checkpoint
 * also stays in memory, so a lost GPU device can be recovered from even when storage fails.
 */
export class RunRecorder {
  lastCheckpoint: Checkpoint | null = null;
  private storageFailed = false;

  constructor(
    private readonly store: RunStore,
    readonly record: RunRecord,
    private readonly warn: StorageWarning,
    /** The run's summary figure after an epoch (its family's: validation accuracy, or nats per character). */
    private readonly metric: (point: EpochPoint) => { name: string; value: number },
  ) {}

  /** The event stream the trainer writes to: recorded here, then passed on to the page. */
  listen(onEvent: (e: TrainEvent) => void): (e: TrainEvent) => void {
    return (e) => {
      if (e.type === 'steps') {
        this.record.steps.push(...e.points);
        this.record.step = e.progress.step;
      } else if (e.type === 'epoch') {
        this.record.epochs.push(e.point);
        const metric = this.metric(e.point);
        if (Number.isFinite(metric.value)) this.record.metric = metric;
      }
      onEvent(e);
    };
  }

  /** Checkpoints for the trainer, resuming from `from` when given. */
  hooks(model: tf.LayersModel, from: Checkpoint | null): TrainerHooks {
    return {
      resumeFrom: from
        ? { step: from.step, randomCalls: from.randomCalls, seconds: from.seconds, restoreOptimizer: (o) => restoreOptimizer(o, from) }
        : undefined,
      checkpoint: async ({ optimizer, ...at }) => {
        // a device lost mid-read makes the capture fail: the previous checkpoint then stays the one to go back to
        const cp = await captureCheckpoint(model, optimizer, at).catch(() => null);
        if (!cp) return;
        this.lastCheckpoint = cp;
        this.record.checkpointStep = cp.step;
        this.record.updatedAt = new Date().toISOString();
        await this.save(cp);
      },
    };
  }

  /** Drops curve points after a checkpoint the run goes back to (a backend fault or a resume). */
  rewind(step: number): void {
    this.record.steps = this.record.steps.filter((p) => p.step <= step);
    this.record.epochs = this.record.epochs.filter((p) => p.step <= step);
    this.record.step = step;
  }

  setBackend(name: string): void {
    this.record.backend = name;
  }

  /** Stores a new run under the next version number (a resumed one keeps its own). */
  async start(): Promise<void> {
    this.record.status = 'running';
    if (!this.record.version) this.record.version = await this.store.nextVersion().catch(() => 1);
    await this.save(null);
  }

  async finish(result: TrainResult): Promise<void> {
    this.record.status = result.reason;
    this.record.error = result.error ?? null;
    this.record.updatedAt = new Date().toISOString();
    await this.save(null);
  }

  private async save(cp: Checkpoint | null): Promise<void> {
    if (this.storageFailed) return;
    try {
      if (cp) await this.store.putCheckpoint(this.record.id, cp);
      await this.store.put(this.record);
    } catch (e) {
      this.storageFailed = true;
      const why = isQuota(e) ? 'the browser storage for this page is full' : `storing failed (${e instanceof Error ? e.message : String(e)})`;
      this.warn(
        `Run "${this.record.name}" is no longer being saved: ${why}. Training goes on; delete old runs in the Runs panel to make room for the next one.`,
      );
    }
  }
}
