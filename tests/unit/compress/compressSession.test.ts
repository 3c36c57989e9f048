import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { MLP_PRESET } from '../../../src/engine/config/imageModel';
import { DEFAULT_TRAIN } from '../../../src/engine/config/train';
import { DEFAULT_TEXT_OPTIMIZER, DEFAULT_TEXT_TRAIN } from '../../../src/engine/config/textTrain';
import type { ExportFile } from '../../../src/engine/config/results';
import { Engine } from '../../../src/engine/services/engine';
import { ModelFileError } from '../../../src/engine/io/modelFiles';
import { mnistIdxPair, sotuBytes } from '../mnist';

const idx = (start: number, end: number) => {
  const { images, labels } = mnistIdxPair(start, end);
  return [
    { name: 'images', bytes: images },
    { name: 'labels', bytes: labels },
  ];
};

const jsonOf = (files: ExportFile[]) => JSON.parse(new TextDecoder().decode(files.find((f) => f.name.endsWith('.json'))!.bytes));
// oxlint-disable-next-line typescript/no-explicit-any -- the tests edit arbitrary parts of an exported model.json
const withJson = (files: ExportFile[], edit: (j: Record<string, any>) => void) => {
  const j = jsonOf(files);
  edit(j);
  return files.map((f) => (f.name.endsWith('.json') ? { name: f.name, bytes: new TextEncoder().encode(JSON.stringify(j)) } : f));
};

describe('compression through the session (MLP on real MNIST, cpu)', () => {
  const session = new Engine();
  const config = { ...DEFAULT_TRAIN, epochs: 3, batchSize: 32, learningRate: 0.003, metricsEvery: 20 };
  let accuracy = 0;

  beforeAll(async () => {
    await session.init('cpu', () => {});
    // 4,200 digits: 600 test, 300 validation, 3,300 train
    await session.loadIdxFiles(idx(0, 4200), 300);
    await expect(session.compressStart('images')).rejects.toThrow('Train or load a model first');
    const result = await session.train({ ...MLP_PRESET, dropout: 0 }, config, () => {});
    expect(result.reason).toBe('finished');
    accuracy = (await session.evaluate()).accuracy;
    expect(accuracy).toBeGreaterThan(0.8);
  }, 120_000);

  it('measures the float32 original with the test accuracy the Evaluate panel shows', async () => {
    const state = await session.compressStart('images');
    expect(state.metric).toEqual({ name: 'test accuracy', higherIsBetter: true });
    expect(state.variants).toHaveLength(1);
    const [base] = state.variants;
    expect(base.metric).toBeCloseTo(accuracy, 10);
    expect(base.rawBytes).toBe(4 * (784 * 64 + 64 + 64 * 10 + 10));
    expect(base.gzipBytes).toBeLessThan(base.rawBytes);
    expect(base.sparsity).toBe(0);
  });

  it('int8 per channel keeps the accuracy within a point at about a quarter of the size, with per-layer errors under s/2', async () => {
    const v = await session.quantizeVariant('images', 0, { bits: 8, scheme: 'affine', granularity: 'channel' });
    const base = (await session.compressState('images'))!.variants[0];
    expect(v.label).toBe('int8 affine per channel');
    expect(Math.abs(v.metric - base.metric)).toBeLessThan(0.01);
    expect(v.rawBytes / base.rawBytes).toBeGreaterThan(0.25);
    expect(v.rawBytes / base.rawBytes).toBeLessThan(0.27);
    const kernel = v.layers.find((l) => l.shape.join() === '784,64')!;
    expect(kernel.encoding).toBe('int8 affine per channel');
    expect(kernel.maxAbsError).toBeGreaterThan(0);
    expect(kernel.maxAbsError).toBeLessThan(0.01); // a glorot kernel spans about +-0.3: s/2 < 0.6 / 255 / 2
    expect(v.layers.find((l) => l.shape.join() === '64')!.maxAbsError).toBe(0); // biases stay float32
    const h = await session.variantHistogram('images', v.id, kernel.name);
    expect(h.before.reduce((a, b) => a + b, 0)).toBe(784 * 64);
    expect(h.after.reduce((a, b) => a + b, 0)).toBe(784 * 64);
    expect(h.edges).toHaveLength(h.before.length + 1);
    await expect(session.quantizeVariant('images', v.id, { bits: 4, scheme: 'affine', granularity: 'tensor' })).rejects.toThrow('already quantized');
  });

  it('gradual pruning while fine-tuning reaches the exact sparsity; then int8 on top keeps the zeros', async () => {
    const stepsSeen: number[] = [];
    const pruned = await session.pruneVariant(
      'images',
      0,
      { sparsity: 0.8, scope: 'global', includeBiases: false },
      { sparsity: 0.8, scope: 'global', includeBiases: false, epochs: 1, updates: 5 },
      config,
      (e) => {
        if (e.type === 'steps') stepsSeen.push(e.progress.step);
      },
    );
    expect(stepsSeen.at(-1)).toBe(Math.floor(3300 / 32));
    const kernels = 784 * 64 + 64 * 10;
    expect(pruned.sparsity).toBeCloseTo(Math.round(0.8 * kernels) / kernels, 10);
    expect(pruned.label).toBe('pruned 80% global (gradual, 1 epochs)');
    expect(pruned.metric).toBeGreaterThan(accuracy - 0.03);
    const both = await session.quantizeVariant('images', pruned.id, { bits: 8, scheme: 'symmetric', granularity: 'channel' });
    expect(both.label).toBe('pruned 80% global (gradual, 1 epochs) + int8 symmetric per channel');
    expect(both.sparsity).toBeGreaterThanOrEqual(pruned.sparsity);
    const base = (await session.compressState('images'))!.variants[0];
    expect(base.gzipBytes / both.gzipBytes).toBeGreaterThan(6);
  }, 120_000);

  it('a compression job blocks training, loading and other jobs from its first moment', async () => {
    const pruning = session.pruneVariant(
      'images',
      0,
      { sparsity: 0.5, scope: 'layer', includeBiases: false },
      { sparsity: 0.5, scope: 'layer', includeBiases: false, epochs: 1, updates: 2 },
      { ...config, trainLimit: 320 },
      () => {},
    );
    await expect(session.train({ ...MLP_PRESET, dropout: 0 }, config, () => {})).rejects.toThrow('Wait for pruning to finish first.');
    await expect(session.quantizeVariant('images', 0, { bits: 8, scheme: 'affine', granularity: 'tensor' })).rejects.toThrow(
      'Wait for pruning to finish first.',
    );
    await expect(session.loadIdxFiles(idx(0, 700), 50)).rejects.toThrow('Wait for pruning to finish first.');
    const v = await pruning;
    expect(v.sparsity).toBeCloseTo(0.5, 3);
    await expect(
      session.pruneVariant(
        'images',
        0,
        { sparsity: 0.5, scope: 'layer', includeBiases: false },
        { sparsity: 0.5, scope: 'layer', includeBiases: false, epochs: 0.5, updates: 2 },
        config,
        () => {},
      ),
    ).rejects.toThrow('Fine-tuning epochs must be a whole number from 1 to 100, got 0.5.');
  }, 60_000);

  it('one-shot sweep: accuracy falls as sparsity rises and nothing is kept', async () => {
    const before = (await session.compressState('images'))!.variants.length;
    const sweep = await session.pruneSweep('images', 0, [0, 0.5, 0.99], 'layer');
    expect(sweep.map((p) => p.sparsity)).toEqual([0, 0.5, 0.99]);
    expect(sweep[0].metric).toBeCloseTo(accuracy, 10);
    expect(sweep[2].metric).toBeLessThan(sweep[0].metric - 0.2);
    expect((await session.compressState('images'))!.variants).toHaveLength(before);
    await expect(session.pruneVariant('images', 0, { sparsity: 1, scope: 'layer', includeBiases: false }, null, config, () => {})).rejects.toThrow(
      'Target sparsity must be from 0% to below 100%',
    );
  });

  it('distils a small student that learns from the teacher', async () => {
    await expect(
      session.distillVariant(
        0,
        { kind: 'mlp', hidden: [{ units: 16, activation: 'relu' }], dropout: 0 },
        { temperature: 0, alpha: 0.5 },
        config,
        () => {},
      ),
    ).rejects.toThrow(/T|emperature/);
    const student = await session.distillVariant(
      0,
      { kind: 'mlp', hidden: [{ units: 16, activation: 'relu' }], dropout: 0 },
      { temperature: 4, alpha: 0.3 },
      { ...config, epochs: 2 },
      () => {},
    );
    expect(student.kind).toBe('distilled');
    expect(student.params).toBe(784 * 16 + 16 + 16 * 10 + 10);
    expect(student.metric).toBeGreaterThan(0.7);
  }, 120_000);

  it('exports per-channel variants as plain tfjs files plus a compact .nnq, and imports each back into the page', async () => {
    const v = (await session.compressState('images'))!.variants.find((x) => x.label === 'int8 affine per channel')!;
    const files = await session.exportVariant('images', v.id);
    expect(files.map((f) => f.name)).toEqual([
      'mnist-int8-affine-per-channel.json',
      'mnist-int8-affine-per-channel.weights.bin',
      'mnist-int8-affine-per-channel.nnq',
    ]);
    expect(jsonOf(files).weightsManifest[0].paths).toEqual(['mnist-int8-affine-per-channel.weights.bin']);
    const fromCompact = await session.importImageModel([files[2]]);
    expect(fromCompact.accuracy).toBeCloseTo(v.metric, 10);
    expect(fromCompact.summary.totalParams).toBe(50890);
    const fromPlain = await session.importImageModel(files.slice(0, 2));
    expect(fromPlain.accuracy).toBeCloseTo(v.metric, 10);
    expect((await session.evaluate()).accuracy).toBeCloseTo(v.metric, 10);

    // per-tensor int8: plain tfjs holds it compactly, so no .nnq
    const t = await session.quantizeVariant('images', 0, { bits: 8, scheme: 'affine', granularity: 'tensor' });
    const plainOnly = await session.exportVariant('images', t.id);
    expect(plainOnly.map((f) => f.name.split('.').pop())).toEqual(['json', 'bin']);
    expect(plainOnly[1].bytes.length).toBe(784 * 64 + 64 * 10 + 4 * (64 + 10));
  });

  it('each bad import says what is wrong and keeps the current model', async () => {
    const keep = (await session.evaluate()).accuracy;
    const files = await session.exportVariant('images', 0);
    const bad: [typeof files, RegExp | string][] = [
      [[{ name: 'm.json', bytes: new TextEncoder().encode('{"modelTopology": ') }, files[1]], 'model.json is not valid JSON'],
      [[files[0]], /The weights file ".*" named in model.json was not chosen/],
      [[files[0], { name: files[1].name, bytes: files[1].bytes.subarray(0, 1000) }], /The weights are 1,000 bytes but model.json describes 203,560/],
      [withJson(files, (j) => (j.modelTopology.config.layers[1].class_name = 'FancyDense')), /a layer this page does not know: .*FancyDense/],
      [
        withJson(files, (j) => {
          j.weightsManifest[0].weights[0].shape = [64, 784];
          j.modelTopology.config.layers[1].config.units = 784;
        }),
        // caught from the JSON, before tfjs allocates the layer
        /model\.json: weight dense_Dense\d+\/kernel is \[64, 784\] in the weights manifest, but the topology makes it \[784, 784\]\./,
      ],
      [[{ name: 'readme.txt', bytes: new Uint8Array([1, 2, 3]) }], 'Choose the model.json'],
    ];
    for (const [f, message] of bad) {
      await expect(session.importImageModel(f)).rejects.toThrow(ModelFileError);
      await expect(session.importImageModel(f)).rejects.toThrow(message);
    }
    expect((await session.evaluate()).accuracy).toBe(keep);
  });

  it('a char-LSTM export is refused as an MNIST model, with the shapes in the message', async () => {
    const s2 = new Engine();
    await s2.init('cpu', () => {});
    await s2.loadText({ name: 'jfk.txt', bytes: sotuBytes() }, { lowercase: false, maxVocab: 0 });
    const tiny = { kind: 'charLstm' as const, embedding: 8, layers: 1, units: 8, dropout: 0, window: 8 };
    await s2.trainText(
      tiny,
      { ...DEFAULT_TRAIN, ...DEFAULT_TEXT_OPTIMIZER, epochs: 1, batchSize: 8 },
      { ...DEFAULT_TEXT_TRAIN, evalEvery: 2, sampleLength: 0, maxValWindows: 8 },
      () => {},
    );
    const charFiles = await s2.exportModel('text');
    const asNamed = [
      { name: 'c.json', bytes: new TextEncoder().encode(charFiles.modelJson) },
      { name: charFiles.weightsName, bytes: charFiles.weights },
    ];
    await expect(session.importImageModel(asNamed)).rejects.toThrow(/an MNIST model takes \[28, 28, 1\] and predicts 10 classes/);
  }, 60_000);

  it('continues training a loaded model from its weights instead of starting over', async () => {
    const loaded = (await session.evaluate()).accuracy;
    const epochs: number[] = [];
    const result = await session.train(
      { ...MLP_PRESET, dropout: 0 },
      { ...config, epochs: 1, learningRate: 0.0005 },
      (e) => e.type === 'epoch' && epochs.push(e.point.valAccuracy),
      true,
    );
    expect(result.reason).toBe('finished');
    // a fresh model after one epoch at this rate sits far lower; the continued one starts where it was
    expect(epochs[0]).toBeGreaterThan(loaded - 0.05);
    expect((await session.evaluate()).accuracy).toBeGreaterThan(loaded - 0.03);
  }, 60_000);
});

describe('compressing a char-LSTM (cpu)', () => {
  it('quantizes the LSTM, measures validation nats per character, exports and reloads with the vocabulary', async () => {
    const session = new Engine();
    await session.init('cpu', () => {});
    await session.loadText({ name: 'jfk.txt', bytes: sotuBytes() }, { lowercase: false, maxVocab: 0 });
    const tiny = { kind: 'charLstm' as const, embedding: 16, layers: 1, units: 32, dropout: 0, window: 16 };
    const textConfig = { ...DEFAULT_TEXT_TRAIN, evalEvery: 20, sampleLength: 0, maxValWindows: 32 };
    await session.trainText(tiny, { ...DEFAULT_TRAIN, ...DEFAULT_TEXT_OPTIMIZER, epochs: 2, batchSize: 16 }, textConfig, () => {});
    const state = await session.compressStart('text');
    expect(state.metric).toEqual({ name: 'validation nats/char', higherIsBetter: false });
    const base = state.variants[0];
    expect(base.metric).toBeGreaterThan(1);
    expect(base.metric).toBeLessThan(Math.log(120));
    const int8 = await session.quantizeVariant('text', 0, { bits: 8, scheme: 'symmetric', granularity: 'channel' });
    expect(Math.abs(int8.metric - base.metric)).toBeLessThan(0.05);
    const four = await session.quantizeVariant('text', 0, { bits: 4, scheme: 'affine', granularity: 'tensor' });
    expect(four.metric).not.toBe(base.metric);
    expect(int8.layers.map((l) => l.name).some((n) => /recurrent_kernel/.test(n))).toBe(true);
    // another text with another vocabulary: variants are not measured on ids they were not trained on
    await session.loadText({ name: 'abc.txt', bytes: new TextEncoder().encode('abcab cabca bcabc '.repeat(60)) }, { lowercase: false, maxVocab: 0 });
    await expect(session.quantizeVariant('text', 0, { bits: 8, scheme: 'affine', granularity: 'tensor' })).rejects.toThrow(
      'This char-LSTM was trained on jfk.txt with another vocabulary',
    );
    await session.loadText({ name: 'jfk.txt', bytes: sotuBytes() }, { lowercase: false, maxVocab: 0 });
    const files = await session.exportVariant('text', int8.id);
    const nnq = files.find((f) => f.name.endsWith('.nnq'))!;
    const before = await session.generate({ seedText: 'We ', length: 30, temperature: 0.5, topK: 0, seed: 3 }, () => {});
    const info = await session.importCharModel([nnq]);
    expect(info.vocabSize).toBe(state.variants[0].layers.at(-1)!.shape[0]);
    const after = await session.generate({ seedText: 'We ', length: 30, temperature: 0.5, topK: 0, seed: 3 }, () => {});
    expect(after).toHaveLength(before.length);
    expect(tf.memory().numTensors).toBeGreaterThan(0);
  }, 120_000);
});
