import * as tf from '@tensorflow/tfjs';
import { shuffledIndices } from '../../data/random';
import { TrainConfig } from '../../config/train';
import { accuracy, crossEntropy, DeviceSet, evaluateSet, sumTensors } from '../../train/deviceData';
import type { TrainTask } from '../../train/trainer';
import { applyModel } from '../../train/applyModel';

/** L1/L2 weight penalty on kernels: l1 * sum|w| + l2 * sum w^2 (null when both are 0). */
export function weightPenalty(kernels: tf.Tensor[], l1: number, l2: number): tf.Scalar | null {
  if (!(l1 > 0 || l2 > 0) || kernels.length === 0) return null;
  return sumTensors(kernels.map((k) => tf.add(tf.mul(l1, tf.sum(tf.abs(k))), tf.mul(l2, tf.sum(tf.square(k)))))) as tf.Scalar;
}

/** Kernels (not biases) of a layers model: what the weight penalty applies to. */
export const kernelsOf = (model: tf.LayersModel) => model.trainableWeights.filter((w) => /kernel/.test(w.name)).map((w) => w.read());

/** The loss of one batch: the model's softmax outputs, the labels and the batch's images. */
type BatchLoss = (probs: tf.Tensor, labels: tf.Tensor1D, images: tf.Tensor4D) => tf.Scalar;

/**
 * Image classification: shuffled mini-batches gathered on the device from the resident training set; the loss
 * is cross-entropy against the labels unless another is given (distillation), plus the L1/L2 penalty.
 */
export function imageTask(
  model: tf.LayersModel,
  train: DeviceSet,
  validation: DeviceSet | null,
  config: TrainConfig,
  loss: BatchLoss = crossEntropy,
): TrainTask {
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const kernels = kernelsOf(model);
  const n = config.trainLimit > 0 ? Math.min(config.trainLimit, train.count) : train.count;
  const batch = Math.max(1, Math.min(config.batchSize, n));
  let order: Int32Array = new Int32Array(0);
  return {
    stepsPerEpoch: Math.floor(n / batch), // the remainder is dropped: one batch shape, one compiled kernel set
    itemsPerStep: batch,
    beginEpoch(random) {
      order = shuffledIndices(n, random);
    },
    step(optimizer, s) {
      const indices = tf.tensor1d(order.subarray(s * batch, (s + 1) * batch), 'int32');
      const out = tf.tidy(() => {
        const xb = tf.gather(train.xs, indices);
        const lb = tf.gather(train.labels, indices);
        let stepAcc: tf.Scalar | null = null;
        const cost = optimizer.minimize(
          () => {
            const probs = applyModel(model, xb, true);
            stepAcc = tf.keep(accuracy(probs, lb));
            const ce = loss(probs, lb, xb);
            const reg = weightPenalty(kernels, config.l1, config.l2);
            return reg ? ce.add(reg) : ce;
          },
          true,
          vars,
        ) as tf.Scalar;
        return [cost, stepAcc as unknown as tf.Scalar] as [tf.Scalar, tf.Scalar];
      });
      indices.dispose();
      return out;
    },
    validate: async () => (validation && validation.count > 0 ? evaluateSet(model, validation) : null),
  };
}
