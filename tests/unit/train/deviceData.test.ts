import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { accuracy, crossEntropy, disposeSet, sumTensors, toDevice } from '../../../src/engine/train/deviceData';
import { mnistSubset } from '../mnist';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('toDevice', () => {
  it('uploads images as [n,28,28,1] floats in 0..1 and labels as int32', () => {
    const { train } = mnistSubset(3, 0);
    const before = tf.memory().numTensors;
    const set = toDevice(train);
    expect(tf.memory().numTensors).toBe(before + 2);
    expect(set.count).toBe(3);
    expect(set.xs.shape).toEqual([3, 28, 28, 1]);
    expect(set.labels.dtype).toBe('int32');
    expect(Array.from(set.labels.dataSync())).toEqual([5, 0, 4]);
    const xs = set.xs.dataSync();
    for (const i of [0, 150, 300, 1000, 2000]) expect(xs[i]).toBeCloseTo(train.images[i] / 255, 6);
    expect(Math.max(...xs)).toBe(1);
    disposeSet(set);
    disposeSet(null);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('crossEntropy and accuracy', () => {
  it('match a hand computation', () => {
    const probs = tf.tensor2d([
      [0.7, 0.2, 0.1],
      [0.1, 0.1, 0.8],
      [0.3, 0.5, 0.2],
    ]);
    const labels = tf.tensor1d([0, 2, 0], 'int32');
    expect(crossEntropy(probs, labels).dataSync()[0]).toBeCloseTo(-(Math.log(0.7) + Math.log(0.8) + Math.log(0.3)) / 3, 5);
    expect(accuracy(probs, labels).dataSync()[0]).toBeCloseTo(2 / 3, 6);
  });

  it('clips probabilities so a zero on the true class costs -ln(1e-7), not Infinity', () => {
    const probs = tf.tensor2d([[0, 1]]);
    const loss = crossEntropy(probs, tf.tensor1d([0], 'int32')).dataSync()[0];
    expect(loss).toBeCloseTo(-Math.log(1e-7), 3);
  });

  it('sumTensors adds any number of tensors, beyond the 8 a WebGPU addN could bind', () => {
    const ts = Array.from({ length: 12 }, (_, i) => tf.tensor1d([i, 2 * i]));
    expect(Array.from(sumTensors(ts).dataSync())).toEqual([66, 132]); // 0 + 1 + ... + 11 = 66
    expect(sumTensors([tf.scalar(4)]).dataSync()[0]).toBe(4);
  });
});
