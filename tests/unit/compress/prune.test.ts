import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  applyMask,
  GradualPruning,
  prunableVariables,
  magnitudeMasks,
  polynomialSparsity,
  prunedTask,
  sparsityOf,
  validateGradualPruning,
} from '../../../src/engine/compress/prune';
import { buildModel } from '../../../src/engine/families/images/model';
import { MLP_PRESET } from '../../../src/engine/config/imageModel';
import { DEFAULT_TRAIN, TrainConfig } from '../../../src/engine/config/train';
import { DeviceSet, disposeSet, evaluateSet, toDevice } from '../../../src/engine/train/deviceData';
import { imageTask } from '../../../src/engine/families/images/task';
import { Trainer, TrainTask } from '../../../src/engine/train/trainer';
import { mulberry32 } from '../../../src/engine/data/random';
import { mnistSubset } from '../mnist';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Seeded weights with |w| in [floor, scale) and random signs; magnitudes all distinct in practice. */
function randomWeights(n: number, seed: number, scale = 1, floor = 0): Float32Array {
  const r = mulberry32(seed);
  return Float32Array.from({ length: n }, () => (r() < 0.5 ? -1 : 1) * (floor + r() * (scale - floor)));
}
const zeros = (a: ArrayLike<number>) => {
  let count = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === 0) count++;
  return count;
};

describe('magnitudeMasks', () => {
  it('per layer: prunes exactly round(s * n) of each tensor, the smallest |w|', () => {
    const a = randomWeights(1000, 1);
    const b = randomWeights(333, 2, 5);
    const { masks, thresholds } = magnitudeMasks([a, b], 0.9, 'layer');
    expect(zeros(masks[0])).toBe(900);
    expect(zeros(masks[1])).toBe(300); // round(299.7)
    [a, b].forEach((w, t) => {
      const pruned = Array.from(w)
        .filter((_, i) => masks[t][i] === 0)
        .map(Math.abs);
      const kept = Array.from(w)
        .filter((_, i) => masks[t][i] === 1)
        .map(Math.abs);
      expect(Math.max(...pruned)).toBe(thresholds[t]);
      expect(Math.min(...kept)).toBeGreaterThan(thresholds[t]);
      // Matches ranking the magnitudes by hand.
      const ranked = Array.from(w, (v, i) => [Math.abs(v), i]).sort((x, y) => x[0] - y[0]);
      const expected = new Set(ranked.slice(0, Math.round(0.9 * w.length)).map(([, i]) => i));
      expect(new Set(Array.from(masks[t].keys()).filter((i) => masks[t][i] === 0))).toEqual(expected);
    });
    const masked = applyMask(a, masks[0]);
    expect(sparsityOf(masked)).toBe(0.9);
    expect(sparsityOf(a)).toBe(0); // the input is untouched
  });

  it('global: prunes exactly round(s * n) over all tensors, more from the small-magnitude tensor', () => {
    const small = randomWeights(1000, 3, 0.1);
    const large = randomWeights(1000, 4, 1, 0.2);
    const { masks, thresholds } = magnitudeMasks([small, large], 0.5, 'global');
    expect(zeros(masks[0]) + zeros(masks[1])).toBe(1000);
    expect(zeros(masks[0])).toBe(1000); // every |w| < 0.1 of the small tensor is below every |w| >= 0.2 of the large one
    expect(zeros(masks[1])).toBe(0);
    expect(thresholds[1]).toBe(-Infinity);

    const medium = randomWeights(1000, 5, 0.5);
    const layer = magnitudeMasks([medium, large], 0.6, 'layer');
    expect(layer.masks.map(zeros)).toEqual([600, 600]);
    const g = magnitudeMasks([medium, large], 0.6, 'global');
    expect(zeros(g.masks[0]) + zeros(g.masks[1])).toBe(1200);
    expect(zeros(g.masks[0])).toBeGreaterThan(zeros(g.masks[1]));
    const all = [medium, large];
    const prunedMax = Math.max(
      ...all.flatMap((w, t) =>
        Array.from(w)
          .filter((_, i) => g.masks[t][i] === 0)
          .map(Math.abs),
      ),
    );
    const keptMin = Math.min(
      ...all.flatMap((w, t) =>
        Array.from(w)
          .filter((_, i) => g.masks[t][i] === 1)
          .map(Math.abs),
      ),
    );
    expect(prunedMax).toBeLessThan(keptMin);
    expect(Math.max(...g.thresholds)).toBe(prunedMax);
    g.thresholds.forEach((th, t) => {
      expect(Array.from(all[t]).every((v, i) => (g.masks[t][i] === 0 ? Math.abs(v) <= th : Math.abs(v) > th))).toBe(true);
    });
  });

  it('breaks ties by lower index first (tensor order, then element order), keeping the count exact', () => {
    const w = Float32Array.from([0.5, -0.5, 0.5, 0.1, 0.5, -0.5]);
    const { masks, thresholds } = magnitudeMasks([w], 0.5, 'layer'); // 3 of 6: 0.1, then the first two 0.5s
    expect(Array.from(masks[0])).toEqual([0, 0, 1, 0, 1, 1]);
    expect(thresholds[0]).toBe(0.5);
    const g = magnitudeMasks([Float32Array.from([1, 2]), Float32Array.from([1, 1])], 0.5, 'global');
    expect(g.masks.map((m) => Array.from(m))).toEqual([
      [0, 1],
      [0, 1],
    ]);
    // Zeros already present are pruned first, before any non-zero weight.
    const z = magnitudeMasks([Float32Array.from([0.3, 0, -0.2, 0, 0.1])], 0.6, 'layer');
    expect(Array.from(z.masks[0])).toEqual([1, 0, 1, 0, 0]);
  });

  it('sparsity 0 prunes nothing and 1 prunes everything', () => {
    const ws = [randomWeights(100, 6), randomWeights(10, 7)];
    for (const scope of ['layer', 'global'] as const) {
      const none = magnitudeMasks(ws, 0, scope);
      expect(none.masks.map(zeros)).toEqual([0, 0]);
      expect(none.thresholds).toEqual([-Infinity, -Infinity]);
      const all = magnitudeMasks(ws, 1, scope);
      expect(all.masks.map(zeros)).toEqual([100, 10]);
      ws.forEach((w, t) => expect(all.thresholds[t]).toBe(Math.max(...Array.from(w).map(Math.abs))));
      expect(sparsityOf(applyMask(ws[0], all.masks[0]))).toBe(1);
    }
  });

  it('refuses a sparsity outside [0, 1] with a clear message', () => {
    const ws = [randomWeights(10, 8)];
    expect(() => magnitudeMasks(ws, -0.1, 'layer')).toThrow('Sparsity must be a number from 0 to 1 (the fraction of weights set to zero), got -0.1.');
    expect(() => magnitudeMasks(ws, 1.5, 'global')).toThrow('got 1.5.');
    expect(() => magnitudeMasks(ws, NaN, 'layer')).toThrow('got NaN.');
    expect(() => magnitudeMasks(ws, 0.5, 'model' as never)).toThrow('Unknown pruning scope "model"');
  });

  it('applyMask and sparsityOf', () => {
    expect(Array.from(applyMask(Float32Array.from([1, -2, 3]), Uint8Array.from([1, 0, 1])))).toEqual([1, 0, 3]);
    expect(() => applyMask(Float32Array.from([1, 2]), Uint8Array.from([1]))).toThrow('Mask has 1 entries but the tensor has 2.');
    expect(sparsityOf(Float32Array.from([0, -0, 1, 2]))).toBe(0.5);
    expect(sparsityOf(new Float32Array(0))).toBe(0);
  });
});

describe('polynomialSparsity', () => {
  it('starts at the initial value, ends at the final one, and rises monotonically', () => {
    expect(polynomialSparsity(0, 100, 0.2, 0.9)).toBe(0.2);
    expect(polynomialSparsity(100, 100, 0.2, 0.9)).toBe(0.9);
    expect(polynomialSparsity(50, 100, 0, 0.9)).toBeCloseTo(0.9 - 0.9 * 0.5 ** 3, 12); // 0.7875
    expect(polynomialSparsity(50, 100, 0, 0.9)).toBeCloseTo(0.7875, 12);
    expect(polynomialSparsity(25, 100, 0, 0.8, 1)).toBeCloseTo(0.2, 12); // a linear schedule with exponent 1
    const values = Array.from({ length: 101 }, (_, t) => polynomialSparsity(t, 100, 0, 0.9));
    values.slice(1).forEach((v, i) => expect(v).toBeGreaterThan(values[i]));
    // The cubic prunes fast early and slowly late.
    expect(values[10] - values[0]).toBeGreaterThan(values[100] - values[90]);
  });

  it('clamps outside [0, n], and n = 0 means the final value', () => {
    expect(polynomialSparsity(-5, 10, 0.1, 0.5)).toBe(0.1);
    expect(polynomialSparsity(20, 10, 0.1, 0.5)).toBe(0.5);
    expect(polynomialSparsity(0, 0, 0.1, 0.5)).toBe(0.5);
  });
});

describe('validateGradualPruning', () => {
  const ok: GradualPruning = { initialSparsity: 0.3, finalSparsity: 0.9, scope: 'layer', updates: 5 };
  it('accepts a sound schedule and explains each bad setting', () => {
    expect(validateGradualPruning(ok)).toEqual([]);
    expect(validateGradualPruning({ ...ok, finalSparsity: 1.2 })).toEqual(['Final sparsity must be from 0 to 1, got 1.2.']);
    expect(validateGradualPruning({ ...ok, initialSparsity: 0.95 })[0]).toContain('must not exceed the final sparsity');
    expect(validateGradualPruning({ ...ok, updates: 0 })).toEqual(['Mask updates must be a whole number from 1 to 10000, got 0.']);
    expect(validateGradualPruning({ ...ok, scope: 'x' as never, initialSparsity: NaN })).toHaveLength(2);
  });
  it('prunedTask refuses a bad schedule or step count', () => {
    const dummy = {} as TrainTask;
    expect(() => prunedTask(dummy, [], 100, { ...ok, updates: 1.5 })).toThrow('Mask updates must be a whole number');
    expect(() => prunedTask(dummy, [], 0, ok)).toThrow('Total steps must be a whole number of at least 1, got 0.');
  });
});

/**
 * Wraps the real image task to look at the weights each inner step starts from (after the pruning wrapper has applied
 * the previous step's mask and any new schedule point).
 */
function probe(inner: TrainTask, vars: tf.Variable[]) {
  const seen: Float32Array[][] = [];
  const task: TrainTask = {
    stepsPerEpoch: inner.stepsPerEpoch,
    itemsPerStep: inner.itemsPerStep,
    beginEpoch: (r) => inner.beginEpoch(r),
    step(optimizer, s) {
      seen.push(vars.map((v) => (v.dataSync() as Float32Array).slice()));
      return inner.step(optimizer, s);
    },
    validate: () => inner.validate(),
  };
  return { task, seen };
}

const zeroPositions = (w: Float32Array) => Array.from(w.keys()).filter((i) => w[i] === 0);

describe('gradual pruning of a trained MLP on real MNIST digits', () => {
  let trainSet: DeviceSet, testSet: DeviceSet;
  let pretrainedHost: { values: Float32Array; shape: number[] }[];
  let denseAccuracy: number;
  const mlp = { ...MLP_PRESET, dropout: 0 };
  // 1920 examples in batches of 64: 30 steps an epoch.
  const base: TrainConfig = { ...DEFAULT_TRAIN, optimizer: 'adam', learningRate: 0.002, batchSize: 64, seed: 11, metricsEvery: 10, trainLimit: 1920 };

  beforeAll(async () => {
    await tf.setBackend('cpu');
    const { train, test } = mnistSubset(2000, 1000);
    trainSet = toDevice(train);
    testSet = toDevice(test);
    const model = buildModel(mlp, 5);
    const cfg = { ...base, epochs: 1, seed: 5, learningRate: 0.004 };
    await new Trainer(imageTask(model, trainSet, null, cfg), cfg, () => {}).run();
    denseAccuracy = (await evaluateSet(model, testSet)).accuracy;
    pretrainedHost = model.getWeights().map((w) => ({ values: (w.dataSync() as Float32Array).slice(), shape: w.shape }));
    model.dispose();
  });
  afterAll(() => [trainSet, testSet].forEach(disposeSet));

  /** A fresh model holding the pretrained weights. */
  function pretrained() {
    const model = buildModel(mlp, 5);
    const ws = pretrainedHost.map((w) => tf.tensor(w.values, w.shape));
    model.setWeights(ws);
    tf.dispose(ws);
    return model;
  }

  // Per layer, the 640-weight output kernel is pruned as hard as the hidden one, so that case stops at 80%; globally
  // most of the pruning falls on the 50176 small hidden weights and 90% holds up.
  const cases = [
    { scope: 'layer' as const, final: 0.8, epochs: 3, updates: 3 }, // 90 steps, schedule points before steps 0, 30, 60
    { scope: 'global' as const, final: 0.9, epochs: 2, updates: 3 }, // 60 steps, schedule points before steps 0, 20, 40
  ];
  for (const { scope, final: finalSparsity, epochs, updates } of cases) {
    it(`${scope}: the kernels end exactly at ${finalSparsity} sparsity, early pruning holds, accuracy holds`, async () => {
      const before = tf.memory().numTensors;
      const model = pretrained();
      const vars = prunableVariables(model);
      expect(vars.map((v) => v.shape)).toEqual([
        [784, 64],
        [64, 10],
      ]);
      const biases = model.trainableWeights.filter((w) => /bias/.test(w.name)).map((w) => w.read());
      const pretrainedWeights = vars.map((v) => (v.dataSync() as Float32Array).slice());
      const schedule: GradualPruning = { initialSparsity: 0.3, finalSparsity, scope, updates };
      const cfg = { ...base, epochs };
      const inner = imageTask(model, trainSet, testSet, cfg);
      const totalSteps = inner.stepsPerEpoch * cfg.epochs;
      expect(totalSteps).toBe(30 * epochs);
      const { task: probed, seen } = probe(inner, vars);
      const task = prunedTask(probed, vars, totalSteps, schedule);
      expect(task.currentSparsity()).toBe(0);
      const result = await new Trainer(task, cfg, () => {}).run();
      expect(result.reason).toBe('finished');
      expect(result.steps).toBe(totalSteps);
      expect(task.currentSparsity()).toBe(finalSparsity);

      // Point j, before step floor(j * totalSteps / updates), prunes to s_f + (0.3 - s_f) * (1 - j / (updates - 1))^3.
      const every = totalSteps / updates;
      const scheduled = (step: number) => finalSparsity + (0.3 - finalSparsity) * (1 - Math.floor(step / every) / (updates - 1)) ** 3;
      const counts = (ws: Float32Array[]) => (scope === 'layer' ? ws.map(zeros) : [zeros(ws[0]) + zeros(ws[1])]);
      const target = (s: number) => (scope === 'layer' ? vars.map((v) => Math.round(s * v.size)) : [Math.round(s * (784 * 64 + 64 * 10))]);
      expect(seen).toHaveLength(totalSteps);
      seen.forEach((ws, step) => expect(counts(ws)).toEqual(target(scheduled(step))));
      expect(new Set(seen.map((ws) => counts(ws).join())).size).toBe(updates);

      // After the run (the last update was masked too): exactly the final sparsity.
      const final = vars.map((v) => v.dataSync() as Float32Array);
      expect(counts(final)).toEqual(target(finalSparsity));
      if (scope === 'layer') final.forEach((w) => expect(sparsityOf(w)).toBeCloseTo(finalSparsity, 3));
      else expect((zeros(final[0]) + zeros(final[1])) / 50816).toBeCloseTo(finalSparsity, 4);

      // The first schedule point pruned the smallest 30% of the pretrained weights; they are still exactly zero at the
      // end, and every weight zero before a step stays zero after it (Adam's moments do not revive them).
      const first = magnitudeMasks(pretrainedWeights, 0.3, scope).masks;
      final.forEach((w, t) => {
        const firstPruned = zeroPositions(seen[0][t]);
        expect(firstPruned).toEqual(Array.from(first[t].keys()).filter((i) => first[t][i] === 0));
        expect(firstPruned.every((i) => w[i] === 0)).toBe(true);
      });
      for (let step = 1; step < seen.length; step++) {
        seen[step].forEach((w, t) => expect(zeroPositions(seen[step - 1][t]).every((i) => w[i] === 0)).toBe(true));
      }
      // The kept weights were still trained; biases are not pruned.
      expect(final.every((w, t) => w.some((v, i) => v !== 0 && v !== seen[0][t][i]))).toBe(true);
      expect(biases.every((b) => sparsityOf(b.dataSync() as Float32Array) < 0.5)).toBe(true);

      // Accuracy on 1000 held-out test digits stays well above chance (0.1) at the final sparsity.
      expect(denseAccuracy).toBeGreaterThan(0.75);
      const prunedAcc = (await evaluateSet(model, testSet)).accuracy;
      expect(prunedAcc).toBeGreaterThan(0.8);
      expect(prunedAcc).toBeGreaterThan(denseAccuracy - 0.05);
      expect(result.epochs.every((e) => e.valAccuracy > 0.75)).toBe(true);

      // The masks are the wrapper's only tensors: the count is flat across epochs and dispose() frees them.
      expect(new Set(result.epochs.map((e) => e.numTensors)).size).toBe(1);
      const withMasks = tf.memory().numTensors;
      task.dispose();
      expect(tf.memory().numTensors).toBe(withMasks - 2);
      model.dispose();
      expect(tf.memory().numTensors).toBe(before);
      const sgd = tf.train.sgd(0.1);
      expect(() => task.step(sgd, 0)).toThrow('This pruning task was disposed.');
      sgd.dispose();
    });
  }

  it('one update prunes to the final sparsity before the first step', async () => {
    const model = buildModel(mlp, 9);
    const vars = prunableVariables(model);
    const cfg = { ...base, epochs: 1, trainLimit: 320 }; // 5 steps
    const inner = imageTask(model, trainSet, null, cfg);
    const { task: probed, seen } = probe(inner, vars);
    const task = prunedTask(probed, vars, 5, { initialSparsity: 0, finalSparsity: 0.5, scope: 'layer', updates: 1 });
    await new Trainer(task, cfg, () => {}).run();
    expect(seen.map((ws) => ws.map(zeros))).toEqual(Array.from({ length: 5 }, () => [784 * 32, 320]));
    expect(vars.map((v) => zeros(v.dataSync() as Float32Array))).toEqual([784 * 32, 320]);
    expect(task.currentSparsity()).toBe(0.5);
    task.dispose();
    model.dispose();
  });

  it('more updates than steps: the latest point due wins, and the last step is at the final sparsity', async () => {
    const model = buildModel(mlp, 10);
    const vars = prunableVariables(model);
    const cfg = { ...base, epochs: 1, trainLimit: 320 }; // 5 steps
    const inner = imageTask(model, trainSet, null, cfg);
    const { task: probed, seen } = probe(inner, vars);
    const updates = 12; // point j falls before step floor(5j / 12): steps 0,0,0,1,1,2,2,2,3,3,4,4
    const task = prunedTask(probed, vars, 5, { initialSparsity: 0.1, finalSparsity: 0.8, scope: 'global', updates });
    await new Trainer(task, cfg, () => {}).run();
    const total = (ws: Float32Array[]) => zeros(ws[0]) + zeros(ws[1]);
    const latest = [2, 4, 7, 9, 11];
    expect(seen.map(total)).toEqual(latest.map((j) => Math.round(polynomialSparsity(j, updates - 1, 0.1, 0.8) * 50816)));
    expect(total(seen[4])).toBe(Math.round(0.8 * 50816));
    expect(total(vars.map((v) => v.dataSync() as Float32Array))).toBe(Math.round(0.8 * 50816));
    task.dispose();
    model.dispose();
  });
});
