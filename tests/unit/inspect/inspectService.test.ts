import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { CNN_PRESET, MLP_PRESET } from '../../../src/engine/config/imageModel';
import { DEFAULT_TRAIN } from '../../../src/engine/config/train';
import { DEFAULT_TEXT_OPTIMIZER, DEFAULT_TEXT_TRAIN } from '../../../src/engine/config/textTrain';
import { Engine } from '../../../src/engine/services/engine';
import { UNKNOWN } from '../../../src/engine/text/corpus';
import { mnistIdxPair } from '../mnist';

describe('Inspect through the engine (cpu)', () => {
  it('text: surprise per character, top-5 and embedding PCA after a short run; clear errors before', async () => {
    const session = new Engine();
    await session.init('cpu', () => {});
    await expect(session.inspectText('abc')).rejects.toThrow('Train or load a text model first');
    await expect(session.inspectCells('abc', { unit: 0 })).rejects.toThrow('Train or load a text model first, then pick a cell.');
    await session.loadText({ name: 'abc.txt', bytes: new TextEncoder().encode('abcab cabca bcabc '.repeat(60)) }, { lowercase: false, maxVocab: 0 });
    const tiny = { kind: 'charLstm' as const, embedding: 8, layers: 1, units: 16, dropout: 0, window: 8 };
    await session.trainText(
      tiny,
      { ...DEFAULT_TRAIN, ...DEFAULT_TEXT_OPTIMIZER, epochs: 3, batchSize: 8 },
      { ...DEFAULT_TEXT_TRAIN, evalEvery: 50, sampleLength: 0, maxValWindows: 8 },
      () => {},
    );
    await expect(session.inspectText('a')).rejects.toThrow('Give a passage of 2 to 2000 characters to measure surprise on, got 1.');
    let before = tf.memory().numTensors;
    const view = await session.inspectText('abcab cabca');
    expect(tf.memory().numTensors).toBe(before);
    expect(view.nats.length).toBe(10);
    expect(view.window).toBeNull(); // the LSTM reads the whole passage, its state carrying it
    expect(view.k).toBe(5);
    expect(view.meanNats).toBeCloseTo(view.nats.reduce((a, b) => a + b, 0) / 10, 5);
    // the vocabulary is UNKNOWN, a, b, c and space: a trained model beats the uniform ln 5
    expect(view.meanNats).toBeLessThan(Math.log(5));
    expect(view.topProb[0]).toBeGreaterThanOrEqual(view.topProb[1]);
    expect(view.embedding.labels.length).toBe(5);
    expect(view.embedding.points.length).toBe(10);

    // one LSTM cell along the passage: the one most correlated with spaces, and the same unit asked for by index
    const passage = 'abcab cabca bcabc';
    before = tf.memory().numTensors;
    const bySpace = await session.inspectCells(passage, { feature: 'space' });
    expect(tf.memory().numTensors).toBe(before);
    expect(bySpace.values).toHaveLength(passage.length);
    expect([bySpace.layers, bySpace.layer, bySpace.units]).toEqual([1, 0, 16]);
    const strongest = Math.max(...Array.from(bySpace.feature!.correlations, Math.abs));
    expect(Math.abs(bySpace.feature!.correlations[bySpace.unit])).toBe(strongest);
    expect(Array.from(bySpace.feature!.series)).toEqual(Array.from(passage, (ch) => (ch === ' ' ? 1 : 0)));
    const byIndex = await session.inspectCells(passage, { unit: bySpace.unit });
    expect(byIndex.values).toEqual(bySpace.values);
    expect(byIndex.feature).toBeNull();
    await expect(session.inspectCells(passage, { unit: 16 })).rejects.toThrow('Pick a cell from 0 to 15, got 16.');
    await expect(session.inspectCells(passage, { unit: 0, layer: 1 })).rejects.toThrow('Pick an LSTM layer from 0 to 0, got 1.');
    await expect(session.inspectCells(passage, { feature: 'vowels' as never })).rejects.toThrow('Pick a cell by one of quote, newline');
    await expect(session.inspectCells('a', { unit: 0 })).rejects.toThrow('Give a passage of 2 to 2000 characters');
    await expect(session.inspectCells(passage, { feature: 'quote' })).rejects.toThrow('Nothing in the passage varies with inside quotes');
  }, 120_000);

  it('text with a char-Transformer: surprise equals its per-character loss, windows past the context, no cells', async () => {
    const session = new Engine();
    await session.init('cpu', () => {});
    await session.loadText({ name: 'abc.txt', bytes: new TextEncoder().encode('abcab cabca bcabc '.repeat(60)) }, { lowercase: false, maxVocab: 0 });
    const gpt = { kind: 'charTransformer' as const, layers: 1, heads: 2, width: 8, context: 8, dropout: 0, tied: true };
    await session.trainText(
      gpt,
      { ...DEFAULT_TRAIN, ...DEFAULT_TEXT_OPTIMIZER, epochs: 2, batchSize: 8, learningRate: 0.02 },
      { ...DEFAULT_TEXT_TRAIN, evalEvery: 10, sampleLength: 0, maxValWindows: 8 },
      () => {},
    );
    // within the context: one window, and each character's surprise is the attention view's loss on it
    const passage = 'abcab ca';
    let before = tf.memory().numTensors;
    const view = await session.inspectText(passage);
    expect(tf.memory().numTensors).toBe(before);
    expect(view.window).toEqual({ context: 8, stride: 4, windows: 1 });
    const { losses } = await session.charAttention(0, passage);
    expect(losses).toHaveLength(7);
    for (let t = 0; t < 7; t++) expect(view.nats[t]).toBeCloseTo(losses[t], 4);
    expect(view.meanNats).toBeCloseTo(losses.reduce((a, b) => a + b, 0) / 7, 4);
    expect(view.meanNats).toBeLessThan(Math.log(5)); // UNKNOWN, a, b, c, space: better than uniform
    // top-5 of a 5-character vocabulary: every character once, largest first, summing to 1, the target's among them
    for (let t = 0; t < 7; t++) {
      const top = view.topProb.subarray(5 * t, 5 * t + 5);
      expect(Array.from(top)).toEqual([...top].sort((a, b) => b - a));
      expect(top.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      expect(new Set(view.top.slice(5 * t, 5 * t + 5)).size).toBe(5);
      const j = view.top.slice(5 * t, 5 * t + 5).indexOf(passage[t + 1]);
      expect(top[j]).toBeCloseTo(Math.exp(-view.nats[t]), 5);
    }
    expect([...view.embedding.labels].sort()).toEqual([UNKNOWN, ' ', 'a', 'b', 'c'].sort());
    expect(view.embedding.points).toHaveLength(10);
    expect(Array.from(view.embedding.points).every(Number.isFinite)).toBe(true);

    // past the context (27 inputs, context 8): windows 4 apart, each character's surprise the loss in its window
    const long = 'abcab cabca bcabc abcab cabc';
    const slid = await session.inspectText(long);
    // starts 0, 4, ..., 16 (16 + 8 < 27), then 19 (moved back to end at input 26)
    expect(slid.window).toEqual({ context: 8, stride: 4, windows: 6 });
    expect(slid.nats).toHaveLength(27);
    const plan: [start: number, from: number, to: number][] = [
      [0, 0, 7],
      [4, 8, 11],
      [8, 12, 15],
      [12, 16, 19],
      [16, 20, 23],
      [19, 24, 26],
    ];
    for (const [start, from, to] of plan) {
      // the attention view reads 8 characters: losses for inputs start..start + 6
      const inWindow = (await session.charAttention(0, long.slice(start, start + 8))).losses;
      for (let t = from; t <= Math.min(to, start + 6); t++) expect(slid.nats[t]).toBeCloseTo(inWindow[t - start], 4);
    }

    // cells are an LSTM view: a plain sentence, not a failure inside the LSTM stepper
    await expect(session.inspectCells(passage, { unit: 0 })).rejects.toThrow(
      "Cell activations are an LSTM view; the Transformer's attention is shown in the Attention panel.",
    );
    await expect(session.inspectText('x'.repeat(2001))).rejects.toThrow('Give a passage of 2 to 2000 characters to measure surprise on, got 2001.');
    before = tf.memory().numTensors;
    await session.inspectText(long);
    expect(tf.memory().numTensors).toBe(before);
  }, 120_000);

  it('images: 784-pixel unit images on one scale and a norm per weighted layer', async () => {
    const session = new Engine();
    await session.init('cpu', () => {});
    await expect(session.inspectImageWeights()).rejects.toThrow('Train or load an image model first');
    const { images, labels } = mnistIdxPair(0, 700);
    await session.loadIdxFiles(
      [
        { name: 'images', bytes: images },
        { name: 'labels', bytes: labels },
      ],
      100,
    );
    const run = await session.train({ ...MLP_PRESET, dropout: 0 }, { ...DEFAULT_TRAIN, epochs: 1, batchSize: 32 }, () => {});
    const view = await session.inspectImageWeights();
    expect(view.units?.pixels).toBe(784);
    expect(view.units?.units).toBe(MLP_PRESET.hidden[0].units);
    expect(view.units!.scale).toBe(Math.max(...Array.from(view.units!.values, Math.abs)));
    expect(view.norms.length).toBe(MLP_PRESET.hidden.length + 1);
    expect(view.filters).toEqual([]);
    // one hidden layer of 64: each unit's outgoing weights go to the 10 classes
    expect([view.outgoing?.units, view.outgoing?.next, view.outgoing?.toClasses]).toEqual([64, 10, true]);
    expect(view.norms.every((n) => n.norm > 0)).toBe(true);

    // training health, recorded in the worker during the run: 16 steps of 32, one probed in 10
    expect(run.steps).toBe(16);
    const health = await session.inspectHealth('images');
    expect(health.layers).toEqual(view.norms.map((n) => n.layer));
    expect(Array.from(health.steps)).toEqual([1, 11]);
    expect(health.weightNorms.length).toBe(2 * health.layers.length);
    expect(health.updateRatios.every((r) => r > 0 && r < 1)).toBe(true);
    expect(health.checkpoints.map((c) => c.label)).toEqual(['start', 'epoch 1']);
    const asked = await session.inspectHealth('images', true);
    expect(asked.checkpoints.map((c) => c.label)).toEqual(['start', 'epoch 1', 'asked at step 16']);
    // the histogram taken now counts every weight of each layer, as the end of epoch 1 (the same weights) did
    expect(asked.checkpoints[2].histograms).toEqual(asked.checkpoints[1].histograms);
    await expect(session.inspectHealth('sound' as never)).rejects.toThrow("for 'images' or 'text', not \"sound\"");
    await expect(session.inspectHealth('text', true)).rejects.toThrow('Train or load a text model first');

    // a stored run's checkpoint: another run replaces the model; opening the first run brings its weights back to Inspect
    await session.train({ ...MLP_PRESET, dropout: 0 }, { ...DEFAULT_TRAIN, epochs: 1, batchSize: 32, seed: 99 }, () => {});
    expect((await session.inspectImageWeights()).units!.values).not.toEqual(view.units!.values);
    expect((await session.inspectHealth('images')).checkpoints.map((c) => c.label)).toEqual(['start', 'epoch 1']);
    const [, first] = await session.listRuns();
    await session.openRun(first.id);
    expect((await session.inspectImageWeights()).units!.values).toEqual(view.units!.values);
  }, 120_000);

  it("a drawn digit: saliency of the guess (MLP) and every conv layer's feature maps (CNN), no tensor left behind", async () => {
    const session = new Engine();
    await session.init('cpu', () => {});
    const digit = new Float32Array(784);
    for (let y = 4; y < 24; y++) digit[y * 28 + 14] = 1; // a vertical stroke
    await expect(session.inspectDigit(digit)).rejects.toThrow('Train or load an image model first');
    const { images, labels } = mnistIdxPair(0, 300);
    await session.loadIdxFiles(
      [
        { name: 'images', bytes: images },
        { name: 'labels', bytes: labels },
      ],
      50,
    );
    await session.train({ ...MLP_PRESET, dropout: 0 }, { ...DEFAULT_TRAIN, epochs: 1, batchSize: 32 }, () => {});
    await expect(session.inspectDigit(new Float32Array(10))).rejects.toThrow('Expected 784 pixels');
    const probs = await session.predict(digit);
    let before = tf.memory().numTensors;
    const mlp = await session.inspectDigit(digit);
    expect(tf.memory().numTensors).toBe(before);
    expect(mlp.classIndex).toBe(probs.indexOf(Math.max(...probs)));
    expect(mlp.saliency).toHaveLength(784);
    expect(mlp.saliency.some((v) => v !== 0)).toBe(true);
    expect(mlp.maps).toEqual([]);
    expect(mlp.method).toBe('smoothgrad');
    expect(mlp.probability).toBeCloseTo(probs[mlp.classIndex], 5);
    // the plain gradient is one of SmoothGrad's terms without noise: another map; integrated gradients are 0 off the ink
    const plain = await session.inspectDigit(digit, 'gradient');
    expect(plain.saliency).not.toEqual(mlp.saliency);
    const integrated = await session.inspectDigit(digit, 'integrated');
    expect(integrated.saliency.every((v, p) => digit[p] !== 0 || v === 0)).toBe(true);
    expect(integrated.saliency.some((v) => v !== 0)).toBe(true);
    await expect(session.inspectDigit(digit, 'occlusion' as never)).rejects.toThrow('Saliency by gradient, smoothgrad, integrated; got "occlusion".');

    await session.train({ ...CNN_PRESET, dropout: 0 }, { ...DEFAULT_TRAIN, epochs: 1, batchSize: 32 }, () => {});
    before = tf.memory().numTensors;
    const cnn = await session.inspectDigit(digit);
    expect(tf.memory().numTensors).toBe(before);
    expect(cnn.maps.map((m) => m.shape)).toEqual([
      [28, 28, 6],
      [10, 10, 16],
    ]);
    expect(cnn.maps.every((m) => m.values.length === m.shape[0] * m.shape[1] * m.shape[2])).toBe(true);
    // every conv filter, as stored: the second layer's filters see the first layer's 6 maps
    const weights = await session.inspectImageWeights();
    expect(weights.filters.map((f) => [f.inputs, f.filters])).toEqual([
      [1, 6],
      [6, 16],
    ]);
    expect(weights.filters.every((f) => f.values.length === f.kh * f.kw * f.inputs * f.filters)).toBe(true);
  }, 120_000);
});
