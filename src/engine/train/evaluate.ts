import * as tf from '@tensorflow/tfjs';
import { LabelledImages } from '../data/idx';
import { DeviceSet } from './deviceData';
import { classScores, confusionMatrix } from '../config/metrics';
import type { EvaluationResult, Misclassified } from '../config/results';

/** Predicts the whole test set in batches; one async read of the class probabilities at the end. */
export async function evaluateModel(
  model: tf.LayersModel,
  set: DeviceSet,
  host: LabelledImages,
  galleryMax = 48,
  batchSize = 500,
): Promise<EvaluationResult> {
  const parts: tf.Tensor[] = [];
  for (let start = 0; start < set.count; start += batchSize) {
    const size = Math.min(batchSize, set.count - start);
    parts.push(tf.tidy(() => model.predict(set.xs.slice([start, 0, 0, 0], [size, -1, -1, -1])) as tf.Tensor));
  }
  const all = tf.concat(parts);
  tf.dispose(parts);
  const probs = (await all.data()) as Float32Array;
  all.dispose();
  const k = probs.length / set.count;
  const predicted = new Int32Array(set.count);
  let lossSum = 0;
  let correct = 0;
  const misclassified: Misclassified[] = [];
  const px = host.height * host.width;
  for (let i = 0; i < set.count; i++) {
    let best = 0;
    for (let c = 1; c < k; c++) if (probs[i * k + c] > probs[i * k + best]) best = c;
    predicted[i] = best;
    const label = host.labels[i];
    lossSum -= Math.log(Math.min(Math.max(probs[i * k + label], 1e-7), 1 - 1e-7)); // cross-entropy, clipped like training
    if (best === label) correct++;
    else if (misclassified.length < galleryMax) {
      misclassified.push({
        index: i,
        label,
        predicted: best,
        confidence: probs[i * k + best],
        pixels: Array.from(host.images.subarray(i * px, (i + 1) * px)),
      });
    }
  }
  const confusion = confusionMatrix(host.labels, predicted, k);
  return { accuracy: correct / set.count, loss: lossSum / set.count, count: set.count, confusion, perClass: classScores(confusion), misclassified };
}
