import * as tf from '@tensorflow/tfjs';
import type { TextInspector } from '../family';
import { charLogits } from './model';
import { CharStepper } from './sampler';

/** The char-LSTM's reads for the text Inspect view: the whole passage in one pass (its state carries it). */
export const charLstmInspector: TextInspector = {
  async nextCharProbs(model, ids) {
    // logits of [1, T-1] inputs are time-major with batch 1: row t predicts character t + 1
    const probs = tf.tidy(() => tf.softmax(charLogits(model, tf.tensor2d([Array.from(ids.subarray(0, -1))], undefined, 'int32'), false, false)));
    try {
      return { probs: (await probs.data()) as Float32Array, window: null };
    } finally {
      probs.dispose();
    }
  },

  embeddingTable(model) {
    const layer = model.layers.find((l) => l.getClassName() === 'Embedding');
    if (!layer) throw new Error('This model has no Embedding layer; it is not a char-LSTM.');
    return layer.getWeights()[0] as tf.Tensor2D;
  },

  cellTrace(model, ids) {
    const stepper = new CharStepper(model);
    try {
      return stepper.cellTrace(ids);
    } finally {
      stepper.dispose();
    }
  },
};
