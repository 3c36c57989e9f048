import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerWasmTrainingKernels } from '../../../src/engine/backend/wasmKernels';
import { affine, applySequential } from '../../../src/engine/models/affine';
import { buildModel } from '../../../src/engine/models/build';
import { CNN_PRESET, MLP_PRESET, ModelConfig } from '../../../src/engine/models/config';

beforeAll(async () => {
  registerWasmTrainingKernels();
  await tf.setBackend('cpu');
});

/** Cross-entropy and its gradient for every weight, through tfjs's layers or through applySequential. */
function lossAndGrads(config: ModelConfig, ours: boolean): number[] {
  const model = buildModel(config, 7);
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const out = tf.tidy(() => {
    const x = tf.tensor4d(Array.from({ length: 3 * 784 }, (_, i) => ((i * 37) % 255) / 255), [3, 28, 28, 1]);
    const labels = tf.oneHot(tf.tensor1d([3, 1, 7], 'int32'), 10);
    const { value, grads } = tf.variableGrads(() => {
      const probs = ours ? applySequential(model, x, false) : (model.apply(x, { training: false }) as tf.Tensor);
      return tf.losses.softmaxCrossEntropy(labels, tf.log(probs)) as tf.Scalar; // log-probabilities as logits: same softmax
    }, vars);
    return [value.dataSync()[0]!, ...vars.flatMap((v) => Array.from(grads[v.name]!.dataSync()))];
  });
  model.dispose();
  return out;
}

describe('applySequential: Dense layers through affine()', () => {
  for (const [name, config] of [['MLP', MLP_PRESET], ['CNN', CNN_PRESET]] as const) {
    for (const backend of ['cpu', 'wasm']) {
      it(`${name} on ${backend}: same loss and gradient for every weight as tfjs's own layers`, async () => {
        await tf.setBackend(backend);
        const reference = lossAndGrads(config, false);
        const ours = lossAndGrads(config, true);
        expect(ours.length).toBe(reference.length);
        const scale = Math.max(...reference.slice(1).map(Math.abs));
        expect(scale).toBeGreaterThan(0);
        reference.forEach((v, i) => expect(Math.abs(ours[i]! - v) / scale).toBeLessThan(1e-4));
        await tf.setBackend('cpu');
      });
    }
  }

  it('without an input gradient (first layer): hand-computed weight gradients, no tensors left behind', () => {
    const x = tf.tensor2d([[1, 2], [3, 4]]);
    const w = tf.variable(tf.tensor2d([[1, 0, -1], [2, 1, 0]]));
    const b = tf.variable(tf.tensor1d([0.5, 0, -0.5]));
    const before = tf.memory().numTensors;
    const { value, grads } = tf.variableGrads(() => tf.sum(affine(x, w, b, false)) as tf.Scalar, [w, b]);
    // y = x W + b summed: dW[i][j] = sum of column i of x, db[j] = number of rows
    expect(Array.from(grads[w.name]!.dataSync())).toEqual([4, 4, 4, 6, 6, 6]);
    expect(Array.from(grads[b.name]!.dataSync())).toEqual([2, 2, 2]);
    expect(value.dataSync()[0]).toBe(18); // rows x W = [5, 2, -1] and [11, 4, -3] sum to 18; the biases add 2 x 0
    tf.dispose([value, ...Object.values(grads)]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, w, b]);
  });
});
