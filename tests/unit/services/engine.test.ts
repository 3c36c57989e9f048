import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { DataError } from '../../../src/engine/data/idx';
import { ModelConfigError } from '../../../src/engine/models/summary';
import { CNN_PRESET, MLP_PRESET } from '../../../src/engine/config/imageModel';
import { DEFAULT_TRAIN } from '../../../src/engine/config/train';
import { Engine } from '../../../src/engine/services/engine';
import { TrainConfigError } from '../../../src/engine/train/trainer';
import { mnistIdxPair, realMnist } from '../mnist';

const files = (start: number, end: number) => {
  const { images, labels } = mnistIdxPair(start, end);
  return [
    { name: 'images', bytes: images },
    { name: 'labels', bytes: labels },
  ];
};

describe('Session', () => {
  let session: Engine;

  beforeAll(async () => {
    session = new Engine();
    const state = await session.init('cpu', () => {});
    expect(state).toEqual({ active: 'cpu', failures: {} });
    expect(tf.getBackend()).toBe('cpu');
  });

  it('has nothing to preview, train, evaluate or predict before a dataset and a model', async () => {
    expect(await session.preview(5)).toEqual([]);
    await expect(session.predict(new Float32Array(784))).rejects.toThrow('Train a model first; then draw a digit to see its guess.');
    await expect(session.evaluate()).rejects.toThrow('Train a model first');
    await expect(session.train(MLP_PRESET, DEFAULT_TRAIN, () => {})).rejects.toThrow(DataError);
    await expect(session.train(MLP_PRESET, DEFAULT_TRAIN, () => {})).rejects.toThrow('No dataset is loaded yet');
  });

  it('loads IDX files and previews the first training digits', async () => {
    const info = await session.loadIdxFiles(files(0, 700), 50);
    // 700 digits: test = floor(700/7) = 100, validation 50, train 550.
    expect(info).toMatchObject({ name: 'images', trainCount: 550, validationCount: 50, testCount: 100 });
    const preview = await session.preview(3);
    expect(preview.map((p) => p.label)).toEqual([5, 0, 4]);
    expect(preview[0].pixels).toEqual(realMnist().train.images.slice(0, 784));
    expect(await session.preview(10_000)).toHaveLength(550);
  });

  it('bad files throw with the reason and keep the previous dataset', async () => {
    const good = files(1000, 1100);
    const broken = [good[0], { name: 'notes.txt', bytes: new TextEncoder().encode('hello, these are not labels') }];
    await expect(session.loadIdxFiles(broken, 10)).rejects.toThrow(/notes\.txt: wrong magic number/);
    await expect(session.loadIdxFiles([good[0]], 10)).rejects.toThrow('you chose 1');
    const mismatched = [good[0], { name: 'labels', bytes: mnistIdxPair(0, 99).labels }];
    await expect(session.loadIdxFiles(mismatched, 10)).rejects.toThrow('images has 100 images but labels has 99 labels');
    const preview = await session.preview(3);
    expect(preview.map((p) => p.label)).toEqual([5, 0, 4]);
  });

  it('describeModel summarises without keeping tensors', async () => {
    const before = tf.memory().numTensors;
    expect((await session.describeModel(MLP_PRESET)).totalParams).toBe(784 * 64 + 64 + (64 * 10 + 10));
    expect((await session.describeModel(CNN_PRESET)).totalParams).toBe(61706);
    expect(tf.memory().numTensors).toBe(before);
    await expect(session.describeModel({ kind: 'mlp', hidden: [{ units: 0, activation: 'relu' }], dropout: 0 })).rejects.toThrow(ModelConfigError);
  });

  it('a bad training config is refused without leaking the model', async () => {
    await expect(session.train(MLP_PRESET, { ...DEFAULT_TRAIN, epochs: 0 }, () => {})).rejects.toThrow(TrainConfigError);
    const before = (await session.memory()).numTensors;
    await expect(session.train(MLP_PRESET, { ...DEFAULT_TRAIN, batchSize: 0 }, () => {})).rejects.toThrow('Batch size');
    expect((await session.memory()).numTensors).toBe(before);
    await expect(session.predict(new Float32Array(784))).rejects.toThrow('Train a model first');
  });

  it('trains, refuses overlapping work while training, then evaluates and predicts', async () => {
    const config = { ...DEFAULT_TRAIN, epochs: 2, batchSize: 32, metricsEvery: 5 };
    const running = session.train(MLP_PRESET, config, () => {});
    await expect(session.train(MLP_PRESET, config, () => {})).rejects.toThrow('Training is already running');
    await expect(session.loadIdxFiles(files(0, 70), 5)).rejects.toThrow('Stop training before loading another dataset.');
    await expect(session.evaluate()).rejects.toThrow('Wait for training to finish');
    const result = await running;
    expect(result.reason).toBe('finished');
    expect(result.steps).toBe(Math.floor(550 / 32) * 2);

    const evaluation = await session.evaluate();
    expect(evaluation.count).toBe(100);
    expect(evaluation.accuracy).toBeGreaterThan(0.5);

    const digit = Float32Array.from(realMnist().test.images.subarray(0, 784), (v) => v / 255);
    const probs = await session.predict(digit);
    expect(probs).toHaveLength(10);
    expect(probs.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    await expect(session.predict(new Float32Array(100))).rejects.toThrow('Expected 784 pixels (28x28), got 100.');
  });

  it('stop() through the session ends a run', async () => {
    const config = { ...DEFAULT_TRAIN, epochs: 5, batchSize: 16, metricsEvery: 2 };
    const result = await session.train(MLP_PRESET, config, (e) => {
      if (e.type === 'steps') void session.stop();
    });
    expect(result.reason).toBe('stopped');
    expect(result.steps).toBeLessThan(Math.floor(550 / 16) * 5);
  });

  it('times the default MLP to a validation accuracy: stops at the first epoch that reaches it, leaves the page model and no tensors', async () => {
    const model = await session.evaluate(); // the page's model from the runs above
    const before = (await session.memory()).numTensors;
    const t = await session.benchTimeToAccuracy('mlp', 0.6, 600);
    expect(t).toMatchObject({ reached: true, backend: 'cpu' });
    expect(t.curve.length).toBe(t.epochs);
    expect(t.valAccuracy).toBeGreaterThanOrEqual(0.6);
    expect(t.curve.slice(0, -1).every((c) => c.valAccuracy < 0.6)).toBe(true);
    expect(t.curve.map((c) => c.seconds)).toEqual([...t.curve.map((c) => c.seconds)].sort((a, b) => a - b));
    expect((await session.memory()).numTensors).toBe(before);
    expect((await session.evaluate()).accuracy).toBe(model.accuracy);
    // out of time: it stops after the first epoch, not reached
    const late = await session.benchTimeToAccuracy('mlp', 1.01, 0);
    expect(late).toMatchObject({ reached: false, epochs: 1 });
    // not reached within the settings' epochs: it trains them all (here 2) and reports the last
    const short = await session.benchTimeToAccuracy('mlp', 1.01, 600, { train: { epochs: 2 } });
    expect(short).toMatchObject({ reached: false, epochs: 2 });
  });

  it('stops on the validation split and tests once at the end: a test set with every label wrong never reaches the target', async () => {
    const train = mnistIdxPair(3000, 3700);
    const test = mnistIdxPair(0, 100, 'test');
    const wrong = test.labels.map((v, i) => (i < 8 ? v : (v + 1) % 10)); // header (8 bytes) kept, every label off by one
    await session.loadIdxFiles(
      [
        { name: 'train-images', bytes: train.images },
        { name: 'train-labels', bytes: train.labels },
        { name: 'test-images', bytes: test.images },
        { name: 'test-labels', bytes: wrong },
      ],
      70,
    );
    const t = await session.benchTimeToAccuracy('mlp', 0.6, 600);
    expect(t.reached).toBe(true); // on the 70 validation digits
    expect(t.valAccuracy).toBeGreaterThanOrEqual(0.6);
    expect(t.testAccuracy).toBeLessThan(0.2); // the mislabelled test set, measured once, after training
  });

  it('loading a new dataset replaces the old one and frees its device copy', async () => {
    const before = (await session.memory()).numTensors;
    const info = await session.loadIdxFiles(files(2000, 2070), 5);
    expect(info).toMatchObject({ trainCount: 55, validationCount: 5, testCount: 10 });
    expect((await session.memory()).numTensors).toBe(before - 6); // xs + labels for train, validation and test
    expect((await session.preview(1))[0].label).toBe(realMnist().train.labels[2000]);
  });
});
