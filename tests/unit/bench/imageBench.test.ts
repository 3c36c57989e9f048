import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { benchImageBaseline, benchImageOurs, matmulRates } from '../../../src/engine/bench/imageBench';
import { trainingFlopsPerItem } from '../../../src/engine/bench/flops';
import { buildModel } from '../../../src/engine/families/images/model';
import { CNN_PRESET, MLP_PRESET } from '../../../src/engine/config/imageModel';
import { DEFAULT_TRAIN } from '../../../src/engine/config/train';
import { disposeSet, toDevice } from '../../../src/engine/train/deviceData';
import { mnistSubset } from '../mnist';
import { registerCpuMatMul } from '../../../src/engine/kernels/matmul/cpu';

beforeAll(async () => {
  await tf.setBackend('cpu');
  registerCpuMatMul(); // our cpu matmul, so the rates time both kernels
});

describe('bench arithmetic', () => {
  it("counts the FLOPs a training step computes per sample, without the first layer's input gradient (by hand)", () => {
    const mlp = buildModel(MLP_PRESET, 1);
    const cnn = buildModel(CNN_PRESET, 1);
    // MLP 784-64-10: dense 1 has 784 x 64 = 50,176 MACs (forward and weight gradient, 4 FLOPs a MAC: its input is
    // data), dense 2 64 x 10 = 640 (forward, weight and input gradients, 6 FLOPs a MAC): 200,704 + 3,840
    expect(trainingFlopsPerItem(mlp)).toBe(204_544);
    // conv 1 (28 x 28 out, 5 x 5 x 1 x 6): 117,600 MACs, its input is data: 470,400; conv 2 (10 x 10 out, 5 x 5 x 6 x 16):
    // 240,000 MACs; dense 400 x 120 = 48,000, 120 x 84 = 10,080, 84 x 10 = 840: 6 x 298,920 = 1,793,520
    expect(trainingFlopsPerItem(cnn)).toBe(470_400 + 1_793_520);
    mlp.dispose();
    cnn.dispose();
  });

  it('times our step and both model.fit baselines on real digits without leaving tensors behind', async () => {
    const { train } = mnistSubset(640, 0);
    const set = toDevice(train);
    const start = tf.memory().numTensors;
    const settings = { ...DEFAULT_TRAIN, batchSize: 32 };
    const ours = await benchImageOurs({ ...MLP_PRESET, dropout: 0 }, set, settings, 2, 8);
    expect(ours.steps).toBe(8);
    expect(ours.samplesPerSec).toBeGreaterThan(0);
    expect(ours.gflops).toBeCloseTo((ours.samplesPerSec * 204_544) / 1e9, 6);
    expect(ours.tensorsAfter).toBe(ours.tensorsBefore); // no growth inside the timed steps
    for (const pace of ['none', 'frame'] as const) {
      const baseline = await benchImageBaseline({ ...MLP_PRESET, dropout: 0 }, set, settings, 5, pace, 1);
      expect(baseline.steps).toBe(5);
      expect(baseline.gflops).toBeCloseTo((baseline.samplesPerSec * 204_544) / 1e9, 6);
    }
    // 640 images hold 20 batches of 32, not 2 + 19
    await expect(benchImageBaseline(MLP_PRESET, set, settings, 19, 'none')).rejects.toThrow(
      'The baseline needs 672 training images; 640 are loaded.',
    );
    const rates = await matmulRates([
      [16, 32, 8],
      [32, 32, 32],
    ]);
    expect(rates.shapes.map((r) => `${r.m}x${r.k}x${r.n} ${r.kernel}`)).toEqual(['16x32x8 tfjs', '16x32x8 ours', '32x32x32 tfjs', '32x32x32 ours']);
    expect(rates.best.gflops).toBe(Math.max(...rates.shapes.map((r) => r.gflops)));
    expect(rates.stepMatmul).toBe('ours'); // cpu: our matmul runs the steps whenever it is registered
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
