import * as tf from '@tensorflow/tfjs';
import { matMulT } from '../models/affine';
import { ownMatMulChosen } from '../kernels/matmul/shared';
import { buildModel } from '../families/images/model';
import { ModelConfig } from '../config/imageModel';
import { TrainConfig } from '../config/train';
import { DeviceSet } from '../train/deviceData';
import { imageTask } from '../families/images/task';
import { makeOptimizer } from '../train/optimizers';
import { timeTask } from './textBench';
import type { ImageSpeed } from '../config/diagnostics';

/** Our training step for an image model (the page's loop: device-resident data, async metric reads). */
export async function benchImageOurs(
  config: ModelConfig,
  train: DeviceSet,
  settings: TrainConfig,
  warmup: number,
  steps: number,
  stopped?: () => boolean,
): Promise<ImageSpeed> {
  const model = buildModel(config, settings.seed);
  const optimizer = makeOptimizer(settings.optimizer, settings.learningRate);
  try {
    const t = await timeTask(imageTask(model, train, null, settings), optimizer, settings.seed, warmup, steps, stopped);
    const samplesPerSec = (steps * settings.batchSize) / t.seconds;
    return {
      backend: tf.getBackend(),
      samplesPerSec,
      gflops: (trainingFlopsPerSample(model) * samplesPerSec) / 1e9,
      stepMs: (t.seconds * 1000) / steps,
      steps,
      ...pick(t),
    };
  } finally {
    optimizer.dispose();
    model.dispose();
  }
}

/**
 * FLOPs to train on one sample: each dense or conv layer does 2 * MACs forward, and twice that backward (the
 * input gradient and the weight gradient), so 6 * MACs; pooling, activations and the optimizer are not counted.
 * Dense MACs = in * out; conv MACs = outH * outW * kH * kW * inC * outC.
 */
export function trainingFlopsPerSample(model: tf.LayersModel): number {
  let macs = 0;
  for (const layer of model.layers) {
    const cls = layer.getClassName();
    const kernel = layer.weights[0];
    if (!kernel) continue;
    const [k0 = 0, k1 = 0, k2 = 0, k3 = 0] = kernel.shape as number[];
    if (cls === 'Dense') macs += k0 * k1;
    else if (cls === 'Conv2D') {
      const [, h = 0, w = 0] = layer.outputShape as number[];
      macs += h * w * k0 * k1 * k2 * k3;
    }
  }
  return 6 * macs;
}

/**
 * The backend's matmul rate: `reps` products of two n x n matrices, one read at the end (2 n^3 FLOPs each), through
 * matMulT: the matmul our steps use (on WebGPU our own kernel where it measured faster than tfjs's).
 */
export async function matmulPeak(n = 512, reps = 10): Promise<{ backend: string; n: number; gflops: number; kernel: 'ours' | 'tfjs' }> {
  const a = tf.randomNormal([n, n], 0, 1, 'float32', 1);
  const b = tf.randomNormal([n, n], 0, 1, 'float32', 2);
  try {
    const warm = matMulT(a as tf.Tensor2D, b as tf.Tensor2D);
    await warm.data();
    warm.dispose();
    const start = performance.now();
    let acc = tf.zeros([n, n]);
    for (let i = 0; i < reps; i++) {
      const next = tf.tidy(() => acc.add(matMulT(a as tf.Tensor2D, b as tf.Tensor2D)));
      acc.dispose();
      acc = next;
    }
    await acc.data();
    acc.dispose();
    const seconds = (performance.now() - start) / 1000;
    return { backend: tf.getBackend(), n, gflops: (2 * n ** 3 * reps) / seconds / 1e9, kernel: ownMatMulChosen() ? 'ours' : 'tfjs' };
  } finally {
    tf.dispose([a, b]);
  }
}

const pick = (t: { tensorsBefore: number; tensorsAfter: number; bytesBefore: number; bytesAfter: number }) => ({
  tensorsBefore: t.tensorsBefore,
  tensorsAfter: t.tensorsAfter,
  bytesBefore: t.bytesBefore,
  bytesAfter: t.bytesAfter,
});

/**
 * What a plain tfjs user writes (the tfjs-examples MNIST pattern): the same model compiled with the same
 * optimizer, model.fit on the image and one-hot label tensors with metrics ['accuracy'], and an onBatchEnd
 * callback that reads the batch's logs (to update the page) and awaits tf.nextFrame(). The first batch is warm-up.
 */
export async function benchImageBaseline(config: ModelConfig, train: DeviceSet, settings: TrainConfig, batches: number): Promise<ImageSpeed> {
  const model = buildModel(config, settings.seed);
  const optimizer = makeOptimizer(settings.optimizer, settings.learningRate, true); // tfjs's own
  model.compile({ optimizer, loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const n = Math.min(train.count, settings.batchSize * (batches + 1));
  const x = train.xs.slice([0, 0, 0, 0], [n, -1, -1, -1]);
  const y = tf.tidy(() => tf.oneHot(train.labels.slice([0], [n]), 10).cast('float32'));
  let started = 0;
  let timed = 0;
  let shown = 0;
  try {
    const before = tf.memory();
    await model.fit(x, y, {
      batchSize: settings.batchSize,
      epochs: 1,
      shuffle: true,
      callbacks: {
        onBatchEnd: async (batch, logs) => {
          if (batch === 0) started = performance.now();
          else timed++;
          shown = logs?.loss ?? shown; // what a page would draw
          await tf.nextFrame();
        },
      },
    });
    const seconds = (performance.now() - started) / 1000;
    const after = tf.memory();
    if (!Number.isFinite(shown)) throw new Error('the baseline loss was not finite');
    return {
      backend: tf.getBackend(),
      samplesPerSec: (timed * settings.batchSize) / seconds,
      gflops: (trainingFlopsPerSample(model) * timed * settings.batchSize) / seconds / 1e9,
      stepMs: (seconds * 1000) / timed,
      steps: timed,
      ...pick({ tensorsBefore: before.numTensors, tensorsAfter: after.numTensors, bytesBefore: before.numBytes, bytesAfter: after.numBytes }),
    };
  } finally {
    model.dispose();
    optimizer.dispose();
    tf.dispose([x, y]);
  }
}
