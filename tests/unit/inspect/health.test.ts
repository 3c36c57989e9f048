import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeRatio } from '../../../src/engine/config/inspect';
import { TrainingHealth } from '../../../src/engine/inspect/health';
import { DEFAULT_TRAIN } from '../../../src/engine/config/train';
import { Trainer, type TrainTask } from '../../../src/engine/train/trainer';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const X = tf.tensor2d([
  [1, 2],
  [-1, 0.5],
  [0.3, -2],
]);
const Y = tf.tensor2d([
  [1, 0],
  [0, 1],
  [1, 0],
]);

/** Dense(2 -> 3, relu) -> Dense(3 -> 2, softmax) with fixed weights; firstBias 0 or, for a dead ReLU layer, -100. */
function tiny(firstBias = 0): tf.Sequential {
  const model = tf.sequential({
    layers: [tf.layers.dense({ inputShape: [2], units: 3, activation: 'relu' }), tf.layers.dense({ units: 2, activation: 'softmax' })],
  });
  model.setWeights([
    tf.tensor2d([
      [0.5, -0.3, 0.8],
      [0.1, 0.7, -0.4],
    ]),
    tf.fill([3], firstBias),
    tf.tensor2d([
      [0.2, -0.6],
      [0.9, 0.3],
      [-0.5, 0.4],
    ]),
    tf.tensor1d([0.05, -0.05]),
  ]);
  return model;
}

/** One plain SGD step on the cross-entropy of the fixed batch. */
function sgdStep(model: tf.LayersModel, lr: number): void {
  const optimizer = tf.train.sgd(lr);
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  tf.tidy(() => {
    optimizer.minimize(() => tf.losses.softmaxCrossEntropy(Y, tf.log(model.apply(X) as tf.Tensor)) as tf.Scalar, false, vars);
  });
  optimizer.dispose();
}

/** Per layer (kernel and bias together) as flat arrays, read from the model. */
const layerValues = (model: tf.LayersModel) => model.layers.map((l) => l.getWeights().flatMap((w) => Array.from(w.dataSync())));
const norm = (v: number[]) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));

describe('training health', () => {
  it('records each layer’s weight norm and update ratio as a hand computation gives them', async () => {
    const model = tiny();
    const health = new TrainingHealth({ every: 1 });
    const monitor = health.watch(model, 'run-a', 0);
    const w0 = layerValues(model);
    await health.settle();
    const before = tf.memory().numTensors;
    monitor.around(1, () => sgdStep(model, 0.5));
    await health.settle();
    expect(tf.memory().numTensors).toBe(before);
    const w1 = layerValues(model);
    const view = health.view();
    expect(view.layers).toEqual(model.layers.map((l) => l.name));
    expect(Array.from(view.steps)).toEqual([1]);
    for (let l = 0; l < 2; l++) {
      // ||W1||_2 and ||W1 - W0||_2 / ||W0||_2 over the layer's kernel and bias
      expect(view.weightNorms[l]).toBeCloseTo(norm(w1[l]), 5);
      expect(view.updateRatios[l]).toBeCloseTo(norm(w1[l].map((v, i) => v - w0[l][i])) / norm(w0[l]), 5);
      expect(view.updateRatios[l]).toBeGreaterThan(0);
    }
    model.dispose();
  });

  it('shows a dead ReLU layer (no update below it) and a learning rate ten times higher (ratio ten times higher)', async () => {
    const dead = tiny(-100);
    const health = new TrainingHealth({ every: 1 });
    health.watch(dead, 'dead', 0).around(1, () => sgdStep(dead, 0.5));
    await health.settle();
    const [first, second] = health.view().updateRatios;
    // every ReLU output is 0: no gradient reaches the first layer; the second still moves its bias
    expect(first).toBe(0);
    expect(second).toBeGreaterThan(0);
    expect(describeRatio('dense_1', first)).toContain('no update at all');
    dead.dispose();

    const ratios = [];
    for (const lr of [0.05, 0.5]) {
      const model = tiny();
      const h = new TrainingHealth({ every: 1 });
      h.watch(model, `lr-${lr}`, 0).around(1, () => sgdStep(model, lr));
      await h.settle();
      ratios.push(h.view().updateRatios);
      model.dispose();
    }
    // SGD's update is lr * gradient: from the same weights, ten times the rate is ten times the ratio
    expect(ratios[1][0] / ratios[0][0]).toBeCloseTo(10, 3);
    expect(ratios[1][1] / ratios[0][1]).toBeCloseTo(10, 3);
    expect(describeRatio('d', 0.5)).toContain('learning rate is likely too high');
    expect(describeRatio('d', 1e-3)).toContain('usual range');
  });

  it('probes one step in `every`, thins a long log, and keeps histograms at the start, each epoch and on request', async () => {
    const model = tiny();
    const health = new TrainingHealth({ every: 2, maxPoints: 4, bins: 5 });
    const monitor = health.watch(model, 'run-b', 0);
    await health.settle();
    const before = tf.memory().numTensors;
    for (let step = 1; step <= 13; step++) {
      monitor.around(step, () => sgdStep(model, 0.1));
      await health.settle(); // each probe's read lands before the next step, as it mostly does while training
    }
    monitor.epochEnd(13, 1);
    await health.snapshot(model, 13, 'asked at step 13');
    await health.settle();
    expect(tf.memory().numTensors).toBe(before);
    const view = health.view();
    // probed 1, 3, 5, 7, 9; the fifth point thins the log to 1, 5, 9 and probes every 4th step from then: 13
    expect(Array.from(view.steps)).toEqual([1, 5, 9, 13]);
    expect(view.weightNorms).toHaveLength(8);
    expect(view.checkpoints.map((c) => c.label)).toEqual(['start', 'epoch 1', 'asked at step 13']);
    const start = view.checkpoints[0].histograms;
    // every weight falls in one bin: 2 x 3 + 3 and 3 x 2 + 2
    expect(start.map((h) => h.counts.reduce((a, b) => a + b, 0))).toEqual([9, 8]);
    expect(start[0].min).toBeCloseTo(-0.4, 6);
    expect(start[0].max).toBeCloseTo(0.8, 6);

    // a failing step leaves no clone behind and reaches the caller
    expect(() =>
      monitor.around(17, () => {
        throw new Error('kernel failed');
      }),
    ).toThrow('kernel failed');
    expect(tf.memory().numTensors).toBe(before);

    // the same run again (another backend, a resume) goes on; a new run starts a new log
    health.watch(model, 'run-b', 13);
    expect(health.view().steps).toHaveLength(4);
    health.watch(model, 'run-c', 0);
    await health.settle();
    expect(health.view().steps).toHaveLength(0);
    expect(health.view().checkpoints.map((c) => c.label)).toEqual(['start']);
    model.dispose();
    expect(() => new TrainingHealth({ every: 0 })).toThrow('every must be >= 1');
  });

  it('rides along the Trainer: every step probed with every = 1, a histogram per epoch, the same tensors at every epoch', async () => {
    const model = tiny();
    const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const task: TrainTask = {
      stepsPerEpoch: 5,
      itemsPerStep: 3,
      beginEpoch: () => {},
      step: (optimizer) =>
        tf.tidy(() => {
          const loss = optimizer.minimize(() => tf.losses.softmaxCrossEntropy(Y, tf.log(model.apply(X) as tf.Tensor)) as tf.Scalar, true, vars)!;
          return [loss, tf.scalar(0)] as [tf.Scalar, tf.Scalar];
        }),
      validate: async () => null,
    };
    const health = new TrainingHealth({ every: 1 });
    const events: { type: string; point?: { numTensors: number } }[] = [];
    const trainer = new Trainer(task, { ...DEFAULT_TRAIN, epochs: 3, optimizer: 'sgd', learningRate: 0.1 }, (e) => events.push(e as never));
    trainer.monitor = health.watch(model, 'run-t', 0);
    const result = await trainer.run();
    await health.settle();
    expect(result.reason).toBe('finished');
    const view = health.view();
    expect(Array.from(view.steps)).toEqual(Array.from({ length: 15 }, (_, i) => i + 1));
    expect(view.checkpoints.map((c) => `${c.label} ${c.step}`)).toEqual(['start 0', 'epoch 1 5', 'epoch 2 10', 'epoch 3 15']);
    const counts = events.flatMap((e) => (e.type === 'epoch' ? [e.point!.numTensors] : []));
    expect(counts).toHaveLength(3);
    expect(new Set(counts).size).toBe(1);
    model.dispose();
  });
});
