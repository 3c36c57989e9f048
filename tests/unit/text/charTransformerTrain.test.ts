import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildCharTransformer, disposeTransformer } from '../../../src/engine/families/charTransformer/layer';
import { TRANSFORMER_PRESETS } from '../../../src/engine/config/charTransformer';
import {
  AdamW,
  type AdamWOptions,
  decays,
  generateIds,
  learningRateAt,
  transformerLoss,
  transformerTrainStep,
} from '../../../src/engine/families/charTransformer/train';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

const cfg = { ...TRANSFORMER_PRESETS.tiny, width: 16, heads: 2, context: 8, layers: 1 };
const opts: AdamWOptions = {
  lr: 0.01,
  beta1: 0.9,
  beta2: 0.99,
  eps: 1e-8,
  weightDecay: 0.1,
  warmup: 2,
  totalSteps: 12,
  minLr: 0.001,
  clipNorm: 1,
};

describe('char-Transformer training', () => {
  it('warms up linearly then decays by cosine', () => {
    expect(learningRateAt(0, opts)).toBeCloseTo(0.005, 10);
    expect(learningRateAt(1, opts)).toBeCloseTo(0.01, 10);
    expect(learningRateAt(2, opts)).toBeCloseTo(0.01, 10);
    expect(learningRateAt(7, opts)).toBeCloseTo(0.001 + 0.5 * 0.009, 10); // halfway: cos(pi/2) = 0
    expect(learningRateAt(12, opts)).toBe(0.001);
  });

  it('decays matrices only, not biases, norms or embeddings', () => {
    expect(['h0.attn.w', 'head.w', 'h0.attn.b', 'h0.ln1.g', 'wte', 'wpe'].map(decays)).toEqual([true, true, false, false, false, false]);
  });

  it('AdamW first step matches the formula by hand', () => {
    const w = buildCharTransformer(cfg, 5, 1);
    const opt = new AdamW({ ...opts, warmup: 0, totalSteps: 100, minLr: 0.01 });
    const before = w.vars.get('h0.fc.w')!.dataSync()[0];
    const bBefore = w.vars.get('h0.fc.b')!.dataSync()[0];
    const g = tf.fill(w.vars.get('h0.fc.w')!.shape, 0.5);
    const gb = tf.fill(w.vars.get('h0.fc.b')!.shape, 0.5);
    opt.apply(w, { 'h0.fc.w': g, 'h0.fc.b': gb });
    // step 1: mhat = g, vhat = g^2 -> update = g/(|g|+eps) = ~1; decayed: w -= lr * (1 + wd * w)
    expect(w.vars.get('h0.fc.w')!.dataSync()[0]).toBeCloseTo(before - 0.01 * (1 + 0.1 * before), 6);
    expect(w.vars.get('h0.fc.b')!.dataSync()[0]).toBeCloseTo(bBefore - 0.01, 6);
    tf.dispose([g, gb]);
    opt.dispose();
    disposeTransformer(w);
  });

  it('autodiff gradients agree with finite differences', () => {
    const w = buildCharTransformer(cfg, 5, 2);
    const xs = [[0, 1, 2, 3]];
    const ys = [[1, 2, 3, 4]];
    const vars = [...w.vars.values()];
    const { value, grads } = tf.variableGrads(() => transformerLoss(w, xs, ys), vars);
    for (const name of ['h0.attn.w', 'h0.fc2.w', 'wpe', 'h0.ln1.g']) {
      const v = w.vars.get(name)!;
      const g = grads[v.name].dataSync();
      const base = v.dataSync().slice();
      const h = 1e-2;
      const at = (i: number, delta: number) => {
        const p = base.slice();
        p[i] += delta;
        v.assign(tf.tensor(p, v.shape));
        return tf.tidy(() => transformerLoss(w, xs, ys).dataSync()[0]);
      };
      for (const i of [0, 3]) {
        const numeric = (at(i, h) - at(i, -h)) / (2 * h);
        expect(Math.abs(g[i] - numeric)).toBeLessThan(5e-3 + 0.02 * Math.abs(numeric)); // float32 central differences
      }
      v.assign(tf.tensor(base, v.shape));
    }
    tf.dispose([value, ...Object.values(grads)]);
    disposeTransformer(w);
  });

  it('training lowers the loss on a repeating text, leaking no tensors', () => {
    const w = buildCharTransformer(cfg, 4, 3);
    const opt = new AdamW({ ...opts, lr: 0.02, totalSteps: 40 });
    const seq = Array.from({ length: 9 }, (_, i) => i % 4);
    const xs = [seq.slice(0, 8)];
    const ys = [seq.slice(1, 9)];
    const first = transformerTrainStep(w, opt, xs, ys);
    const n = tf.memory().numTensors;
    let last = first;
    for (let i = 0; i < 30; i++) last = transformerTrainStep(w, opt, xs, ys);
    expect(tf.memory().numTensors).toBe(n);
    expect(first).toBeGreaterThan(1.2); // about ln 4 = 1.386 at init
    expect(last).toBeLessThan(0.2);
    opt.dispose();
    disposeTransformer(w);
  });

  it('generates the same text with and without the key/value cache for a fixed seed', () => {
    const w = buildCharTransformer(cfg, 6, 4);
    const n = tf.memory().numTensors;
    const run = (useCache: boolean) => [...generateIds(w, [1, 2, 3], 20, { temperature: 1, topK: 3, seed: 9, useCache })];
    const cached = run(true);
    const plain = run(false);
    expect(cached).toHaveLength(20); // 23 > context 8: covers the full-window restart
    expect(cached).toEqual(plain);
    expect(new Set(cached).size).toBeGreaterThan(1);
    expect(tf.memory().numTensors).toBe(n);
    disposeTransformer(w);
  });
});
