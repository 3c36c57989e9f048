import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeDataset, slice } from '../../../src/engine/data/images';
import { LabelledImages } from '../../../src/engine/data/idx';
import { buildModel } from '../../../src/engine/families/images/model';
import { MLP_PRESET, MlpConfig } from '../../../src/engine/config/imageModel';
import { DEFAULT_TRAIN, TrainConfig, validateTrainConfig } from '../../../src/engine/config/train';
import { EvaluationResult } from '../../../src/engine/config/results';
import { StepPoint, TrainEvent } from '../../../src/engine/config/events';
import { imageTask } from '../../../src/engine/families/images/task';
import { DeviceSet, disposeSet, evaluateSet, toDevice } from '../../../src/engine/train/deviceData';
import { evaluateModel } from '../../../src/engine/train/evaluate';
import { Trainer, TrainConfigError } from '../../../src/engine/train/trainer';
import { realMnist } from '../mnist';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Trains a fresh model and collects every event; disposes the model unless asked to keep it. */
async function train(
  set: DeviceSet,
  config: Partial<TrainConfig>,
  opts: { model?: MlpConfig; validation?: DeviceSet | null; onEvent?: (e: TrainEvent, t: Trainer) => void; keep?: boolean } = {},
) {
  const model = buildModel(opts.model ?? MLP_PRESET, config.seed ?? DEFAULT_TRAIN.seed);
  const events: TrainEvent[] = [];
  const full = { ...DEFAULT_TRAIN, ...config };
  const trainer: Trainer = new Trainer(imageTask(model, set, opts.validation ?? null, full), full, (e) => {
    events.push(e);
    opts.onEvent?.(e, trainer);
  });
  const result = await trainer.run();
  const points = events.flatMap((e) => (e.type === 'steps' ? e.points : []));
  if (!opts.keep) model.dispose();
  return { result, events, points, model };
}

const losses = (points: StepPoint[]) => points.map((p) => p.loss);
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('validateTrainConfig', () => {
  it('accepts the defaults', () => {
    expect(validateTrainConfig(DEFAULT_TRAIN)).toEqual([]);
  });

  it('explains each bad setting', () => {
    expect(validateTrainConfig({ ...DEFAULT_TRAIN, batchSize: 0 })).toEqual(['Batch size must be a whole number from 1 to 8192, got 0.']);
    expect(validateTrainConfig({ ...DEFAULT_TRAIN, learningRate: NaN })).toEqual(['Learning rate must be a number above 0 and at most 10, got NaN.']);
    expect(validateTrainConfig({ ...DEFAULT_TRAIN, learningRate: -0.01 })).toEqual([
      'Learning rate must be a number above 0 and at most 10, got -0.01.',
    ]);
    expect(validateTrainConfig({ ...DEFAULT_TRAIN, learningRate: 0 })).toHaveLength(1);
    expect(validateTrainConfig({ ...DEFAULT_TRAIN, learningRate: Infinity })).toHaveLength(1);
    expect(validateTrainConfig({ ...DEFAULT_TRAIN, learningRate: 10 })).toEqual([]);
    expect(validateTrainConfig({ ...DEFAULT_TRAIN, epochs: 0 })).toEqual(['Epochs must be a whole number from 1 to 1000, got 0.']);
    expect(validateTrainConfig({ ...DEFAULT_TRAIN, batchSize: 1.5 })[0]).toContain('Batch size');
    expect(validateTrainConfig({ ...DEFAULT_TRAIN, optimizer: 'lbfgs' as never })[0]).toBe(
      'Unknown optimizer "lbfgs"; choose one of sgd, momentum, adam, rmsprop.',
    );
    expect(validateTrainConfig({ ...DEFAULT_TRAIN, l2: -1 })[0]).toContain('L2 penalty');
    expect(validateTrainConfig({ ...DEFAULT_TRAIN, seed: -1 })[0]).toContain('Seed');
    expect(validateTrainConfig({ ...DEFAULT_TRAIN, metricsEvery: 0 })[0]).toContain('Metrics interval');
    expect(validateTrainConfig({ ...DEFAULT_TRAIN, trainLimit: -5 })[0]).toContain('Training subset');
  });

  it('lists every problem', () => {
    expect(validateTrainConfig({ ...DEFAULT_TRAIN, batchSize: 0, epochs: 0, learningRate: NaN })).toHaveLength(3);
  });

  it('the Trainer refuses a bad config with TrainConfigError', () => {
    const model = buildModel(MLP_PRESET, 0);
    const set = toDevice(slice(realMnist().train, 0, 10));
    let error: unknown;
    try {
      const bad = { ...DEFAULT_TRAIN, batchSize: 0, epochs: 0 };
      new Trainer(imageTask(model, set, null, bad), bad, () => {});
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TrainConfigError);
    expect((error as TrainConfigError).problems).toEqual([
      'Batch size must be a whole number from 1 to 8192, got 0.',
      'Epochs must be a whole number from 1 to 1000, got 0.',
    ]);
    expect((error as Error).message).toContain('Batch size must be');
    model.dispose();
    disposeSet(set);
  });
});

describe('MLP on 3000 real MNIST digits', () => {
  let before: number;
  let trainSet: DeviceSet, valSet: DeviceSet, testSet: DeviceSet;
  let testHost: LabelledImages;
  let run: Awaited<ReturnType<typeof train>>;
  let evaluation: EvaluationResult;
  const config = {
    optimizer: 'adam' as const,
    learningRate: 0.001,
    lrSchedule: 'constant' as const,
    batchSize: 64,
    epochs: 3,
    seed: 42,
    metricsEvery: 10,
  };
  const stepsPerEpoch = Math.floor(3000 / 64); // 46; the remainder batch is dropped

  beforeAll(async () => {
    await tf.setBackend('cpu');
    const { train: all, test } = realMnist();
    const d = makeDataset('mnist', slice(all, 0, 4000), test, 1000);
    testHost = d.test;
    before = tf.memory().numTensors;
    trainSet = toDevice(d.train);
    valSet = toDevice(d.validation);
    testSet = toDevice(d.test);
    run = await train(trainSet, config, { validation: valSet, keep: true });
    evaluation = await evaluateModel(run.model, testSet, testHost);
  }, 120_000);

  afterAll(() => {
    run?.model.dispose();
    [trainSet, valSet, testSet].forEach(disposeSet);
  });

  it('finishes every step', () => {
    expect(trainSet.count).toBe(3000);
    expect(run.result.reason).toBe('finished');
    expect(run.result.error).toBeUndefined();
    expect(run.result.steps).toBe(stepsPerEpoch * 3);
    expect(run.points.map((p) => p.step)).toEqual(Array.from({ length: stepsPerEpoch * 3 }, (_, i) => i + 1));
    expect(run.points.map((p) => p.epoch)).toEqual(Array.from({ length: stepsPerEpoch * 3 }, (_, i) => Math.floor(i / stepsPerEpoch) + 1));
    const progress = run.events.flatMap((e) => (e.type === 'steps' ? [e.progress] : []));
    expect(progress.every((p) => p.totalSteps === stepsPerEpoch * 3 && p.stepsPerEpoch === stepsPerEpoch && p.epochs === 3)).toBe(true);
    expect(progress.at(-1)!.step).toBe(stepsPerEpoch * 3);
    expect(progress.at(-1)!.etaSec).toBe(0);
    expect(progress.every((p) => p.samplesPerSec > 0 && Number.isFinite(p.samplesPerSec))).toBe(true);
    expect(run.events[0]).toEqual({ type: 'state', state: 'running' });
  });

  it('reports one validation point per epoch', () => {
    expect(run.result.epochs.map((e) => [e.epoch, e.step])).toEqual([
      [1, stepsPerEpoch],
      [2, 2 * stepsPerEpoch],
      [3, 3 * stepsPerEpoch],
    ]);
    expect(run.events.filter((e) => e.type === 'epoch').map((e) => (e.type === 'epoch' ? e.point : null))).toEqual(run.result.epochs);
    for (const e of run.result.epochs) {
      expect(e.valAccuracy).toBeGreaterThan(0.8);
      expect(e.valAccuracy).toBeLessThanOrEqual(1);
      expect(e.valLoss).toBeGreaterThan(0);
      expect(e.valLoss).toBeLessThan(1);
    }
    const seconds = run.result.epochs.map((e) => e.seconds);
    expect(seconds[0]).toBeGreaterThan(0);
    expect(seconds[1]).toBeGreaterThan(seconds[0]);
    expect(run.result.seconds).toBeGreaterThanOrEqual(seconds[2]);
  });

  it('the training loss falls: last 10 steps below the first 10', () => {
    const l = losses(run.points);
    // An untrained 10-way softmax starts near ln 10 = 2.30.
    expect(l[0]).toBeGreaterThan(1.8);
    expect(l[0]).toBeLessThan(2.9);
    expect(mean(l.slice(-10))).toBeLessThan(mean(l.slice(0, 10)));
    expect(mean(l.slice(-10))).toBeLessThan(0.6);
    const acc = run.points.map((p) => p.accuracy);
    expect(acc.every((a) => a >= 0 && a <= 1)).toBe(true);
    // Step accuracy is a fraction of a 64-example batch.
    expect(acc.every((a) => Math.abs(a * 64 - Math.round(a * 64)) < 1e-4)).toBe(true);
    expect(mean(acc.slice(-10))).toBeGreaterThan(0.8);
  });

  it('reaches at least 88% on the 10000 real test digits', () => {
    expect(evaluation.count).toBe(10000);
    expect(evaluation.accuracy).toBeGreaterThanOrEqual(0.88);
    expect(evaluation.loss).toBeLessThan(0.5);
  });

  it('the evaluation is self-consistent', () => {
    const { confusion, perClass, misclassified } = evaluation;
    const total = confusion.flat().reduce((a, b) => a + b, 0);
    const correct = confusion.reduce((s, row, i) => s + row[i], 0);
    expect(total).toBe(10000);
    expect(correct / total).toBeCloseTo(evaluation.accuracy, 12);
    confusion.forEach((row, t) => expect(row.reduce((a, b) => a + b, 0)).toBe(testHost.labels.filter((l) => l === t).length));
    expect(perClass.map((c) => c.support)).toEqual(confusion.map((row) => row.reduce((a, b) => a + b, 0)));
    expect(misclassified).toHaveLength(Math.min(48, total - correct));
    for (const m of misclassified) {
      expect(m.predicted).not.toBe(m.label);
      expect(m.label).toBe(testHost.labels[m.index]);
      expect(m.pixels).toHaveLength(784);
      expect(m.pixels).toEqual(Array.from(testHost.images.subarray(m.index * 784, (m.index + 1) * 784)));
      expect(m.confidence).toBeGreaterThanOrEqual(0.1); // the argmax of 10 probabilities is at least 1/10
    }
    expect(misclassified.map((m) => m.index)).toEqual([...misclassified.map((m) => m.index)].sort((a, b) => a - b));
  });

  it('evaluateSet (on the device) agrees with evaluateModel (on the host)', async () => {
    // A batch size that does not divide the set (10000 = 12 * 777 + 676) gives the same answer.
    const odd = await evaluateSet(run.model, testSet, 777);
    expect(odd.accuracy).toBeCloseTo(evaluation.accuracy, 6);
    expect(odd.loss).toBeCloseTo(evaluation.loss, 4);
  });

  it('leaks no tensors: the count is flat across epochs and returns to the start after disposal', () => {
    const counts = run.result.epochs.map((e) => e.numTensors);
    expect(new Set(counts).size).toBe(1);
    run.model.dispose();
    [trainSet, valSet, testSet].forEach(disposeSet);
    expect(tf.memory().numTensors).toBe(before);
    run.model = buildModel(MLP_PRESET, 0); // afterAll disposes this one
    trainSet = valSet = testSet = null as unknown as DeviceSet;
  });
});

describe('Trainer behaviour on small runs', () => {
  let set: DeviceSet;
  const small = { batchSize: 32, epochs: 1, trainLimit: 640, metricsEvery: 5 }; // 20 steps

  beforeAll(async () => {
    await tf.setBackend('cpu');
    set = toDevice(slice(realMnist().train, 0, 2000));
  });
  afterAll(() => disposeSet(set));

  it('is deterministic for a seed, and a different seed gives different losses', async () => {
    const a = await train(set, { ...small, seed: 5 });
    const b = await train(set, { ...small, seed: 5 });
    const c = await train(set, { ...small, seed: 6 });
    expect(a.points).toHaveLength(20);
    expect(losses(b.points)).toEqual(losses(a.points));
    expect(b.points.map((p) => p.accuracy)).toEqual(a.points.map((p) => p.accuracy));
    expect(losses(c.points)).not.toEqual(losses(a.points));
    expect(losses(c.points).filter((l, i) => l === losses(a.points)[i]).length).toBeLessThan(3);
  });

  it('is deterministic with seeded dropout too', async () => {
    const model: MlpConfig = { ...MLP_PRESET, dropout: 0.3 };
    const a = await train(set, { ...small, seed: 9 }, { model });
    const b = await train(set, { ...small, seed: 9 }, { model });
    expect(losses(b.points)).toEqual(losses(a.points));
    // Dropout changes the training loss relative to the same model without it.
    const plain = await train(set, { ...small, seed: 9 });
    expect(losses(plain.points)).not.toEqual(losses(a.points));
  });

  it('trains on the first trainLimit examples only, in whole batches', async () => {
    // Poison every example past the first 100: a NaN pixel would make the loss NaN.
    const host = slice(realMnist().train, 0, 300);
    const poisoned = toDevice(host);
    const xs = tf.tidy(() => tf.concat([poisoned.xs.slice([0, 0, 0, 0], [100, -1, -1, -1]), tf.fill([200, 28, 28, 1], NaN)]) as tf.Tensor4D);
    poisoned.xs.dispose();
    const limited: DeviceSet = { ...poisoned, xs };
    const r = await train(limited, { batchSize: 32, epochs: 2, trainLimit: 100, metricsEvery: 1 });
    expect(r.result.reason).toBe('finished');
    expect(r.result.steps).toBe(Math.floor(100 / 32) * 2); // 3 per epoch
    // A batch larger than the limit shrinks to the limit: one step per epoch.
    const one = await train(limited, { batchSize: 64, epochs: 3, trainLimit: 50, metricsEvery: 1 });
    expect(one.result.steps).toBe(3);
    disposeSet(limited);
  });

  it('a NaN loss ends the run as failed, naming the step', async () => {
    const nanSet: DeviceSet = { xs: tf.fill([64, 28, 28, 1], NaN) as tf.Tensor4D, labels: tf.zeros([64], 'int32') as tf.Tensor1D, count: 64 };
    const before = tf.memory().numTensors;
    const r = await train(nanSet, { batchSize: 16, epochs: 5, metricsEvery: 1 });
    expect(r.result.reason).toBe('failed');
    expect(r.result.error).toMatch(/^The loss became NaN at step 1\. /);
    expect(r.result.error).toContain('lower the learning rate');
    expect(r.result.steps).toBeLessThan(4 * 5);
    expect(r.result.epochs).toEqual([]);
    expect(tf.memory().numTensors).toBe(before);
    disposeSet(nanSet);
  });

  it('an L2 penalty adds l2 * sum(w^2) over the kernels to the first loss', async () => {
    const cfg = { batchSize: 64, epochs: 1, trainLimit: 64, metricsEvery: 1, seed: 3 };
    const plain = await train(set, cfg);
    const l2 = await train(set, { ...cfg, l2: 0.01 });
    const l1 = await train(set, { ...cfg, l1: 0.001 });
    const model = buildModel(MLP_PRESET, 3);
    const kernels = model.trainableWeights.filter((w) => w.name.includes('kernel')).map((w) => w.read().dataSync() as Float32Array);
    expect(kernels).toHaveLength(2); // biases are not penalised
    const sumSq = kernels.reduce((s, k) => s + k.reduce((a, v) => a + v * v, 0), 0);
    const sumAbs = kernels.reduce((s, k) => s + k.reduce((a, v) => a + Math.abs(v), 0), 0);
    model.dispose();
    expect(l2.points[0].loss - plain.points[0].loss).toBeCloseTo(0.01 * sumSq, 3);
    expect(l1.points[0].loss - plain.points[0].loss).toBeCloseTo(0.001 * sumAbs, 3);
    expect(l2.points[0].accuracy).toBe(plain.points[0].accuracy);
  });

  it('every optimizer lowers the loss', async () => {
    for (const [optimizer, learningRate] of [
      ['sgd', 0.1],
      ['momentum', 0.01],
      ['rmsprop', 0.001],
    ] as const) {
      const r = await train(set, { batchSize: 32, epochs: 1, trainLimit: 960, metricsEvery: 10, optimizer, learningRate });
      const l = losses(r.points);
      expect(r.result.reason).toBe('finished');
      expect(mean(l.slice(-5))).toBeLessThan(mean(l.slice(0, 5)) - 0.3);
    }
  });

  it('stop() from the event callback ends the run early as stopped', async () => {
    const config = { batchSize: 64, epochs: 2, trainLimit: 2000, metricsEvery: 5 }; // 31 steps per epoch
    const r = await train(set, config, { onEvent: (e, t) => e.type === 'steps' && t.stop() });
    expect(r.result.reason).toBe('stopped');
    expect(r.result.error).toBeUndefined();
    expect(r.result.steps).toBeGreaterThanOrEqual(5);
    expect(r.result.steps).toBeLessThan(31 * 2);
    expect(r.result.steps).toBeLessThan(31); // stopped inside the first epoch: no validation point
    expect(r.result.epochs).toEqual([]);
    expect(r.points.map((p) => p.step)).toEqual(Array.from({ length: r.result.steps }, (_, i) => i + 1));
  });

  it('stop() arriving right after the pause is announced still ends the run (no hang)', async () => {
    const config = { batchSize: 64, epochs: 1, trainLimit: 2000, metricsEvery: 5 };
    const r = await train(set, config, {
      onEvent: (e, t) => {
        if (e.type === 'steps') t.pause();
        if (e.type === 'state' && e.state === 'paused') t.stop();
      },
    });
    expect(r.result.reason).toBe('stopped');
    expect(r.result.steps).toBeLessThan(31);
  });

  it('pause() and resume() hold the run and then finish it, without counting the pause', async () => {
    const config = { batchSize: 64, epochs: 1, trainLimit: 2000, metricsEvery: 5 }; // 31 steps
    let pausedAtStep = -1;
    let stepsWhilePaused = 0;
    let paused = false;
    const start = performance.now();
    const r = await train(set, config, {
      onEvent: (e, t) => {
        if (e.type === 'steps') {
          if (paused) stepsWhilePaused++;
          if (pausedAtStep < 0) {
            pausedAtStep = e.points.at(-1)!.step;
            t.pause();
          }
        }
        if (e.type === 'state' && e.state === 'paused') {
          paused = true;
          setTimeout(() => {
            paused = false;
            t.resume();
          }, 400);
        }
      },
    });
    const wall = (performance.now() - start) / 1000;
    expect(r.result.reason).toBe('finished');
    expect(r.result.steps).toBe(31);
    expect(r.events.filter((e) => e.type === 'state').map((e) => (e.type === 'state' ? e.state : ''))).toEqual(['running', 'paused', 'running']);
    expect(stepsWhilePaused).toBe(0);
    expect(pausedAtStep).toBe(5);
    expect(r.points.map((p) => p.step)).toEqual(Array.from({ length: 31 }, (_, i) => i + 1));
    // The 400 ms pause is not training time.
    expect(r.result.seconds).toBeLessThan(wall - 0.3);
  });

  it('stop() while paused ends the run without resuming', async () => {
    const config = { batchSize: 64, epochs: 1, trainLimit: 2000, metricsEvery: 5 };
    const r = await train(set, config, {
      onEvent: (e, t) => {
        if (e.type === 'steps') t.pause();
        if (e.type === 'state' && e.state === 'paused') setTimeout(() => t.stop(), 20);
      },
    });
    expect(r.result.reason).toBe('stopped');
    expect(r.result.steps).toBeLessThan(31);
    const states = r.events.filter((e) => e.type === 'state').map((e) => (e.type === 'state' ? e.state : ''));
    expect(states).toEqual(['running', 'paused']);
  });
});
