import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { distillationLoss, distillTask } from '../../../src/engine/compress/distill';
import { validateDistill, DistillOptions } from '../../../src/engine/config/compress';
import { MLP_PRESET, MlpConfig } from '../../../src/engine/config/imageModel';
import { DEFAULT_TRAIN, TrainConfig } from '../../../src/engine/config/train';
import { StepPoint } from '../../../src/engine/config/events';
import { mulberry32, shuffledIndices } from '../../../src/engine/data/random';
import { buildModel } from '../../../src/engine/families/images/model';
import { accuracy, crossEntropy, DeviceSet, disposeSet, evaluateSet, toDevice } from '../../../src/engine/train/deviceData';
import { imageTask } from '../../../src/engine/families/images/task';
import { Trainer } from '../../../src/engine/train/trainer';
import { mnistSubset } from '../mnist';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const read = (t: tf.Tensor) => {
  const v = t.dataSync()[0];
  t.dispose();
  return v;
};

describe('distillationLoss', () => {
  // Two examples, three classes; labels 0 and 2.
  const student = [
    [0.7, 0.2, 0.1],
    [0.1, 0.3, 0.6],
  ];
  const teacher = [
    [0.5, 0.3, 0.2],
    [0.2, 0.2, 0.6],
  ];
  let ps: tf.Tensor2D, pt: tf.Tensor2D, labels: tf.Tensor1D;
  beforeAll(() => {
    ps = tf.tensor2d(student);
    pt = tf.tensor2d(teacher);
    labels = tf.tensor1d([0, 2], 'int32');
  });
  afterAll(() => tf.dispose([ps, pt, labels]));

  /** softmax(log p / T) = p^(1/T) / sum p^(1/T), by hand. */
  const soften = (p: number[], T: number) => {
    const z = p.map((x) => x ** (1 / T));
    const s = z.reduce((a, b) => a + b, 0);
    return z.map((x) => x / s);
  };
  const handKl = (T: number) =>
    teacher.reduce((sum, t, b) => {
      const qt = soften(t, T);
      const qs = soften(student[b], T);
      return sum + qt.reduce((a, q, c) => a + q * Math.log(q / qs[c]), 0);
    }, 0) / teacher.length;

  it('alpha = 1 is plain cross-entropy on the true labels', () => {
    const ce = -(Math.log(0.7) + Math.log(0.6)) / 2;
    expect(read(distillationLoss(ps, pt, labels, { temperature: 3, alpha: 1 }))).toBeCloseTo(ce, 6);
    expect(read(distillationLoss(ps, pt, labels, { temperature: 3, alpha: 1 }))).toBeCloseTo(read(crossEntropy(ps, labels)), 7);
  });

  it('alpha = 0 is T^2 * KL(soft teacher || soft student), averaged over the batch', () => {
    // T = 2: soften by square roots. Worked out separately: KL = 0.0223801389, T^2 KL = 0.0895205558.
    expect(handKl(2)).toBeCloseTo(0.0223801389, 9);
    expect(read(distillationLoss(ps, pt, labels, { temperature: 2, alpha: 0 }))).toBeCloseTo(4 * 0.0223801389, 6);
    for (const T of [1, 5]) expect(read(distillationLoss(ps, pt, labels, { temperature: T, alpha: 0 }))).toBeCloseTo(T * T * handKl(T), 5);
    // It ignores the labels.
    const other = tf.tensor1d([1, 1], 'int32');
    expect(read(distillationLoss(ps, pt, other, { temperature: 2, alpha: 0 }))).toBeCloseTo(4 * handKl(2), 6);
    other.dispose();
  });

  it('mixes the two terms by alpha', () => {
    const ce = -(Math.log(0.7) + Math.log(0.6)) / 2;
    expect(read(distillationLoss(ps, pt, labels, { temperature: 2, alpha: 0.25 }))).toBeCloseTo(0.25 * ce + 0.75 * 4 * handKl(2), 6);
    expect(0.25 * ce + 0.75 * 4 * handKl(2)).toBeCloseTo(0.175577988, 8);
  });

  it('is zero KL when the student matches the teacher', () => {
    expect(read(distillationLoss(pt, pt, labels, { temperature: 4, alpha: 0 }))).toBeCloseTo(0, 7);
    const half = read(distillationLoss(pt, pt, labels, { temperature: 4, alpha: 0.5 }));
    expect(half).toBeCloseTo(0.5 * read(crossEntropy(pt, labels)), 6);
  });

  it('stays finite for probabilities of exactly 0 and 1', () => {
    const hardS = tf.tensor2d([
      [1, 0, 0],
      [0, 0, 1],
    ]);
    const hardT = tf.tensor2d([
      [0, 1, 0],
      [0, 0, 1],
    ]);
    for (const alpha of [0, 0.5, 1]) {
      const v = read(distillationLoss(hardS, hardT, labels, { temperature: 1, alpha }));
      expect(Number.isFinite(v)).toBe(true);
      expect(v).toBeGreaterThanOrEqual(0);
    }
    // The clipped KL of a confident wrong student is large, not infinite: about 0.5 * ln(1e7) at T = 1.
    expect(read(distillationLoss(hardS, hardT, labels, { temperature: 1, alpha: 0 }))).toBeCloseTo(0.5 * Math.log(1e7), 1);
    tf.dispose([hardS, hardT]);
  });

  it('has a gradient that pulls the student toward the teacher', () => {
    // d/dz of the soft term at T = 1 for a softmax student with logits z is (q_s - q_t) per example / batch.
    const logits = tf.variable(tf.log(ps));
    const g = tf.grad((z: tf.Tensor) => distillationLoss(tf.softmax(z), pt, labels, { temperature: 1, alpha: 0 }))(logits);
    const expected = student.map((row, b) => row.map((s, c) => (s - teacher[b][c]) / 2));
    const got = g.arraySync() as number[][];
    got.forEach((row, b) => row.forEach((v, c) => expect(v).toBeCloseTo(expected[b][c], 5)));
    tf.dispose([logits, g]);
  });

  it('refuses bad options and leaks nothing', () => {
    const before = tf.memory().numTensors;
    expect(() => distillationLoss(ps, pt, labels, { temperature: 0, alpha: 0.5 })).toThrow(
      'Temperature must be a number above 0 and at most 100, got 0.',
    );
    read(distillationLoss(ps, pt, labels, { temperature: 2, alpha: 0.5 }));
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('validateDistill', () => {
  it('accepts sound settings and explains each bad one', () => {
    expect(validateDistill({ temperature: 4, alpha: 0.3 })).toEqual([]);
    expect(validateDistill({ temperature: 100, alpha: 0 })).toEqual([]);
    expect(validateDistill({ temperature: 0.5, alpha: 1 })).toEqual([]);
    expect(validateDistill({ temperature: 0, alpha: 0.3 })).toEqual(['Temperature must be a number above 0 and at most 100, got 0.']);
    expect(validateDistill({ temperature: 101, alpha: 0.3 })).toEqual(['Temperature must be a number above 0 and at most 100, got 101.']);
    expect(validateDistill({ temperature: NaN, alpha: 0.3 })).toHaveLength(1);
    expect(validateDistill({ temperature: 4, alpha: 1.5 })).toEqual(['Alpha (the weight of the true-label loss) must be from 0 to 1, got 1.5.']);
    expect(validateDistill({ temperature: 4, alpha: -0.1 })).toHaveLength(1);
    expect(validateDistill({ temperature: -1, alpha: NaN })).toHaveLength(2);
  });
});

describe('distilling a trained MLP into a 16-unit student on real MNIST digits', () => {
  let trainSet: DeviceSet, testSet: DeviceSet;
  let teacher: tf.LayersModel;
  let teacherAccuracy: number;
  const studentConfig: MlpConfig = { kind: 'mlp', hidden: [{ units: 16, activation: 'relu' }], dropout: 0 };
  // 1920 examples in batches of 64: 30 steps an epoch.
  const base: TrainConfig = { ...DEFAULT_TRAIN, optimizer: 'adam', learningRate: 0.003, batchSize: 64, seed: 21, metricsEvery: 10, trainLimit: 1920 };
  const opts: DistillOptions = { temperature: 4, alpha: 0.3 };

  beforeAll(async () => {
    await tf.setBackend('cpu');
    const { train, test } = mnistSubset(2000, 1000);
    trainSet = toDevice(train);
    testSet = toDevice(test);
    teacher = buildModel({ ...MLP_PRESET, dropout: 0 }, 1);
    const cfg = { ...base, epochs: 2 };
    await new Trainer(imageTask(teacher, trainSet, null, cfg), cfg, () => {}).run();
    teacherAccuracy = (await evaluateSet(teacher, testSet)).accuracy;
  });
  afterAll(() => {
    teacher?.dispose();
    [trainSet, testSet].forEach(disposeSet);
  });

  it('the student learns from the frozen teacher and reaches accuracy well above chance on held-out digits', async () => {
    expect(teacherAccuracy).toBeGreaterThan(0.8);
    const before = tf.memory().numTensors;
    const teacherWeights = teacher.getWeights().map((w) => (w.dataSync() as Float32Array).slice());
    const student = buildModel(studentConfig, 2);
    const config = { ...base, epochs: 3 };
    const points: StepPoint[] = [];
    const task = distillTask(student, teacher, trainSet, testSet, config, opts);
    expect(task.stepsPerEpoch).toBe(30);
    expect(task.itemsPerStep).toBe(64);
    const result = await new Trainer(task, config, (e) => e.type === 'steps' && points.push(...e.points)).run();
    expect(result.reason).toBe('finished');
    expect(result.steps).toBe(90);
    expect(points).toHaveLength(90);

    // The first step's loss is the distillation loss of the untrained student on the first shuffled batch, and its
    // accuracy is measured against the true labels.
    const fresh = buildModel(studentConfig, 2);
    const [expectedLoss, expectedAcc] = tf.tidy(() => {
      const order = shuffledIndices(1920, mulberry32(config.seed));
      const idx = tf.tensor1d(order.subarray(0, 64), 'int32');
      const xb = tf.gather(trainSet.xs, idx);
      const lb = tf.gather(trainSet.labels, idx) as tf.Tensor1D;
      const ps = fresh.predict(xb) as tf.Tensor;
      return [distillationLoss(ps, teacher.predict(xb) as tf.Tensor, lb, opts).dataSync()[0], accuracy(ps, lb).dataSync()[0]];
    });
    fresh.dispose();
    expect(points[0].loss).toBeCloseTo(expectedLoss, 4);
    expect(points[0].accuracy).toBe(expectedAcc);
    // ...and it falls.
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(points.slice(-10).map((p) => p.loss))).toBeLessThan(mean(points.slice(0, 10).map((p) => p.loss)) - 0.5);

    // The teacher is untouched.
    teacher.getWeights().forEach((w, i) => expect(Array.from(w.dataSync())).toEqual(Array.from(teacherWeights[i])));

    // Held out: 1000 real test digits (chance is 0.1).
    const final = await evaluateSet(student, testSet);
    expect(final.accuracy).toBeGreaterThan(0.75);
    expect(result.epochs.every((e) => e.valAccuracy > 0.5 && e.valAccuracy <= 1 && e.valLoss > 0)).toBe(true);
    expect(result.epochs.at(-1)!.valAccuracy).toBeCloseTo(final.accuracy, 6);

    // No leaks: flat across epochs, back to the start once the student is gone.
    expect(new Set(result.epochs.map((e) => e.numTensors)).size).toBe(1);
    student.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses bad options, or the teacher as its own student', () => {
    const student = buildModel(studentConfig, 3);
    expect(() => distillTask(student, teacher, trainSet, null, base, { temperature: 4, alpha: 2 })).toThrow(
      'Alpha (the weight of the true-label loss) must be from 0 to 1, got 2.',
    );
    student.dispose();
    expect(() => distillTask(teacher, teacher, trainSet, null, base, opts)).toThrow('The student and the teacher must be different models.');
  });
});
