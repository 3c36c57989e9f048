import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { CNN_PRESET, MLP_PRESET } from '../../../src/engine/config/imageModel';
import { DEFAULT_TRAIN } from '../../../src/engine/config/train';
import { DEFAULT_TEXT_OPTIMIZER, DEFAULT_TEXT_TRAIN } from '../../../src/engine/config/textTrain';
import { Engine } from '../../../src/engine/services/engine';
import { mnistIdxPair } from '../mnist';

describe('Inspect through the engine (cpu)', () => {
  it('text: surprise per character, top-5 and embedding PCA after a short run; clear errors before', async () => {
    const session = new Engine();
    await session.init('cpu', () => {});
    await expect(session.inspectText('abc')).rejects.toThrow('Train or load a text model first');
    await session.loadText({ name: 'abc.txt', bytes: new TextEncoder().encode('abcab cabca bcabc '.repeat(60)) }, { lowercase: false, maxVocab: 0 });
    const tiny = { kind: 'charLstm' as const, embedding: 8, layers: 1, units: 16, dropout: 0, window: 8 };
    await session.trainText(
      tiny,
      { ...DEFAULT_TRAIN, ...DEFAULT_TEXT_OPTIMIZER, epochs: 3, batchSize: 8 },
      { ...DEFAULT_TEXT_TRAIN, evalEvery: 50, sampleLength: 0, maxValWindows: 8 },
      () => {},
    );
    await expect(session.inspectText('a')).rejects.toThrow('at least 2 characters');
    const before = tf.memory().numTensors;
    const view = await session.inspectText('abcab cabca');
    expect(tf.memory().numTensors).toBe(before);
    expect(view.nats.length).toBe(10);
    expect(view.k).toBe(5);
    expect(view.meanNats).toBeCloseTo(view.nats.reduce((a, b) => a + b, 0) / 10, 5);
    // the vocabulary is UNKNOWN, a, b, c and space: a trained model beats the uniform ln 5
    expect(view.meanNats).toBeLessThan(Math.log(5));
    expect(view.topProb[0]).toBeGreaterThanOrEqual(view.topProb[1]);
    expect(view.embedding.labels.length).toBe(5);
    expect(view.embedding.points.length).toBe(10);
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
    await session.train({ ...MLP_PRESET, dropout: 0 }, { ...DEFAULT_TRAIN, epochs: 1, batchSize: 32 }, () => {});
    const view = await session.inspectImageWeights();
    expect(view.units?.pixels).toBe(784);
    expect(view.units?.units).toBe(MLP_PRESET.hidden[0].units);
    expect(view.units!.scale).toBe(Math.max(...Array.from(view.units!.values, Math.abs)));
    expect(view.norms.length).toBe(MLP_PRESET.hidden.length + 1);
    expect(view.norms.every((n) => n.norm > 0)).toBe(true);
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

    await session.train({ ...CNN_PRESET, dropout: 0 }, { ...DEFAULT_TRAIN, epochs: 1, batchSize: 32 }, () => {});
    before = tf.memory().numTensors;
    const cnn = await session.inspectDigit(digit);
    expect(tf.memory().numTensors).toBe(before);
    expect(cnn.maps.map((m) => m.shape)).toEqual([
      [28, 28, 6],
      [10, 10, 16],
    ]);
    expect(cnn.maps.every((m) => m.values.length === m.shape[0] * m.shape[1] * m.shape[2])).toBe(true);
  }, 120_000);
});
