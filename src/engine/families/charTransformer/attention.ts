import * as tf from '@tensorflow/tfjs';
import { type TransformerWeights, transformerForward } from './model';

/** What the attention view draws for a passage: plain numbers, small enough to post from the worker. */
export interface AttentionReport {
  /** weights[layer][head][j]: how much position `position` attends to earlier position j (0 beyond it). */
  weights: number[][][];
  /** Per character loss in nats of predicting passage[t+1] from passage[0..t]. */
  losses: number[];
}

/** One forward pass over a passage (at most the context), keeping each head's attention row at `position`. */
export function attentionReport(w: TransformerWeights, passage: number[], position: number): AttentionReport {
  const ids = passage.slice(0, w.config.context);
  if (!(Number.isInteger(position) && position >= 0 && position < ids.length))
    throw new Error(`Choose a position from 0 to ${ids.length - 1}, got ${position}.`);
  const maps: tf.Tensor3D[] = [];
  const logits = transformerForward(w, ids, undefined, maps);
  try {
    const weights = maps.map((m) => tf.tidy(() => tf.squeeze(tf.slice(m, [0, position, 0], [-1, 1, -1]), [1]).arraySync() as number[][]));
    const losses = tf.tidy(() => {
      const n = ids.length - 1;
      if (n < 1) return [];
      // loss_t = -log softmax(logits_t)[next_t]
      const logp = tf.logSoftmax(tf.slice(logits, [0, 0], [n, w.vocab]));
      const picked = tf.sum(tf.mul(logp, tf.oneHot(tf.tensor1d(ids.slice(1), 'int32'), w.vocab)), 1);
      return Array.from(tf.neg(picked).dataSync());
    });
    return { weights, losses };
  } finally {
    tf.dispose([logits, ...maps]);
  }
}
