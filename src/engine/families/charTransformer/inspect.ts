import * as tf from '@tensorflow/tfjs';
import { NO_CELLS_TRANSFORMER } from '../../config/inspect';
import type { TextInspector } from '../family';
import { transformerWeights } from './layer';

/** Characters per forward call when a long passage is read in windows (bounds the logits held at once). */
const CHUNK_CHARS = 8192;

/**
 * Starts of the windows of `context` input positions that cover `inputs` positions, `stride` apart, the last one
 * moved back to end at the last input (so no window runs past the passage).
 */
function windowStarts(inputs: number, context: number, stride: number): number[] {
  if (inputs <= context) return [0];
  const starts: number[] = [];
  for (let s = 0; s + context < inputs; s += stride) starts.push(s);
  starts.push(inputs - context);
  return starts;
}

/**
 * The char-Transformer's reads for the text Inspect view. A passage longer than the context slides: windows of
 * `context` characters, `ceil(context / 2)` apart; each scores only the positions after the previous window's end
 * (the first scores all), so every character is predicted by one forward pass, from at least
 * `context - stride + 1` characters before it once the passage is past the first window.
 */
export const charTransformerInspector: TextInspector = {
  async nextCharProbs(model, ids) {
    const { config, vocab } = transformerWeights(model);
    const context = config.context;
    const inputs = ids.length - 1; // input t predicts ids[t + 1]
    const stride = Math.ceil(context / 2);
    const starts = windowStarts(inputs, context, stride);
    const length = Math.min(inputs, context);
    const probs = new Float32Array(inputs * vocab);
    const perCall = Math.max(1, Math.floor(CHUNK_CHARS / length));
    let scored = 0; // positions before this are done
    for (let c = 0; c < starts.length; c += perCall) {
      const chunk = starts.slice(c, c + perCall);
      const rows = chunk.map((s) => Array.from(ids.subarray(s, s + length)));
      const out = tf.tidy(() => tf.softmax(model.apply(tf.tensor2d(rows, [chunk.length, length], 'int32'), { training: false }) as tf.Tensor3D));
      let data: Float32Array;
      try {
        data = (await out.data()) as Float32Array; // [windows, length, vocab]
      } finally {
        out.dispose();
      }
      chunk.forEach((s, b) => {
        const end = s + length;
        probs.set(data.subarray((b * length + (scored - s)) * vocab, b * length * vocab + length * vocab), scored * vocab);
        scored = end;
      });
    }
    return { probs, window: { context, stride, windows: starts.length } };
  },

  embeddingTable: (model) => transformerWeights(model).vars.get('wte') as tf.Tensor2D,

  cellTrace() {
    throw new Error(NO_CELLS_TRANSFORMER);
  },
};
