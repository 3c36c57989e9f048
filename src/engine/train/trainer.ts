import * as tf from '@tensorflow/tfjs';
import { mulberry32, shuffledIndices } from '../data/random';
import { TrainConfig, validateTrainConfig } from './config';
import { cosineLearningRate, makeOptimizer, setLearningRate } from './optimizers';
import { accuracy, crossEntropy, DeviceSet, evaluateSet, sumTensors } from './deviceData';

export interface StepPoint {
  step: number;
  epoch: number;
  loss: number;
  accuracy: number;
}

export interface EpochPoint {
  step: number;
  epoch: number;
  valLoss: number;
  valAccuracy: number;
  seconds: number;
  numTensors: number;
}

export interface Progress {
  epoch: number;
  epochs: number;
  step: number;
  stepsPerEpoch: number;
  totalSteps: number;
  samplesPerSec: number;
  etaSec: number;
}

export type TrainEvent =
  | { type: 'steps'; points: StepPoint[]; progress: Progress }
  | { type: 'epoch'; point: EpochPoint }
  | { type: 'state'; state: 'running' | 'paused' };

export interface TrainResult {
  reason: 'finished' | 'stopped' | 'failed';
  steps: number;
  epochs: EpochPoint[];
  seconds: number;
  error?: string;
}

export class TrainConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join(' '));
    this.name = 'TrainConfigError';
  }
}

/** Lets queued messages (pause, stop) in: a macrotask, unlike an awaited promise. */
const macrotask = () => new Promise<void>((r) => setTimeout(r, 0));

/**
 * The step loop. Data stays on the device and batches are gathered there; losses stay on the device too and
 * are read back asynchronously every `metricsEvery` steps, one read in flight while the next steps run.
 */
export class Trainer {
  private stopRequested = false;
  private pauseRequested = false;
  private resumeWaiter: (() => void) | null = null;

  constructor(
    private readonly model: tf.LayersModel,
    private readonly train: DeviceSet,
    private readonly validation: DeviceSet | null,
    private readonly config: TrainConfig,
    private readonly emit: (e: TrainEvent) => void,
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
    const { model, config } = this;
    const optimizer = makeOptimizer(config.optimizer, config.learningRate);
    const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const kernels = model.trainableWeights.filter((w) => /kernel/.test(w.name)).map((w) => w.read());
    const n = config.trainLimit > 0 ? Math.min(config.trainLimit, this.train.count) : this.train.count;
    const batch = Math.min(config.batchSize, n);
    const stepsPerEpoch = Math.floor(n / batch); // the remainder is dropped: one batch shape, one compiled kernel set
    const totalSteps = stepsPerEpoch * config.epochs;
    const random = mulberry32(config.seed);
    const epochs: EpochPoint[] = [];
    let step = 0;
    let activeMs = 0;
    let sinceMark = performance.now();
    let pending: { step: number; epoch: number; loss: tf.Scalar; acc: tf.Scalar }[] = [];
    let inFlight: Promise<void> = Promise.resolve();
    let failure: string | null = null;

    const penalty = (): tf.Scalar | null => {
      if (!(config.l1 > 0 || config.l2 > 0) || kernels.length === 0) return null;
      // L1/L2 weight penalty on kernels: l1 * sum|w| + l2 * sum w^2
      return sumTensors(kernels.map((k) => tf.add(tf.mul(config.l1, tf.sum(tf.abs(k))), tf.mul(config.l2, tf.sum(tf.square(k)))))) as tf.Scalar;
    };

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
        const rate = (last.step * batch) / (ms / 1000);
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
            etaSec: ((totalSteps - last.step) * batch) / Math.max(rate, 1e-9),
          },
        });
      });
    };

    this.emit({ type: 'state', state: 'running' });
    try {
      for (let epoch = 1; epoch <= config.epochs && !this.stopRequested && !failure; epoch++) {
        const order = shuffledIndices(n, random);
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
          const indices = tf.tensor1d(order.subarray(s * batch, (s + 1) * batch), 'int32');
          const [loss, acc] = tf.tidy(() => {
            const xb = tf.gather(this.train.xs, indices);
            const lb = tf.gather(this.train.labels, indices);
            let stepAcc: tf.Scalar | null = null;
            const cost = optimizer.minimize(
              () => {
                const probs = model.apply(xb, { training: true }) as tf.Tensor;
                stepAcc = tf.keep(accuracy(probs, lb));
                const ce = crossEntropy(probs, lb);
                const reg = penalty();
                return reg ? ce.add(reg) : ce;
              },
              true,
              vars,
            ) as tf.Scalar;
            return [cost, stepAcc as unknown as tf.Scalar];
          });
          indices.dispose();
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
        const val = this.validation && this.validation.count > 0 ? await evaluateSet(model, this.validation) : { loss: NaN, accuracy: NaN };
        const point: EpochPoint = { step, epoch, valLoss: val.loss, valAccuracy: val.accuracy, seconds: elapsedMs() / 1000, numTensors: tf.memory().numTensors };
        epochs.push(point);
        this.emit({ type: 'epoch', point });
        await macrotask();
      }
      await flush();
      await inFlight;
    } catch (e) {
      failure = `Training failed on the ${tf.getBackend()} backend at step ${step}: ${(e as Error).message}. Switch backend and start again.`;
    } finally {
      tf.dispose(pending.flatMap((p) => [p.loss, p.acc]));
      optimizer.dispose();
    }
    const seconds = elapsedMs() / 1000;
    if (failure) return { reason: 'failed', steps: step, epochs, seconds, error: failure };
    return { reason: this.stopRequested ? 'stopped' : 'finished', steps: step, epochs, seconds };
  }
}
