import * as tf from '@tensorflow/tfjs';
import { SeededDropout } from '../../models/seededDropout';
import { ModelConfigError } from '../../models/summary';
import { SeededOrthogonal } from '../../models/orthogonal';
import { affine, plainDense } from '../../models/affine';
import { fusableLstm, lstmLayerFused } from './fusedLstm';
import { hasCellKernels } from '../../kernels/lstmCell/shared';
import { type CharLstmConfig, validateCharConfig } from '../../config/charModel';

/**
 * Input [batch, time] int ids; output [batch, time, vocab] logits (probabilities with `softmax`, for the bench's
 * plain model.fit baseline). Every initialiser is seeded.
 */
export function buildCharLstm(config: CharLstmConfig, vocabSize: number, seed: number, softmax = false): tf.LayersModel {
  const problems = validateCharConfig(config);
  if (!(Number.isInteger(vocabSize) && vocabSize >= 2)) problems.push(`The vocabulary needs at least 2 characters, got ${vocabSize}.`);
  if (problems.length) throw new ModelConfigError(problems);
  const model = tf.sequential();
  // Built inside tidy: initialisers may leave intermediate tensors; weights are variables, which tidy keeps.
  tf.tidy(() => addCharLayers(model, config, vocabSize, seed, softmax));
  return model;
}

function addCharLayers(model: tf.Sequential, config: CharLstmConfig, vocabSize: number, seed: number, softmax: boolean): void {
  let s = seed;
  model.add(
    tf.layers.embedding({
      inputDim: vocabSize,
      outputDim: config.embedding,
      batchInputShape: [null, null],
      embeddingsInitializer: tf.initializers.randomUniform({ minval: -0.05, maxval: 0.05, seed: s++ }),
    }),
  );
  for (let i = 0; i < config.layers; i++) {
    if (i > 0 && config.dropout > 0) model.add(new SeededDropout({ rate: config.dropout, seed: s++ }));
    model.add(
      tf.layers.lstm({
        units: config.units,
        returnSequences: true,
        activation: 'tanh',
        recurrentActivation: 'sigmoid', // tfjs defaults to hardSigmoid; the standard LSTM gate is the logistic sigmoid
        kernelInitializer: tf.initializers.glorotUniform({ seed: s++ }),
        recurrentInitializer: new SeededOrthogonal({ seed: s++ }),
        unitForgetBias: true,
      }),
    );
  }
  if (config.dropout > 0) model.add(new SeededDropout({ rate: config.dropout, seed: s++ }));
  model.add(
    tf.layers.dense({
      units: vocabSize,
      activation: softmax ? 'softmax' : 'linear',
      kernelInitializer: tf.initializers.glorotUniform({ seed: s++ }),
    }),
  );
}

/**
 * Logits of a char model for windows x [B, T] of ids, time-major: row t*B + b is window b at step t, [T*B, V].
 * LSTM layers run through the fused sequence (one matmul per step, hand-written backward); a model with any
 * other layer, or an LSTM option the fused path does not implement, runs through tfjs's own layers (as does
 * fused = false, which the bench uses to show what the fused path buys).
 */
export function charLogits(model: tf.LayersModel, x: tf.Tensor2D, training: boolean, fused = fusedLstmPays()): tf.Tensor2D {
  return tf.tidy(() => {
    const [batch, steps] = x.shape;
    const layers = model.layers;
    const fusable =
      fused &&
      layers[0]?.getClassName() === 'Embedding' &&
      layers.slice(1).every((l) => ['Dropout', 'Dense'].includes(l.getClassName()) || fusableLstm(l));
    if (!fusable) {
      const out = model.apply(x, { training }) as tf.Tensor3D;
      return out.transpose([1, 0, 2]).reshape([steps * batch, -1]) as tf.Tensor2D;
    }
    let h = (layers[0]!.apply(x.transpose(), { training }) as tf.Tensor3D).reshape([steps * batch, -1]) as tf.Tensor2D;
    for (const layer of layers.slice(1)) {
      const lstm = fusableLstm(layer);
      const dense = lstm ? null : plainDense(layer);
      if (lstm) h = lstmLayerFused(h, lstm, steps, batch);
      else if (dense) h = dense.activation(affine(h, dense.kernel, dense.bias));
      else h = layer.apply(h, { training }) as tf.Tensor2D;
    }
    return h;
  });
}

/**
 * Whether the fused LSTM sequence is the faster path on the active backend: WASM and cpu always, WebGL and WebGPU
 * with their cell kernels (kernels/lstmCell/). `npm run bench -- --models lstm --lstm-other` times both paths; the
 * figures are in docs/performance.md.
 */
export function fusedLstmPays(): boolean {
  return tf.getBackend() === 'wasm' || tf.getBackend() === 'cpu' || hasCellKernels();
}

/** Targets y [B, T] in the row order of charLogits: [T*B]. */
export function timeMajorTargets(y: tf.Tensor2D): tf.Tensor1D {
  return y.transpose().reshape([-1]) as tf.Tensor1D;
}

/** Mean cross-entropy in nats over every position: -mean(log softmax(logits)[target]). */
export function sequenceCrossEntropy(logits: tf.Tensor, targets: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const v = logits.shape[logits.shape.length - 1]!;
    const flat = logits.reshape([-1, v]);
    const logp = tf.logSoftmax(flat);
    const onehot = tf.oneHot(targets.reshape([-1]).toInt(), v);
    return tf.neg(tf.mean(tf.sum(tf.mul(logp, onehot), 1))) as tf.Scalar;
  });
}

/** Fraction of positions whose most likely next character is the true one. */
export function sequenceAccuracy(logits: tf.Tensor, targets: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const v = logits.shape[logits.shape.length - 1]!;
    return tf.mean(tf.equal(tf.argMax(logits.reshape([-1, v]), 1), targets.reshape([-1]).toInt()).toFloat()) as tf.Scalar;
  });
}
