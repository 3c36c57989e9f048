import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildModel } from '../../../src/engine/families/images/model';
import { ModelConfigError, summarize } from '../../../src/engine/models/summary';
import { CNN_PRESET, CnnConfig, MAX_UNITS, MLP_PRESET, MlpConfig } from '../../../src/engine/config/imageModel';
import { convSides, validateModelConfig } from '../../../src/engine/config/validateImageModel';
import { SeededDropout } from '../../../src/engine/models/seededDropout';
import { toDevice, disposeSet } from '../../../src/engine/train/deviceData';
import { mnistSubset } from '../mnist';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function weightsOf(model: tf.LayersModel): Float32Array[] {
  return model.getWeights().map((w) => w.dataSync() as Float32Array);
}

describe('buildModel + summarize: parameter counts and shapes', () => {
  it('MLP preset: 784 -> 64 relu (dropout 0.2) -> 10', () => {
    const model = buildModel(MLP_PRESET, 1);
    const s = summarize(model, 'mlp');
    expect(s.kind).toBe('mlp');
    expect(s.layers.map((l) => l.type)).toEqual(['Flatten', 'Dense', 'Dropout', 'Dense']);
    expect(s.layers.map((l) => l.outputShape)).toEqual([
      [null, 784],
      [null, 64],
      [null, 64],
      [null, 10],
    ]);
    expect(s.layers.map((l) => l.params)).toEqual([0, 784 * 64 + 64, 0, 64 * 10 + 10]);
    expect(model.layers.filter((l) => l instanceof SeededDropout).map((l) => (l as SeededDropout).rate)).toEqual([0.2]);
    expect(s.totalParams).toBe(784 * 64 + 64 + 64 * 10 + 10);
    expect(s.totalParams).toBe(50890);
    expect(s.totalParams).toBe(model.countParams());
    model.dispose();
  });

  it('LeNet preset: conv 6 (same) -> pool -> conv 16 (valid) -> pool -> 120 -> 84 -> 10', () => {
    const model = buildModel(CNN_PRESET, 1);
    const s = summarize(model, 'cnn');
    expect(s.layers.map((l) => l.type)).toEqual([
      'Conv2D',
      'MaxPooling2D',
      'Conv2D',
      'MaxPooling2D',
      'Flatten',
      'Dropout',
      'Dense',
      'Dropout',
      'Dense',
      'Dense',
    ]);
    expect(s.layers.map((l) => l.outputShape)).toEqual([
      [null, 28, 28, 6], // 'same' keeps 28
      [null, 14, 14, 6],
      [null, 10, 10, 16], // 14 - 5 + 1
      [null, 5, 5, 16],
      [null, 400], // 5 * 5 * 16
      [null, 400],
      [null, 120],
      [null, 120],
      [null, 84],
      [null, 10],
    ]);
    expect(s.layers.map((l) => l.params)).toEqual([
      5 * 5 * 1 * 6 + 6,
      0,
      5 * 5 * 6 * 16 + 16,
      0,
      0,
      0,
      400 * 120 + 120,
      0,
      120 * 84 + 84,
      84 * 10 + 10,
    ]);
    expect(s.totalParams).toBe(5 * 5 * 1 * 6 + 6 + (5 * 5 * 6 * 16 + 16) + (400 * 120 + 120) + (120 * 84 + 84) + (84 * 10 + 10));
    expect(s.totalParams).toBe(61706);
    expect(convSides(CNN_PRESET)).toEqual([14, 5]);
    model.dispose();
  });

  it('custom MLP with two hidden layers, activations and dropout', () => {
    const config: MlpConfig = {
      kind: 'mlp',
      hidden: [
        { units: 128, activation: 'tanh' },
        { units: 32, activation: 'sigmoid' },
      ],
      dropout: 0.25,
    };
    const model = buildModel(config, 3);
    const s = summarize(model, 'mlp');
    expect(s.layers.map((l) => l.type)).toEqual(['Flatten', 'Dense', 'Dropout', 'Dense', 'Dropout', 'Dense']);
    expect(s.layers.map((l) => l.outputShape)).toEqual([
      [null, 784],
      [null, 128],
      [null, 128],
      [null, 32],
      [null, 32],
      [null, 10],
    ]);
    expect(s.totalParams).toBe(784 * 128 + 128 + (128 * 32 + 32) + (32 * 10 + 10));
    const dense = model.layers.filter((l) => l.getClassName() === 'Dense');
    expect(dense.map((l) => l.getConfig().activation)).toEqual(['tanh', 'sigmoid', 'softmax']);
    expect(model.layers.filter((l) => l instanceof SeededDropout).map((l) => (l as SeededDropout).rate)).toEqual([0.25, 0.25]);
    model.dispose();
  });

  it('MLP with no hidden layers is plain softmax regression', () => {
    const model = buildModel({ kind: 'mlp', hidden: [], dropout: 0 }, 0);
    expect(summarize(model, 'mlp').totalParams).toBe(784 * 10 + 10);
    model.dispose();
  });

  it('custom CNN with average pooling and dropout before each dense layer', () => {
    const config: CnnConfig = {
      kind: 'cnn',
      blocks: [{ filters: 4, kernelSize: 3, padding: 'same', activation: 'elu', pool: 'avg' }],
      dense: [{ units: 16, activation: 'relu' }],
      dropout: 0.5,
    };
    const model = buildModel(config, 0);
    const s = summarize(model, 'cnn');
    expect(s.layers.map((l) => l.type)).toEqual(['Conv2D', 'AveragePooling2D', 'Flatten', 'Dropout', 'Dense', 'Dense']);
    expect(s.layers[1].outputShape).toEqual([null, 14, 14, 4]);
    expect(s.layers[2].outputShape).toEqual([null, 14 * 14 * 4]);
    expect(s.totalParams).toBe(3 * 3 * 1 * 4 + 4 + (14 * 14 * 4 * 16 + 16) + (16 * 10 + 10));
    model.dispose();
  });

  it('the CNN preset runs forward on real digits and outputs probabilities', () => {
    const { train } = mnistSubset(8, 0);
    const set = toDevice(train);
    const model = buildModel(CNN_PRESET, 5);
    const probs = model.predict(set.xs) as tf.Tensor;
    expect(probs.shape).toEqual([8, 10]);
    const rows = probs.sum(1).dataSync();
    for (const r of rows) expect(r).toBeCloseTo(1, 5);
    expect(Math.min(...probs.dataSync())).toBeGreaterThanOrEqual(0);
    tf.dispose(probs);
    disposeSet(set);
    model.dispose();
  });
});

describe('validateModelConfig', () => {
  const mlp = (units: number, dropout = 0): MlpConfig => ({ kind: 'mlp', hidden: [{ units, activation: 'relu' }], dropout });
  const block = (kernelSize: number, padding: 'same' | 'valid', pool: 'max' | 'avg' | 'none' = 'max') => ({
    filters: 4,
    kernelSize,
    padding,
    activation: 'relu' as const,
    pool,
  });

  it('accepts the presets', () => {
    expect(validateModelConfig(MLP_PRESET)).toEqual([]);
    expect(validateModelConfig(CNN_PRESET)).toEqual([]);
    expect(validateModelConfig(mlp(MAX_UNITS))).toEqual([]);
  });

  it('rejects 0, fractional and absurd unit counts', () => {
    expect(validateModelConfig(mlp(0))).toEqual([`Hidden layer 1: units must be a whole number from 1 to ${MAX_UNITS}, got 0.`]);
    expect(validateModelConfig(mlp(1e9))[0]).toContain('got 1000000000');
    expect(validateModelConfig(mlp(MAX_UNITS + 1))).toHaveLength(1);
    expect(validateModelConfig(mlp(2.5))[0]).toContain('whole number');
    expect(validateModelConfig(mlp(NaN))).toHaveLength(1);
  });

  it('names the failing layer among several', () => {
    const config: MlpConfig = {
      kind: 'mlp',
      hidden: [
        { units: 10, activation: 'relu' },
        { units: -3, activation: 'relu' },
      ],
      dropout: 0,
    };
    expect(validateModelConfig(config)).toEqual([`Hidden layer 2: units must be a whole number from 1 to ${MAX_UNITS}, got -3.`]);
  });

  it('rejects more than 8 layers', () => {
    const config: MlpConfig = { kind: 'mlp', hidden: Array.from({ length: 9 }, () => ({ units: 4, activation: 'relu' as const })), dropout: 0 };
    expect(validateModelConfig(config)).toEqual(['Hidden layer: at most 8 layers, got 9.']);
  });

  it('rejects negative dropout and dropout of 1 or more', () => {
    expect(validateModelConfig(mlp(8, -0.1))).toEqual(['Dropout must be at least 0 and below 1, got -0.1.']);
    expect(validateModelConfig(mlp(8, 1))).toHaveLength(1);
    expect(validateModelConfig(mlp(8, NaN))).toHaveLength(1);
    expect(validateModelConfig(mlp(8, 0.99))).toEqual([]);
  });

  it('a valid kernel larger than its (pooled) input is reported with both sizes', () => {
    // 28 -5+1 = 24, pool 12; -5+1 = 8, pool 4; the third 5x5 kernel meets a 4x4 input.
    const config: CnnConfig = { kind: 'cnn', blocks: [block(5, 'valid'), block(5, 'valid'), block(5, 'valid')], dense: [], dropout: 0 };
    const problems = validateModelConfig(config);
    expect(problems.length).toBeGreaterThanOrEqual(1);
    expect(problems[0]).toContain('Conv block 3');
    expect(problems[0]).toContain('5x5 kernel');
    expect(problems[0]).toContain('4x4 input');
    expect(convSides({ ...config, blocks: config.blocks.slice(0, 2) })).toEqual([12, 4]);
  });

  it("'same' padding avoids the problem until pooling runs out of input", () => {
    // 28 -> 14 -> 7 -> 3 -> 1 -> (pool on 1x1)
    const config: CnnConfig = { kind: 'cnn', blocks: Array.from({ length: 5 }, () => block(3, 'same')), dense: [], dropout: 0 };
    const problems = validateModelConfig(config);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('Conv block 5: pooling needs at least a 2x2 input');
    expect(validateModelConfig({ ...config, blocks: config.blocks.slice(0, 4) })).toEqual([]);
  });

  it('rejects a CNN without blocks, bad filters and bad kernel sizes', () => {
    expect(validateModelConfig({ kind: 'cnn', blocks: [], dense: [], dropout: 0 })[0]).toContain('at least one conv block');
    expect(validateModelConfig({ kind: 'cnn', blocks: [{ ...block(3, 'same'), filters: 0 }], dense: [], dropout: 0 })[0]).toContain(
      'filters must be a whole number',
    );
    expect(validateModelConfig({ kind: 'cnn', blocks: [block(29, 'same')], dense: [], dropout: 0 })[0]).toContain(
      'kernel size must be a whole number from 1 to 28, got 29',
    );
  });

  it('collects every problem at once', () => {
    const config: CnnConfig = { kind: 'cnn', blocks: [{ ...block(3, 'same'), filters: 0 }], dense: [{ units: 0, activation: 'relu' }], dropout: 2 };
    expect(validateModelConfig(config)).toHaveLength(3);
  });
});

describe('buildModel with an invalid config', () => {
  it('throws ModelConfigError carrying the problems', () => {
    const config: MlpConfig = { kind: 'mlp', hidden: [{ units: 0, activation: 'relu' }], dropout: -1 };
    const before = tf.memory().numTensors;
    let error: unknown;
    try {
      buildModel(config, 0);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ModelConfigError);
    const e = error as ModelConfigError;
    expect(e.name).toBe('ModelConfigError');
    expect(e.problems).toEqual(validateModelConfig(config));
    expect(e.problems).toHaveLength(2);
    expect(e.message).toBe(e.problems.join(' '));
    expect(tf.memory().numTensors).toBe(before);
  });

  it('throws for a CNN whose kernel outgrows its input', () => {
    const blocks = Array.from({ length: 3 }, () => ({
      filters: 2,
      kernelSize: 5,
      padding: 'valid' as const,
      activation: 'relu' as const,
      pool: 'max' as const,
    }));
    expect(() => buildModel({ kind: 'cnn', blocks, dense: [], dropout: 0 }, 0)).toThrow(ModelConfigError);
  });
});

describe('seeded initial weights', () => {
  it('same seed gives identical weights, a different seed different ones', () => {
    const a = buildModel(MLP_PRESET, 11);
    const b = buildModel(MLP_PRESET, 11);
    const c = buildModel(MLP_PRESET, 12);
    const wa = weightsOf(a);
    const wb = weightsOf(b);
    const wc = weightsOf(c);
    expect(wa.length).toBe(4);
    wa.forEach((w, i) => expect(Buffer.compare(Buffer.from(w.buffer), Buffer.from(wb[i].buffer))).toBe(0));
    expect(Buffer.compare(Buffer.from(wa[0].buffer), Buffer.from(wc[0].buffer))).not.toBe(0);
    expect(Buffer.compare(Buffer.from(wa[2].buffer), Buffer.from(wc[2].buffer))).not.toBe(0);
    // Each layer gets its own seed: the two kernels are not drawn from one stream restarted.
    expect(wa[0].subarray(0, 20)).not.toEqual(wa[2].subarray(0, 20));
    // Glorot uniform: |w| <= sqrt(6 / (fanIn + fanOut)); biases start at 0.
    const limit = Math.sqrt(6 / (784 + 64));
    expect(Math.max(...wa[0].map(Math.abs))).toBeLessThanOrEqual(limit + 1e-7);
    expect(Math.max(...wa[0].map(Math.abs))).toBeGreaterThan(limit * 0.95);
    expect(wa[1].every((v) => v === 0)).toBe(true);
    [a, b, c].forEach((m) => m.dispose());
  });

  it('the CNN is seeded too', () => {
    const models = [buildModel(CNN_PRESET, 4), buildModel(CNN_PRESET, 4)];
    const [a, b] = models.map(weightsOf);
    expect(a.length).toBe(10); // kernel + bias for 2 conv and 3 dense layers
    a.forEach((w, i) => expect(Buffer.compare(Buffer.from(w.buffer), Buffer.from(b[i].buffer))).toBe(0));
    models.forEach((m) => m.dispose());
  });
});

describe('SeededDropout', () => {
  const rate = 0.3;
  const x = () => tf.ones([100, 100]);

  it('is the identity at inference', () => {
    const layer = new SeededDropout({ rate, seed: 1 });
    const input = tf.randomNormal([10, 20], 0, 1, 'float32', 3);
    for (const out of [layer.apply(input, { training: false }), layer.apply(input)] as tf.Tensor[]) {
      expect(out.arraySync()).toEqual(input.arraySync());
    }
  });

  it('in training zeros about `rate` of the activations and scales the rest by 1/(1-rate)', () => {
    const layer = new SeededDropout({ rate, seed: 1 });
    const out = (layer.apply(x(), { training: true }) as tf.Tensor).dataSync() as Float32Array;
    const zeros = out.filter((v) => v === 0).length / out.length;
    // 10000 draws: sd of the fraction is sqrt(0.3 * 0.7 / 10000) = 0.0046.
    expect(Math.abs(zeros - rate)).toBeLessThan(0.02);
    for (const v of out) if (v !== 0) expect(v).toBeCloseTo(1 / (1 - rate), 5);
    const mean = out.reduce((a, b) => a + b, 0) / out.length;
    expect(Math.abs(mean - 1)).toBeLessThan(0.03); // inverted dropout keeps the expectation
  });

  it('draws a new mask each call, and the same sequence for the same seed', () => {
    const masks = (layer: SeededDropout, n: number) =>
      Array.from({ length: n }, () => Array.from((layer.apply(x(), { training: true }) as tf.Tensor).dataSync()));
    const [a1, a2] = masks(new SeededDropout({ rate, seed: 7 }), 2);
    const [b1, b2] = masks(new SeededDropout({ rate, seed: 7 }), 2);
    const [c1] = masks(new SeededDropout({ rate, seed: 8 }), 1);
    expect(a1).not.toEqual(a2);
    expect(b1).toEqual(a1);
    expect(b2).toEqual(a2);
    expect(c1).not.toEqual(a1);
  });

  it('rate 0 is always the identity', () => {
    const layer = new SeededDropout({ rate: 0, seed: 1 });
    expect((layer.apply(x(), { training: true }) as tf.Tensor).dataSync().every((v) => v === 1)).toBe(true);
  });

  it("serialises as a plain 'Dropout' that stock tfjs loads", async () => {
    const layer = new SeededDropout({ rate: 0.4, seed: 1 });
    expect(layer.getClassName()).toBe('Dropout');
    expect(layer.getConfig().rate).toBe(0.4);

    const model = buildModel({ kind: 'mlp', hidden: [{ units: 8, activation: 'relu' }], dropout: 0.4 }, 2);
    const json = model.toJSON(null, false) as unknown as { config: { layers: { class_name: string; config: { rate?: number } }[] } };
    const dropouts = json.config.layers.filter((l) => l.class_name === 'Dropout');
    expect(dropouts).toHaveLength(1);
    expect(dropouts[0].config.rate).toBe(0.4);

    const loaded = await tf.models.modelFromJSON({ modelTopology: json } as unknown as Parameters<typeof tf.models.modelFromJSON>[0]);
    loaded.setWeights(model.getWeights());
    const stock = loaded.layers.find((l) => l.getClassName() === 'Dropout')!;
    expect(stock).not.toBeInstanceOf(SeededDropout);
    const input = tf.randomUniform([3, 28, 28, 1], 0, 1, 'float32', 1);
    expect((loaded.predict(input) as tf.Tensor).arraySync()).toEqual((model.predict(input) as tf.Tensor).arraySync());
  });
});
