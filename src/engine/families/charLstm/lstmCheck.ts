import * as tf from '@tensorflow/tfjs';
import { hasCellKernels } from '../../kernels/lstmCell/shared';
import { CONCAT_ROWS } from '../../kernels/names';
import { buildCharLstm, charLogits, sequenceCrossEntropy, timeMajorTargets } from './model';
import type { LstmCheck } from '../../config/diagnostics';

/**
 * The fused LSTM path against autodiff through tfjs's own LSTM layers, on the active backend: a small model
 * (ids from a fixed pattern), logits, loss and every weight's gradient. The unit tests run it on cpu; the
 * end-to-end tests in the page on WebGL and WebGPU, where the cell kernels are shaders.
 */
// 18 steps: more blocks than one WebGL program joins (16), so concatRows takes two rounds
export function checkFusedLstm(layers = 2, batch = 4, steps = 18, units = 8, vocab = 11): LstmCheck {
  const before = tf.memory().numTensors;
  const model = buildCharLstm({ kind: 'charLstm', embedding: 5, layers, units, dropout: 0, window: steps }, vocab, 3);
  const result = tf.tidy(() => {
    const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const ids = Array.from({ length: batch * (steps + 1) }, (_, i) => (i * 7 + ((i * i) % 5)) % vocab);
    const w = tf.tensor2d(ids, [batch, steps + 1], 'int32');
    const x = w.slice([0, 0], [batch, steps]);
    const y = w.slice([0, 1], [batch, steps]);
    const refLogits = (model.apply(x, { training: false }) as tf.Tensor3D).transpose([1, 0, 2]).reshape([steps * batch, vocab]);
    const worstLogit = tf.max(tf.abs(tf.sub(refLogits, charLogits(model, x, false, true)))).dataSync()[0]!;
    const ref = tf.variableGrads(() => sequenceCrossEntropy(model.apply(x, { training: false }) as tf.Tensor, y), vars);
    const fused = tf.variableGrads(() => sequenceCrossEntropy(charLogits(model, x, false, true), timeMajorTargets(y)), vars);
    let gradients = 0;
    for (const name of Object.keys(ref.grads)) {
      const scale = tf.max(tf.abs(ref.grads[name]!)).dataSync()[0]!;
      const diff = tf.max(tf.abs(tf.sub(ref.grads[name]!, fused.grads[name] ?? tf.zerosLike(ref.grads[name]!)))).dataSync()[0]!;
      gradients = Math.max(gradients, scale > 0 ? diff / scale : diff === 0 ? 0 : Infinity);
    }
    return { logits: worstLogit, loss: Math.abs(ref.value.dataSync()[0]! - fused.value.dataSync()[0]!), gradients };
  });
  model.dispose();
  const concatKernel = tf.getKernel(CONCAT_ROWS, tf.getBackend()) !== undefined && batch % 2 === 0;
  return { backend: tf.getBackend(), cellKernels: hasCellKernels(), concatKernel, ...result, tensorsLeft: tf.memory().numTensors - before };
}
