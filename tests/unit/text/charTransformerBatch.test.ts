import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildCharTransformer, disposeTransformer } from '../../../src/engine/families/charTransformer/layer';
import { TRANSFORMER_PRESETS } from '../../../src/engine/config/charTransformer';
import { mulberry32 } from '../../../src/engine/data/random';
import { transformerForward, transformerLogits } from '../../../src/engine/families/charTransformer/model';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

const cfg = { ...TRANSFORMER_PRESETS.tiny, context: 16, width: 16, heads: 4, layers: 2 };

describe('char-Transformer batched forward', () => {
  it('equals the per-sequence forward for every window in the batch', () => {
    const w = buildCharTransformer(cfg, 11, 5);
    const rand = mulberry32(9);
    const rows = Array.from({ length: 3 }, () => Array.from({ length: 12 }, () => Math.floor(rand() * 11)));
    const before = tf.memory().numTensors;
    const batched = tf.tidy(() => transformerLogits(w, tf.tensor2d(rows.flat(), [3, 12], 'int32')).arraySync());
    const single = rows.map((r) => tf.tidy(() => transformerForward(w, r).arraySync()));
    expect(tf.memory().numTensors).toBe(before);
    for (let b = 0; b < 3; b++) for (let t = 0; t < 12; t++) for (let v = 0; v < 11; v++) expect(batched[b][t][v]).toBeCloseTo(single[b][t][v], 4);
    expect(() => transformerLogits(w, tf.zeros([1, 17], 'int32'))).toThrow('The model sees at most 16 characters, got 17.');
    disposeTransformer(w);
  });

  it('drops out only when given a dropout source, reproducibly by seed', () => {
    const w = buildCharTransformer({ ...cfg, dropout: 0.5 }, 11, 5);
    const x = tf.tensor2d([[1, 2, 3, 4, 5, 6]], [1, 6], 'int32');
    const source = (seed: number) => {
      const r = mulberry32(seed);
      return { rate: 0.5, seed: () => Math.floor(r() * 2 ** 31) };
    };
    const evalA = tf.tidy(() => Array.from(transformerLogits(w, x).dataSync()));
    const evalB = tf.tidy(() => Array.from(transformerLogits(w, x, { rate: 0, seed: () => 1 }).dataSync()));
    const dropA = tf.tidy(() => Array.from(transformerLogits(w, x, source(3)).dataSync()));
    const dropB = tf.tidy(() => Array.from(transformerLogits(w, x, source(3)).dataSync()));
    expect(evalB).toEqual(evalA);
    expect(dropB).toEqual(dropA);
    expect(dropA).not.toEqual(evalA);
    x.dispose();
    disposeTransformer(w);
  });
});
