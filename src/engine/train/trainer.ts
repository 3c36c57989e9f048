import * as tf from '@tensorflow/tfjs';
import { mulberry32 } from '../data/random';
import { TrainConfig, validateTrainConfig } from '../config/train';
import { cosineLearningRate, makeOptimizer, setLearningRate } from './optimizers';
import type { EpochPoint, TrainEvent, TrainResult } from '../config/events';

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
}

/**
 * The step loop. Data stays on the device and batches are gathered there; losses stay on the device too and
 * are read back asynchronously every `metricsEvery` steps, one read in flight while the next steps run.
 */
export class Trainer {
  private stopRequested = false;
  private pauseRequested = false;
  private resumeWaiter: (() => void) | null = null;

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
    const optimizer = makeOptimizer(config.optimizer, config.learningRate);
    const { stepsPerEpoch, itemsPerStep } = task;
    const totalSteps = stepsPerEpoch * config.epochs;
    // the seeded stream counts its draws, so a checkpoint can say where a resumed run picks it up
    const seeded = mulberry32(config.seed);
    const resumeFrom = this.hooks.resumeFrom;
    let randomCalls = resumeFrom?.randomCalls ?? 0;
    for (let i = 0; i < randomCalls; i++) seeded();
    const random = () => {
      randomCalls++;
      return seeded();
    };
    const epochs: EpochPoint[] = [];
    let step = resumeFrom?.step ?? 0;
    let activeMs = (resumeFrom?.seconds ?? 0) * 1000;
    let sinceMark = performance.now();
    let pending: { step: number; epoch: number; loss: tf.Scalar; acc: tf.Scalar }[] = [];
    let inFlight: Promise<void> = Promise.resolve();
    let failure: string | null = null;
    let backendFault = false;

    const elapsedMs = () => activeMs + (performance.now() - sinceMark);
    const flush = async (): Promise<void> => {
      const batchOf = pending;
      pending = [];
      await inFlight;
      if (batchOf.length === 0) return;
      const stacked = tf.tidy(() => tf.stack([tf.stack(batchOf.map((p) => p.loss)), tf.stack(batchOf.map((p) => p.acc))]));
      tf.dispose(batchOf.flatMap((p) => [p.loss, p.acc]));
      inFlight = stacked.data().then((values) => {
        stacked.dispose();
        const k = batchOf.length;
        const points = batchOf.map((p, i) => ({ step: p.step, epoch: p.epoch, loss: values[i], accuracy: values[k + i] }));
        const bad = points.find((p) => !Number.isFinite(p.loss));
        if (bad && !failure) {
          failure = `The loss became ${bad.loss} at step ${bad.step}. Training stopped; lower the learning rate or the weight penalty and start again.`;
        }
        const last = points[points.length - 1];
        const ms = elapsedMs();
        const rate = ((last.step - startStep) * itemsPerStep) / (Math.max(ms - startMs, 1) / 1000);
        this.emit({
          type: 'steps',
          points,
          progress: {
            epoch: last.epoch,
            epochs: config.epochs,
            step: last.step,
            stepsPerEpoch,
            totalSteps,
            samplesPerSec: rate,
            etaSec: ((totalSteps - last.step) * itemsPerStep) / Math.max(rate, 1e-9),
          },
        });
      });
    };

    const startStep = step;
    const startMs = activeMs;
    const checkpoint = (epoch: number) => this.hooks.checkpoint?.({ step, epoch, randomCalls, seconds: elapsedMs() / 1000, optimizer });
    this.emit({ type: 'state', state: 'running' });
    try {
      if (resumeFrom) await resumeFrom.restoreOptimizer(optimizer);
      else await checkpoint(0);
      // oxlint-disable-next-line no-unmodified-loop-condition -- failure is set by the read callbacks between steps
      for (let epoch = Math.floor(step / stepsPerEpoch) + 1; epoch <= config.epochs && !this.stopRequested && !failure; epoch++) {
        task.beginEpoch(random);
        for (let s = 0; s < stepsPerEpoch; s++) {
          if (this.pauseRequested) {
            await flush();
            await inFlight;
            activeMs += performance.now() - sinceMark;
            this.emit({ type: 'state', state: 'paused' });
            // stop() or resume() may have come while the last read was in flight: then there is nothing to wait for
            await new Promise<void>((r) => (this.stopRequested || !this.pauseRequested ? r() : (this.resumeWaiter = r)));
            sinceMark = performance.now();
            if (!this.stopRequested) this.emit({ type: 'state', state: 'running' });
          }
          if (this.stopRequested || failure) break;
          if (config.lrSchedule === 'cosine') setLearningRate(optimizer, cosineLearningRate(config.learningRate, step, totalSteps));
          const [loss, acc] = task.step(optimizer, s);
          step++;
          pending.push({ step, epoch, loss, acc });
          if (pending.length >= config.metricsEvery) {
            await flush();
            await macrotask();
          }
        }
        await flush();
        await inFlight;
        if (this.stopRequested || failure) break;
        const val = (await task.validate()) ?? { loss: NaN, accuracy: NaN };
        const point: EpochPoint = {
          step,
          epoch,
          valLoss: val.loss,
          valAccuracy: val.accuracy,
          seconds: elapsedMs() / 1000,
          numTensors: tf.memory().numTensors,
        };
        epochs.push(point);
        this.emit({ type: 'epoch', point });
        await task.afterEpoch?.(step, this.emit);
        await checkpoint(epoch);
        await macrotask();
      }
      await flush();
      await inFlight;
    } catch (e) {
      backendFault = true;
      failure = `Training failed on the ${tf.getBackend()} backend at step ${step}: ${(e as Error).message}. Switch backend and start again.`;
    } finally {
      tf.dispose(pending.flatMap((p) => [p.loss, p.acc]));
      optimizer.dispose();
    }
    const seconds = elapsedMs() / 1000;
    if (failure) return { reason: 'failed', steps: step, epochs, seconds, error: failure, ...(backendFault ? { backendFault } : {}) };
    return { reason: this.stopRequested ? 'stopped' : 'finished', steps: step, epochs, seconds };
  }
}
