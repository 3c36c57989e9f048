import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildCharTransformer, disposeTransformer } from '../../../src/engine/families/charTransformer/layer';
import { TRANSFORMER_PRESETS } from '../../../src/engine/config/charTransformer';
import { attentionReport } from '../../../src/engine/families/charTransformer/attention';
import { transformerLoss } from '../../../src/engine/families/charTransformer/train';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

describe('char-Transformer attention view numbers', () => {
  it('gives each head a causal row at the chosen position and per-character losses averaging to the loss', () => {
    const cfg = { ...TRANSFORMER_PRESETS.tiny, width: 16, heads: 2, context: 8 };
    const w = buildCharTransformer(cfg, 5, 11);
    const passage = [0, 1, 2, 3, 4, 0, 1];
    const n = tf.memory().numTensors;
    const r = attentionReport(w, passage, 3);
    expect(tf.memory().numTensors).toBe(n);
    expect(r.weights.length).toBe(2); // layers
    expect(r.weights[0].length).toBe(2); // heads
    for (const row of r.weights.flat()) {
      expect(row).toHaveLength(7);
      expect(row.slice(4)).toEqual([0, 0, 0]);
      expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    }
    expect(r.losses).toHaveLength(6);
    const mean = r.losses.reduce((a, b) => a + b, 0) / 6;
    const loss = tf.tidy(() => transformerLoss(w, [passage.slice(0, 6)], [passage.slice(1)]).dataSync()[0]);
    expect(mean).toBeCloseTo(loss, 4);
    expect(() => attentionReport(w, passage, 7)).toThrow('Choose a position from 0 to 6, got 7.');
    disposeTransformer(w);
  });
});
