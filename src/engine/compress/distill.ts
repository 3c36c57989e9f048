import * as tf from '@tensorflow/tfjs';
import { TrainConfig } from '../config/train';
import { crossEntropy, DeviceSet } from '../train/deviceData';
import { imageTask } from '../families/images/task';
import type { TrainTask } from '../train/trainer';
import { type DistillOptions, validateDistill } from '../config/compress';

function checkDistill(opts: DistillOptions): void {
  const problems = validateDistill(opts);
  if (problems.length) throw new RangeError(problems.join(' '));
}

/** log p from softmax outputs, clipped like crossEntropy so a probability of 0 stays finite. */
const logProbs = (probs: tf.Tensor) => tf.log(probs.clipByValue(1e-7, 1 - 1e-7));

/**
 * Hinton et al. 2015: loss = alpha * CE(y, p_s) + (1 - alpha) * T^2 * KL(softmax(log p_t / T) || softmax(log p_s / T)).
 * Our models end in softmax, so soften from log-probabilities (softmax((z - c)/T) = softmax(z/T)). Inputs are
 * probability tensors [batch, classes]; the KL is summed over classes and averaged over the batch. A term whose
 * weight is 0 is not computed.
 */
export function distillationLoss(studentProbs: tf.Tensor, teacherProbs: tf.Tensor, labels: tf.Tensor1D, opts: DistillOptions): tf.Scalar {
  checkDistill(opts);
  const { temperature: T, alpha } = opts;
  return tf.tidy(() => {
    const terms: tf.Scalar[] = [];
    if (alpha > 0) terms.push(tf.mul(alpha, crossEntropy(studentProbs, labels)));
    if (alpha < 1) {
      // q = softmax(log p / T); KL(q_t || q_s) = sum q_t * (log q_t - log q_s)
      const logQt = tf.logSoftmax(tf.div(logProbs(teacherProbs), T));
      const logQs = tf.logSoftmax(tf.div(logProbs(studentProbs), T));
      const kl = tf.mean(tf.sum(tf.mul(tf.exp(logQt), tf.sub(logQt, logQs)), -1));
      // T^2 keeps the soft term's gradient on the scale of the hard term's as T changes
      terms.push(tf.mul((1 - alpha) * T * T, kl));
    }
    return (terms.length === 1 ? terms[0] : tf.add(terms[0], terms[1])) as tf.Scalar;
  });
}

/**
 * imageTask (same batching, shuffle, accuracy on the true labels, L1/L2 penalty on the student's kernels) with
 * distillationLoss against the frozen teacher's predictions: only the student's variables are differentiated and
 * updated. Validation reports the student's plain cross-entropy and accuracy on the true labels.
 */
export function distillTask(
  student: tf.LayersModel,
  teacher: tf.LayersModel,
  train: DeviceSet,
  validation: DeviceSet | null,
  config: TrainConfig,
  opts: DistillOptions,
): TrainTask {
  checkDistill(opts);
  if (student === teacher) throw new RangeError('The student and the teacher must be different models.');
  // the teacher's forward pass joins the tape but reaches none of the student's variables, so no gradient flows into it
  return imageTask(student, train, validation, config, (probs, labels, images) =>
    distillationLoss(probs, teacher.predict(images) as tf.Tensor, labels, opts),
  );
}
