import * as tf from '@tensorflow/tfjs';
import { TrainConfig, validateTrainConfig } from '../config/train';
import { cosineLearningRate, makeOptimizer, setLearningRate } from './optimizers';
import type { EpochPoint, Progress, StepPoint, TrainEvent, TrainResult } from '../config/events';
import { ActiveClock, countedRandom, StepReader } from './stepReader';

export class TrainConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join(' '));
    this.name = 'TrainConfigError';
  }
}

/** Where a run starts and what it saves; a plain run needs none of it. */
export interface TrainerHooks {
  /** Go on from a checkpoint: its step (an epoch boundary), random position, active seconds and optimizer state. */
  resumeFrom?: { step: number; randomCalls: number; seconds: number; restoreOptimizer(optimizer: tf.Optimizer): Promise<void> };
  /** Awaited before the first step of a fresh run and after every epoch, with the live optimizer. */
  checkpoint?(at: { step: number; epoch: number; randomCalls: number; seconds: number; optimizer: tf.Optimizer }): Promise<void>;
}

/** Watches a run's steps from outside (training health): wraps each step and hears of each epoch's end. */
export interface StepMonitor {
  /** Runs step number `step` (1-based over the run) by calling `work`, and returns what it returns. */
  around<T>(step: number, work: () => T): T;
  epochEnd(step: number, epoch: number): void;
  /** Settles once its reads in flight have landed (awaited before each validation, so epochs count the same tensors). */
  settle(): Promise<void>;
}

/** Lets queued messages (pause, stop) in: a macrotask, unlike an awaited promise. */
const macrotask = () => new Promise<void>((r) => setTimeout(r, 0));

/**
 * What one kind of model contributes to the shared step loop: its batches, its loss and its validation.
 * The loop owns the optimizer, the schedule, pause/stop, metric read-back and events.
 */
export interface TrainTask {
  readonly stepsPerEpoch: number;
  /** Examples per step (samples for images, predicted characters for text): the unit of the speed figure. */
  readonly itemsPerStep: number;
  /** Called before each epoch with the run's seeded random source. */
  beginEpoch(random: () => number): void;
  /** One update; returns the step's loss and accuracy as scalars still on the device. */
  step(optimizer: tf.Optimizer, indexInEpoch: number): [tf.Scalar, tf.Scalar];
  /** Validation loss and accuracy after an epoch, or null when there is no validation set. */
  validate(): Promise<{ loss: number; accuracy: number } | null>;
  /** After validation: anything extra to report (a text sample, say). */
  afterEpoch?(step: number, emit: (e: TrainEvent) => void): Promise<void>;
  /** The task's own optimizer (its own update rule and schedule), used and checkpointed instead of the config's. */
  readonly optimizer?: tf.Optimizer;
}

/**
 * The step loop. Data stays on the device and batches are gathered there; losses stay on the device too and
 * are read back asynchronously every `metricsEvery` steps, one read in flight while the next steps run.
 */
export class Trainer {
  private stopRequested = false;
  private pauseRequested = false;
  private resumeWaiter: (() => void) | null = null;
  /** Set by whoever runs the trainer (the workspace, for recorded runs) before run(). */
  monitor: StepMonitor | null = null;

  constructor(
    private readonly task: TrainTask,
    private readonly config: TrainConfig,
    private readonly emit: (e: TrainEvent) => void,
    private readonly hooks: TrainerHooks = {},
  ) {
    const problems = validateTrainConfig(config);
    if (problems.length) throw new TrainConfigError(problems);
  }

  pause(): void {
    this.pauseRequested = true;
  }

  resume(): void {
    this.pauseRequested = false;
    this.resumeWaiter?.();
    this.resumeWaiter = null;
  }

  stop(): void {
    this.stopRequested = true;
    this.resume();
  }

  async run(): Promise<TrainResult> {
    const { task, config } = this;
    const optimizer = task.optimizer ?? makeOptimizer(config.optimizer, config.learningRate);
    const totalSteps = task.stepsPerEpoch * config.epochs;
    const resumeFrom = this.hooks.resumeFrom;
    const rng = countedRandom(config.seed, resumeFrom?.randomCalls ?? 0);
    const epochs: EpochPoint[] = [];
    const at = { step: resumeFrom?.step ?? 0 };
    const clock = new ActiveClock(resumeFrom?.seconds ?? 0);
    const reader = new StepReader(this.progressFrom(at.step, clock, totalSteps), this.emit);
    let fault: string | null = null;
    const checkpoint = (epoch: number) =>
      this.hooks.checkpoint?.({ step: at.step, epoch, randomCalls: rng.calls(), seconds: clock.ms() / 1000, optimizer });
    this.emit({ type: 'state', state: 'running' });
    try {
      if (resumeFrom) await resumeFrom.restoreOptimizer(optimizer);
      else await checkpoint(0);
      for (let epoch = Math.floor(at.step / task.stepsPerEpoch) + 1; epoch <= config.epochs && !this.stopRequested && !reader.failure; epoch++) {
        task.beginEpoch(rng.random);
        await this.runEpoch(epoch, at, optimizer, reader, clock, totalSteps);
        await reader.settle();
        if (this.stopRequested || reader.failure) break;
        // the monitor's reads land before validation (each epoch then counts the same tensors); a lost device's never do
        if (this.monitor) await Promise.race([this.monitor.settle(), new Promise<void>((r) => setTimeout(r, 1000))]);
        epochs.push(await this.validate(at.step, epoch, clock));
        await task.afterEpoch?.(at.step, this.emit);
        await checkpoint(epoch);
        this.monitor?.epochEnd(at.step, epoch);
        await macrotask();
      }
      await reader.settle();
    } catch (e) {
      fault = `Training failed on the ${tf.getBackend()} backend at step ${at.step}: ${(e as Error).message}. Switch backend and start again.`;
    } finally {
      reader.dispose();
      optimizer.dispose();
    }
    const seconds = clock.ms() / 1000;
    const failure = fault ?? reader.failure;
    if (failure) return { reason: 'failed', steps: at.step, epochs, seconds, error: failure, ...(fault ? { backendFault: true } : {}) };
    return { reason: this.stopRequested ? 'stopped' : 'finished', steps: at.step, epochs, seconds };
  }

  /** The progress a batch of read-back steps reports: speed over this session of the run, and time left. */
  private progressFrom(startStep: number, clock: ActiveClock, totalSteps: number): (last: StepPoint) => Progress {
    const { config, task } = this;
    return (last) => {
      const rate = ((last.step - startStep) * task.itemsPerStep) / (Math.max(clock.ms() - clock.startMs, 1) / 1000);
      return {
        epoch: last.epoch,
        epochs: config.epochs,
        step: last.step,
        stepsPerEpoch: task.stepsPerEpoch,
        totalSteps,
        samplesPerSec: rate,
        etaSec: ((totalSteps - last.step) * task.itemsPerStep) / Math.max(rate, 1e-9),
      };
    };
  }

  /** One epoch's steps; `at.step` counts them as they run (a failing step reports where it failed). */
  private async runEpoch(
    epoch: number,
    at: { step: number },
    optimizer: tf.Optimizer,
    reader: StepReader,
    clock: ActiveClock,
    totalSteps: number,
  ): Promise<void> {
    const { task, config } = this;
    for (let s = 0; s < task.stepsPerEpoch; s++) {
      if (this.pauseRequested) await this.waitWhilePaused(reader, clock);
      if (this.stopRequested || reader.failure) break;
      if (config.lrSchedule === 'cosine') setLearningRate(optimizer, cosineLearningRate(config.learningRate, at.step, totalSteps));
      const monitor = this.monitor;
      const [loss, acc] = monitor ? monitor.around(at.step + 1, () => task.step(optimizer, s)) : task.step(optimizer, s);
      at.step++;
      reader.push({ step: at.step, epoch, loss, acc });
      if (reader.size >= config.metricsEvery) {
        await reader.flush();
        await macrotask();
      }
    }
  }

  private async waitWhilePaused(reader: StepReader, clock: ActiveClock): Promise<void> {
    await reader.settle();
    clock.pause();
    this.emit({ type: 'state', state: 'paused' });
    // stop() or resume() may have come while the last read was in flight: then there is nothing to wait for
    await new Promise<void>((r) => (this.stopRequested || !this.pauseRequested ? r() : (this.resumeWaiter = r)));
    clock.resume();
    if (!this.stopRequested) this.emit({ type: 'state', state: 'running' });
  }

  /** The validation after an epoch, emitted as its point. */
  private async validate(step: number, epoch: number, clock: ActiveClock): Promise<EpochPoint> {
    const val = (await this.task.validate()) ?? { loss: NaN, accuracy: NaN };
    const point: EpochPoint = {
      step,
      epoch,
      valLoss: val.loss,
      valAccuracy: val.accuracy,
      seconds: clock.ms() / 1000,
      numTensors: tf.memory().numTensors,
    };
    this.emit({ type: 'epoch', point });
    return point;
  }
}
