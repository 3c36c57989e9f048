import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { charTransformerInspector } from '../../../src/engine/families/charTransformer/inspect';
import { buildCharTransformerModel, transformerWeights } from '../../../src/engine/families/charTransformer/layer';
import { transformerForward } from '../../../src/engine/families/charTransformer/model';
import { pca2 } from '../../../src/engine/inspect/pca';
import { meanNats, surpriseOf } from '../../../src/engine/inspect/surprise';
import { saliency } from '../../../src/engine/inspect/saliency';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('pca2', () => {
  it('matches a hand-computed case: points on a line y = 2x', () => {
    // rows (1,2), (2,4), (3,6): mean (2,4), covariance (2/3) [[1,2],[2,4]], top eigenvalue (2/3)*5, vector (1,2)/sqrt5
    const p = pca2(new Float32Array([1, 2, 2, 4, 3, 6]), 3, 2);
    expect(p.variances[0]).toBeCloseTo(10 / 3, 6);
    expect(p.variances[1]).toBeCloseTo(0, 6);
    expect(Array.from(p.points).filter((_, i) => i % 2 === 0)).toEqual([
      expect.closeTo(-Math.sqrt(5), 5),
      expect.closeTo(0, 5),
      expect.closeTo(Math.sqrt(5), 5),
    ]);
  });

  it('finds both axes of an axis-aligned cloud, largest first', () => {
    // x spread 3 (variance 9*2/4), y spread 1
    const p = pca2(new Float32Array([3, 0, -3, 0, 0, 1, 0, -1]), 4, 2);
    expect(p.variances[0]).toBeCloseTo(4.5, 6);
    expect(p.variances[1]).toBeCloseTo(0.5, 6);
    expect(Math.abs(p.points[0])).toBeCloseTo(3, 5);
    expect(Math.abs(p.points[5])).toBeCloseTo(1, 5);
  });

  it('refuses bad input with a message', () => {
    expect(() => pca2(new Float32Array([1, 2, 3]), 2, 2)).toThrow('PCA needs at least 2 rows');
  });
});

describe('surpriseOf', () => {
  it('is -ln p(target) per character, its mean equals the cross-entropy loss, top-5 sorted', () => {
    const vocab = 6;
    const logits = tf.tensor2d([
      [1, 2, 3, 0, -1, 0.5],
      [0, 0, 0, 0, 0, 0],
      [5, -2, 1, 1, 0, 3],
    ]);
    const targets = [2, 4, 1];
    const probs = tf.softmax(logits).dataSync() as Float32Array;
    const s = surpriseOf(probs, vocab, targets);
    expect(s.nats[1]).toBeCloseTo(Math.log(6), 5);
    const loss = tf.losses.softmaxCrossEntropy(tf.oneHot(targets, vocab), logits).dataSync()[0];
    expect(meanNats(s)).toBeCloseTo(loss, 5);
    expect(Array.from(s.topIndex.subarray(0, 5))).toEqual([2, 1, 0, 5, 3]);
    expect(s.topIndex[10]).toBe(0);
    expect(s.topProb[0]).toBeGreaterThan(s.topProb[1]);
    logits.dispose();
  });

  it('refuses a target outside the vocabulary', () => {
    expect(() => surpriseOf(new Float32Array([0.5, 0.5]), 2, [3])).toThrow('outside the vocabulary of 2');
  });
});

describe('char-Transformer surprise over a passage longer than its context', () => {
  it('slides windows of the context by half of it: each row is the single-sequence forward of its window; top-5 are the 5 largest', async () => {
    const cfg = { kind: 'charTransformer' as const, layers: 1, heads: 2, width: 8, context: 6, dropout: 0, tied: true };
    const vocab = 7;
    const model = buildCharTransformerModel(cfg, vocab, 5);
    // weights far larger than GPT-2's init, so positions (and so the window a character is read in) change the numbers
    const big = model.getWeights().map((w, i) => tf.randomNormal(w.shape, 0, 0.5, 'float32', 100 + i));
    model.setWeights(big);
    tf.dispose(big);
    const ids = Int32Array.from({ length: 20 }, (_, i) => (i * 3 + (i >> 2)) % vocab);
    const before = tf.memory().numTensors;
    const { probs, window } = await charTransformerInspector.nextCharProbs(model, ids);
    expect(tf.memory().numTensors).toBe(before);
    // 19 inputs, context 6, stride 3: windows start at 0, 3, 6, 9, 12 and (moved back to end at input 18) 13
    expect(window).toEqual({ context: 6, stride: 3, windows: 6 });
    expect(probs.length).toBe(19 * vocab);
    const plan: [start: number, from: number, to: number][] = [
      [0, 0, 5],
      [3, 6, 8],
      [6, 9, 11],
      [9, 12, 14],
      [12, 15, 17],
      [13, 18, 18],
    ];
    const w = transformerWeights(model);
    const s = surpriseOf(probs, vocab, ids.subarray(1));
    let other = 0; // rows that the window starting at 0 would have given differently
    for (const [start, from, to] of plan) {
      const expected = tf.tidy(() => tf.softmax(transformerForward(w, Array.from(ids.subarray(start, start + 6)))).arraySync() as number[][]);
      const fromStart =
        start === 0 ? null : tf.tidy(() => tf.softmax(transformerForward(w, Array.from(ids.subarray(from - 5, from + 1)))).arraySync() as number[][]);
      for (let t = from; t <= to; t++) {
        const row = expected[t - start];
        for (let v = 0; v < vocab; v++) expect(probs[t * vocab + v]).toBeCloseTo(row[v], 5);
        // surprise is -ln p(next character) of that row
        expect(s.nats[t]).toBeCloseTo(-Math.log(row[ids[t + 1]]), 4);
        // the top 5 are the 5 largest probabilities of the row, largest first
        const order = row.map((p, v) => [p, v]).sort((a, b) => b[0] - a[0]);
        expect(Array.from(s.topIndex.subarray(t * 5, t * 5 + 5))).toEqual(order.slice(0, 5).map(([, v]) => v));
        if (fromStart && Math.abs(fromStart[5][ids[t + 1]] - row[ids[t + 1]]) > 1e-3 && t === from) other++;
      }
    }
    expect(other).toBeGreaterThan(0); // where a character's window starts matters: the test can tell windows apart
    // a passage within the context is one window
    const short = await charTransformerInspector.nextCharProbs(model, ids.subarray(0, 7));
    expect(short.window).toEqual({ context: 6, stride: 3, windows: 1 });
    expect(Array.from(short.probs)).toEqual(Array.from(probs.subarray(0, 6 * vocab)));
    // the embedding table is wte [vocab, width]; its PCA gives one 2-D point per character
    const table = charTransformerInspector.embeddingTable(model);
    expect(table.shape).toEqual([vocab, 8]);
    expect(Array.from(table.dataSync())).toEqual(Array.from(w.vars.get('wte')!.dataSync()));
    expect(pca2(table.dataSync() as Float32Array, vocab, 8).points).toHaveLength(2 * vocab);
    expect(() => charTransformerInspector.cellTrace(model, ids)).toThrow('Cell activations are an LSTM view');
    model.dispose();
  });
});

describe('saliency', () => {
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [8], units: 5, activation: 'tanh', kernelInitializer: tf.initializers.glorotNormal({ seed: 3 }) }),
      tf.layers.dense({ units: 3, kernelInitializer: tf.initializers.glorotNormal({ seed: 4 }) }),
    ],
  });
  const apply = (x: tf.Tensor) => model.apply(x) as tf.Tensor;
  const x = tf.tensor2d([[0.1, 0.9, 0.3, 0.0, 0.5, 0.7, 0.2, 0.4]]);
  afterAll(() => {
    x.dispose();
    model.dispose();
  });
  const scoreAt = (values: number[], c: number) => tf.tidy(() => apply(tf.tensor2d([values])).dataSync()[c]);

  it('the gradient matches a central finite difference on a few pixels, with no tensor left behind', () => {
    const before = tf.memory().numTensors;
    const g = saliency(apply, x, 1, { method: 'gradient' });
    expect(tf.memory().numTensors).toBe(before);
    const base = Array.from(x.dataSync());
    const h = 1e-2;
    for (const i of [0, 3, 6]) {
      const up = [...base];
      const down = [...base];
      up[i] += h;
      down[i] -= h;
      expect(g[i]).toBeCloseTo((scoreAt(up, 1) - scoreAt(down, 1)) / (2 * h), 3);
    }
  });

  it('integrated gradients sum to score(x) - score(0) (completeness), SmoothGrad is near the gradient with small noise', () => {
    const ig = saliency(apply, x, 2, { method: 'integrated', samples: 200 });
    const total = ig.reduce((a, b) => a + b, 0);
    expect(total).toBeCloseTo(scoreAt(Array.from(x.dataSync()), 2) - scoreAt(new Array(8).fill(0), 2), 2);
    const g = saliency(apply, x, 2, { method: 'gradient' });
    const sg = saliency(apply, x, 2, { method: 'smoothgrad', samples: 8, noise: 1e-4 });
    for (let i = 0; i < 8; i++) expect(sg[i]).toBeCloseTo(g[i], 3);
  });
});
