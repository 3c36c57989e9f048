import * as tf from '@tensorflow/tfjs';
import { ownMatMul, ownMatMulChosen } from '../kernels/matmul/shared';
import { OWN_MATMUL } from '../kernels/names';
import { buildModel } from '../families/images/model';
import { ModelConfig } from '../config/imageModel';
import { TrainConfig } from '../config/train';
import { DeviceSet } from '../train/deviceData';
import { imageTask } from '../families/images/task';
import { makeOptimizer } from '../train/optimizers';
import { timeTask } from './textBench';
import { trainingFlopsPerItem } from './flops';
import type { ImageSpeed, MatmulRates } from '../config/diagnostics';

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
      gflops: (trainingFlopsPerItem(model) * samplesPerSec) / 1e9,
      stepMs: (t.seconds * 1000) / steps,
      steps,
      ...pick(t),
    };
  } finally {
    optimizer.dispose();
    model.dispose();
  }
}

const pick = (t: { tensorsBefore: number; tensorsAfter: number; bytesBefore: number; bytesAfter: number }) => ({
  tensorsBefore: t.tensorsBefore,
  tensorsAfter: t.tensorsAfter,
  bytesBefore: t.bytesBefore,
  bytesAfter: t.bytesAfter,
});

/**
 * Plain tfjs on the same model, batch, optimizer (tfjs's own Adam) and data (the first images of the resident
 * training set, on the device; one-hot labels): model.compile with metrics ['accuracy'], then model.fit.
 * pace 'none': no callback, so fit runs with tfjs's default yieldEvery ('auto': a tf.nextFrame() at most every
 * 125 ms): the strongest plain loop. pace 'frame': an onBatchEnd that reads the batch's logs and awaits
 * tf.nextFrame(), what the tfjs examples do to keep a page responsive (in a worker that is requestAnimationFrame,
 * so each batch waits for a display frame). A first fit of `warmup` batches compiles the kernels; the second fit,
 * of `batches` batches, is timed whole.
 */
export async function benchImageBaseline(
  config: ModelConfig,
  train: DeviceSet,
  settings: TrainConfig,
  batches: number,
  pace: 'none' | 'frame',
  warmup = 2,
): Promise<ImageSpeed> {
  const b = settings.batchSize;
  if (train.count < b * (warmup + batches))
    throw new Error(`The baseline needs ${b * (warmup + batches)} training images; ${train.count} are loaded.`);
  const model = buildModel(config, settings.seed);
  const optimizer = makeOptimizer(settings.optimizer, settings.learningRate, true); // tfjs's own
  model.compile({ optimizer, loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const part = (from: number, count: number): [tf.Tensor, tf.Tensor] =>
    tf.tidy(() => [train.xs.slice([from, 0, 0, 0], [count, -1, -1, -1]), tf.oneHot(train.labels.slice([from], [count]), 10).cast('float32')]);
  const [xw, yw] = part(0, b * warmup);
  const [x, y] = part(b * warmup, b * batches);
  let shown = 0;
  const callbacks =
    pace === 'frame'
      ? {
          onBatchEnd: async (_: number, logs?: tf.Logs) => {
            shown = logs?.loss ?? shown; // what a page would draw
            await tf.nextFrame();
          },
        }
      : undefined;
  try {
    await model.fit(xw, yw, { batchSize: b, epochs: 1, shuffle: true, callbacks });
    const before = tf.memory();
    const start = performance.now();
    const history = await model.fit(x, y, { batchSize: b, epochs: 1, shuffle: true, callbacks });
    const seconds = (performance.now() - start) / 1000;
    const after = tf.memory();
    if (!Number.isFinite(history.history.loss?.[0] as number)) throw new Error('the baseline loss was not finite');
    const samplesPerSec = (batches * b) / seconds;
    return {
      backend: tf.getBackend(),
      samplesPerSec,
      gflops: (trainingFlopsPerItem(model) * samplesPerSec) / 1e9,
      stepMs: (seconds * 1000) / batches,
      steps: batches,
      ...pick({ tensorsBefore: before.numTensors, tensorsAfter: after.numTensors, bytesBefore: before.numBytes, bytesAfter: after.numBytes }),
    };
  } finally {
    model.dispose();
    optimizer.dispose();
    tf.dispose([xw, yw, x, y]);
  }
}

/**
 * Products [m, k] x [k, n] timed for the yardstick: the default models' step shapes (the MLP's first layer, the
 * char-LSTM's recurrent product per time step, the CNN's second convolution as patches, the size of the char-LSTM's
 * recurrent-kernel gradient) and square ones.
 * In order of size: the larger ones are skipped once a product takes over a second.
 */
const MATMUL_SHAPES: [number, number, number][] = [
  [64, 784, 64],
  [64, 128, 512],
  [6400, 150, 16],
  [256, 256, 256],
  [512, 512, 512],
  [4096, 128, 512],
  [1024, 1024, 1024],
];

/**
 * The backend's best matmul rate: each shape through tfjs's tf.matMul and, where the backend has it, our own
 * kernel (ownMatMul, registered on cpu and WebGPU; stepMatmul says which one the training steps use), about `seconds` of products each (one
 * read at the end, 2 m k n FLOPs a product); the best of all is the yardstick for a training step's GFLOP/s.
 */
export async function matmulRates(shapes = MATMUL_SHAPES, seconds = 0.4): Promise<MatmulRates> {
  const kernels: ['tfjs' | 'ours', (a: tf.Tensor2D, b: tf.Tensor2D) => tf.Tensor2D][] = [['tfjs', (a, b) => tf.matMul(a, b)]];
  if (tf.getKernel(OWN_MATMUL, tf.getBackend())) kernels.push(['ours', (a, b) => ownMatMul(a, b, false, false)]);
  const rows: MatmulRates['shapes'] = [];
  let slow = false;
  for (const [m, k, n] of shapes) {
    if (slow) break;
    const a = tf.randomNormal([m, k], 0, 1, 'float32', 1) as tf.Tensor2D;
    const b = tf.randomNormal([k, n], 0, 1, 'float32', 2) as tf.Tensor2D;
    for (const [kernel, mul] of kernels) {
      const once = async () => {
        const c = mul(a, b);
        await c.data();
        c.dispose();
      };
      await once(); // compile
      let t = performance.now();
      await once();
      const single = performance.now() - t;
      if (single > 1000) slow = true;
      const reps = Math.max(2, Math.min(50, Math.round((seconds * 1000) / Math.max(single, 0.01))));
      t = performance.now();
      let last: tf.Tensor | null = null;
      for (let i = 0; i < reps; i++) {
        last?.dispose();
        last = mul(a, b);
      }
      await last!.data();
      last!.dispose();
      const ms = (performance.now() - t) / reps;
      rows.push({ m, k, n, kernel, ms, gflops: (2 * m * k * n) / ms / 1e6 });
    }
    tf.dispose([a, b]);
  }
  const best = rows.reduce((x, y) => (y.gflops > x.gflops ? y : x));
  return { backend: tf.getBackend(), best, shapes: rows, stepMatmul: ownMatMulChosen() ? 'ours' : 'tfjs' };
}
