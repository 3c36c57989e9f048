import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerWasmTrainingKernels } from '../../../src/engine/kernels/stockFixes/wasm';
import { affine, plainDense } from '../../../src/engine/models/affine';

beforeAll(async () => {
  registerWasmTrainingKernels();
  await tf.setBackend('cpu');
});

describe('affine(): x W + b with a hand-written gradient', () => {
  for (const backend of ['cpu', 'wasm']) {
    it(`on ${backend}: hand-computed loss and gradients for x, W and b, no tensors left behind`, async () => {
      await tf.setBackend(backend);
      const x = tf.variable(
        tf.tensor2d([
          [1, 2],
          [3, 4],
        ]),
      );
      const w = tf.variable(
        tf.tensor2d([
          [1, 0, -1],
          [2, 1, 0],
        ]),
      );
      const b = tf.variable(tf.tensor1d([0.5, 0, -0.5]));
      const before = tf.memory().numTensors;
      const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(affine(x, w, b))) as tf.Scalar, [x, w, b]);
      // y = x W + b = [[5.5, 2, -1.5], [11.5, 4, -3.5]]; L = sum y^2; dy = 2y; dx = dy W^T; dW = x^T dy; db = sum of dy's rows
      expect(value.dataSync()[0]).toBeCloseTo(5.5 ** 2 + 4 + 1.5 ** 2 + 11.5 ** 2 + 16 + 3.5 ** 2, 4);
      expect(Array.from(grads[x.name]!.dataSync())).toEqual([14, 26, 30, 54]);
      expect(Array.from(grads[w.name]!.dataSync())).toEqual([80, 28, -24, 114, 40, -34]);
      expect(Array.from(grads[b.name]!.dataSync())).toEqual([34, 12, -10]);
      tf.dispose([value, ...Object.values(grads)]);
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([x, w, b]);
      await tf.setBackend('cpu');
    });
  }

  it('plainDense takes Dense layers with a known activation and bias, and leaves the rest to tfjs', () => {
    const relu = tf.layers.dense({ units: 2, activation: 'relu', inputShape: [3] });
    const noBias = tf.layers.dense({ units: 2, useBias: false, inputShape: [3] });
    relu.build([null, 3]);
    noBias.build([null, 3]);
    const d = plainDense(relu)!;
    expect(d.kernel.shape).toEqual([3, 2]);
    expect(Array.from(d.activation(tf.tensor2d([[-1, 2]])).dataSync())).toEqual([0, 2]);
    expect(plainDense(noBias)).toBeNull();
  });
});
