import * as tf from '@tensorflow/tfjs';
import { LabelledImages } from '../data/idx';
import { applyModel } from './applyModel';

/** A labelled image set resident on the active backend: images [n,28,28,1] in 0..1, labels int32 [n]. */
export interface DeviceSet {
  xs: tf.Tensor4D;
  labels: tf.Tensor1D;
  count: number;
}

export function toDevice(set: LabelledImages): DeviceSet {
  return tf.tidy(() => {
    const pixels = new Float32Array(set.images.length);
    for (let i = 0; i < pixels.length; i++) pixels[i] = set.images[i] / 255;
    const xs = tf.tensor4d(pixels, [set.count, set.height, set.width, 1]);
    const labels = tf.tensor1d(Int32Array.from(set.labels), 'int32');
    return { xs, labels, count: set.count };
  });
}

export function disposeSet(set: DeviceSet | null | undefined): void {
  if (!set) return;
  set.xs.dispose();
  set.labels.dispose();
}

/**
 * Sums same-shaped tensors pairwise. tf.addN binds every input at once, and on WebGPU more than ~7 inputs exceed
 * the adapter's storage-buffer limit (8 on SwiftShader), failing the pipeline and returning zeros.
 */
export function sumTensors(ts: tf.Tensor[]): tf.Tensor {
  return tf.tidy(() => ts.reduce((a, b) => tf.add(a, b)));
}

/** Mean categorical cross-entropy of softmax outputs: -mean(sum(y * log p)), p clipped to avoid log(0). */
export function crossEntropy(probs: tf.Tensor, labels: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => {
    const p = probs.clipByValue(1e-7, 1 - 1e-7);
    const y = tf.oneHot(labels, probs.shape[probs.shape.length - 1]).cast('float32');
    return tf.neg(tf.mean(tf.sum(tf.mul(y, tf.log(p)), -1)));
  });
}

export function accuracy(probs: tf.Tensor, labels: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.equal(tf.argMax(probs, -1), labels).cast('float32')));
}

/** Loss and accuracy over a whole set, batched, with a single async read at the end. */
export async function evaluateSet(model: tf.LayersModel, set: DeviceSet, batchSize = 500): Promise<{ loss: number; accuracy: number }> {
  const partials: tf.Tensor[] = [];
  for (let start = 0; start < set.count; start += batchSize) {
    const size = Math.min(batchSize, set.count - start);
    partials.push(
      tf.tidy(() => {
        const x = set.xs.slice([start, 0, 0, 0], [size, -1, -1, -1]);
        const y = set.labels.slice([start], [size]);
        const p = applyModel(model, x, false);
        return tf.stack([crossEntropy(p, y).mul(size), accuracy(p, y).mul(size)]);
      }),
    );
  }
  const total = tf.tidy(() => sumTensors(partials));
  const [loss, acc] = await total.data();
  tf.dispose([...partials, total]);
  return { loss: loss / set.count, accuracy: acc / set.count };
}
