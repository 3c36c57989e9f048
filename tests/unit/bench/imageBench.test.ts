import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { benchImageBaseline, benchImageOurs, matmulPeak, trainingFlopsPerSample } from '../../../src/engine/bench/imageBench';
import { buildModel } from '../../../src/engine/families/images/model';
import { CNN_PRESET, MLP_PRESET } from '../../../src/engine/config/imageModel';
import { DEFAULT_TRAIN } from '../../../src/engine/config/train';
import { disposeSet, toDevice } from '../../../src/engine/train/deviceData';
import { mnistSubset } from '../mnist';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('bench arithmetic', () => {
  it('counts 6 x MACs per sample for dense and conv layers (hand-computed)', () => {
    const mlp = buildModel(MLP_PRESET, 1);
    const cnn = buildModel(CNN_PRESET, 1);
    expect(trainingFlopsPerSample(mlp)).toBe(6 * (784 * 64 + 64 * 10));
    // conv 28x28 out, 5x5x1x6; conv 10x10 out, 5x5x6x16; dense 400x120, 120x84, 84x10
    expect(trainingFlopsPerSample(cnn)).toBe(6 * (28 * 28 * 25 * 6 + 10 * 10 * 25 * 6 * 16 + 400 * 120 + 120 * 84 + 84 * 10));
    mlp.dispose();
    cnn.dispose();
  });

  it('times our step and the model.fit baseline on real digits without leaving tensors behind', async () => {
    const { train } = mnistSubset(640, 0);
    const set = toDevice(train);
    const start = tf.memory().numTensors;
    const settings = { ...DEFAULT_TRAIN, batchSize: 32 };
    const ours = await benchImageOurs({ ...MLP_PRESET, dropout: 0 }, set, settings, 2, 8);
    expect(ours.steps).toBe(8);
    expect(ours.samplesPerSec).toBeGreaterThan(0);
    expect(ours.gflops).toBeCloseTo((ours.samplesPerSec * 6 * (784 * 64 + 64 * 10)) / 1e9, 6);
    expect(ours.tensorsAfter).toBe(ours.tensorsBefore); // no growth inside the timed steps
    const baseline = await benchImageBaseline({ ...MLP_PRESET, dropout: 0 }, set, settings, 5);
    expect(baseline.steps).toBe(5);
    expect(baseline.samplesPerSec).toBeGreaterThan(0);
    const peak = await matmulPeak(64, 3);
    expect(peak.gflops).toBeGreaterThan(0);
    expect(tf.memory().numTensors).toBe(start);
    disposeSet(set);
  });
});

describe('the per-model backend choice', () => {
  it('times each candidate backend, reports why one cannot start, and leaves the active backend as it was', async () => {
    const { Engine } = await import('../../../src/engine/services/engine');
    const { mnistIdxPair } = await import('../mnist');
    const session = new Engine();
    await session.init('cpu', () => {});
    const { images, labels } = mnistIdxPair(0, 700);
    await session.loadIdxFiles(
      [
        { name: 'images', bytes: images },
        { name: 'labels', bytes: labels },
      ],
      50,
    );
    const before = tf.memory().numTensors;
    const { timings, interrupted } = await session.measureBackends('mlp', MLP_PRESET, ['webgpu', 'cpu']);
    expect(interrupted).toBe(false);
    expect(timings.map((t) => t.backend)).toEqual(['webgpu', 'cpu']);
    expect(timings[0].error).toMatch(/WebGPU|navigator\.gpu/);
    expect(timings[0].itemsPerSec).toBeUndefined();
    expect(timings[1].itemsPerSec).toBeGreaterThan(0);
    expect(tf.getBackend()).toBe('cpu');
    expect(tf.memory().numTensors).toBe(before); // the measuring sample and models are freed
    await expect(
      session.measureBackends('charLstm', { kind: 'charLstm', embedding: 8, layers: 1, units: 8, dropout: 0, window: 8 }, ['cpu']),
    ).resolves.toEqual({ timings: [{ backend: 'cpu', error: 'Load a text first.' }], interrupted: false });

    // any other job makes a measurement give way at once: it stops at its next warm-up step, partial and freed
    const measuring = session.measureBackends('cnn', CNN_PRESET, ['cpu', 'cpu', 'cpu']);
    await new Promise((resolve) => setTimeout(resolve, 0));
    const switched = await session.setBackend('cpu');
    expect(switched.active).toBe('cpu');
    const stopped = await measuring;
    expect(stopped.interrupted).toBe(true);
    expect(stopped.timings.length).toBeLessThan(3);
    expect(tf.memory().numTensors).toBe(before);
  });
});
