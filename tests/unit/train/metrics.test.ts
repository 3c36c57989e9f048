import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { cosineLearningRate, makeOptimizer, setLearningRate } from '../../../src/engine/train/optimizers';
import { classScores, confusionMatrix, smooth } from '../../../src/engine/config/metrics';

describe('confusionMatrix and classScores', () => {
  // 3 classes, 8 examples. Class 2 is never predicted.
  const labels = [0, 0, 0, 1, 1, 2, 2, 2];
  const predicted = [0, 0, 1, 1, 0, 1, 0, 1];

  it('counts true class by row, predicted class by column', () => {
    expect(confusionMatrix(labels, predicted, 3)).toEqual([
      [2, 1, 0],
      [1, 1, 0],
      [1, 2, 0],
    ]);
  });

  it('accepts typed arrays', () => {
    expect(confusionMatrix(Uint8Array.from(labels), Int32Array.from(predicted), 3)).toEqual(confusionMatrix(labels, predicted, 3));
  });

  it('precision, recall and F1 by hand', () => {
    const s = classScores(confusionMatrix(labels, predicted, 3));
    // Class 0: TP 2, predicted as 0: 2+1+1 = 4, support 3. P = 2/4, R = 2/3, F1 = 2PR/(P+R) = 4/7.
    expect(s[0].precision).toBeCloseTo(1 / 2, 12);
    expect(s[0].recall).toBeCloseTo(2 / 3, 12);
    expect(s[0].f1).toBeCloseTo(4 / 7, 12);
    expect(s[0].support).toBe(3);
    // Class 1: TP 1, predicted as 1: 1+1+2 = 4, support 2. P = 1/4, R = 1/2, F1 = (2 * 1/8) / (3/4) = 1/3.
    expect(s[1].precision).toBeCloseTo(1 / 4, 12);
    expect(s[1].recall).toBeCloseTo(1 / 2, 12);
    expect(s[1].f1).toBeCloseTo(1 / 3, 12);
    expect(s[1].support).toBe(2);
    // Class 2: never predicted: precision 0 (no division by zero), recall 0, F1 0.
    expect(s[2]).toEqual({ precision: 0, recall: 0, f1: 0, support: 3 });
  });

  it('a class absent from the labels and the predictions scores 0 with support 0', () => {
    const s = classScores(confusionMatrix([0, 1], [0, 1], 3));
    expect(s[0]).toEqual({ precision: 1, recall: 1, f1: 1, support: 1 });
    expect(s[2]).toEqual({ precision: 0, recall: 0, f1: 0, support: 0 });
  });
});

describe('smooth', () => {
  it('a constant stays that constant (the average is debiased from the start)', () => {
    for (const v of smooth(new Array(50).fill(2.5))) expect(v).toBeCloseTo(2.5, 10);
    for (const v of smooth([7, 7, 7], 0.5)) expect(v).toBeCloseTo(7, 12);
  });

  it('matches the debiased EMA by hand', () => {
    // alpha 0.5: s1 = 0.5*1 = 0.5 -> /0.5 = 1; s2 = 0.25 + 0.5*3 = 1.75 -> /0.75 = 7/3.
    const out = smooth([1, 3], 0.5);
    expect(out[0]).toBeCloseTo(1, 12);
    expect(out[1]).toBeCloseTo(7 / 3, 12);
  });

  it('keeps the length and lags a step change', () => {
    const out = smooth([...new Array(10).fill(0), ...new Array(10).fill(1)]);
    expect(out).toHaveLength(20);
    expect(out[9]).toBe(0);
    expect(out[10]).toBeGreaterThan(0);
    expect(out[10]).toBeLessThan(0.5);
    expect(out[19]).toBeLessThan(1);
    expect(smooth([])).toEqual([]);
  });
});

describe('learning-rate schedule', () => {
  it('cosine decay starts at lr0, halves at mid-run and reaches 0 at the end', () => {
    expect(cosineLearningRate(0.01, 0, 100)).toBeCloseTo(0.01, 12);
    expect(cosineLearningRate(0.01, 50, 100)).toBeCloseTo(0.005, 12);
    expect(cosineLearningRate(0.01, 25, 100)).toBeCloseTo((0.01 * (1 + Math.SQRT1_2)) / 2, 12);
    expect(cosineLearningRate(0.01, 100, 100)).toBeCloseTo(0, 12);
    expect(cosineLearningRate(0.01, 150, 100)).toBeCloseTo(0, 12);
  });

  it('setLearningRate changes the step an optimizer takes (SGD: w -= lr * g)', async () => {
    await tf.setBackend('cpu');
    for (const name of ['sgd', 'momentum', 'adam', 'rmsprop'] as const) {
      const w = tf.variable(tf.scalar(1));
      const opt = makeOptimizer(name, 0.1);
      setLearningRate(opt, 0); // a zero step leaves the weight where it is
      opt.minimize(() => tf.square(w) as tf.Scalar, false, [w]);
      expect(w.dataSync()[0]).toBe(1);
      setLearningRate(opt, 0.1);
      opt.minimize(() => tf.square(w) as tf.Scalar, false, [w]);
      expect(w.dataSync()[0]).toBeLessThan(1);
      opt.dispose();
      w.dispose();
    }
  });
});
