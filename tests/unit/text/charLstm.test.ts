import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCorpus, decodeText, vocabularyFrom } from '../../../src/engine/text/corpus';
import { buildCharLstm, sequenceCrossEntropy } from '../../../src/engine/families/charLstm/model';
import { CHAR_PRESETS, CharLstmConfig, validateCharConfig } from '../../../src/engine/config/charModel';
import { DEFAULT_TEXT_OPTIMIZER, DEFAULT_TEXT_TRAIN } from '../../../src/engine/config/textTrain';
import { TrainEvent, TrainResult } from '../../../src/engine/config/events';
import { DEFAULT_TRAIN } from '../../../src/engine/config/train';
import { CharStepper, generateText, sampleIndex } from '../../../src/engine/families/charLstm/sampler';
import { clipByGlobalNorm, textTask } from '../../../src/engine/families/charLstm/task';
import { Trainer } from '../../../src/engine/train/trainer';
import { exportModel, importModel } from '../../../src/engine/io/modelFiles';
import { mulberry32 } from '../../../src/engine/data/random';
import { sotuBytes } from '../mnist';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const tiny: CharLstmConfig = { kind: 'charLstm', embedding: 16, layers: 2, units: 24, dropout: 0.1, window: 16 };

describe('char-LSTM model', () => {
  it('presets: small, medium and the classic heavy 3 x LSTM(1024), window 40, dropout 0.2', () => {
    expect(CHAR_PRESETS.heavy.config).toMatchObject({ layers: 3, units: 1024, window: 40, dropout: 0.2 });
    expect(CHAR_PRESETS.heavy.label).toMatch(/heavy/i);
    for (const p of Object.values(CHAR_PRESETS)) expect(validateCharConfig(p.config)).toEqual([]);
  });

  it('refuses absurd settings with messages', () => {
    expect(validateCharConfig({ ...tiny, layers: 4, units: 0, window: 1 })).toEqual([
      'LSTM layers must be 1, 2 or 3, got 4.',
      'LSTM units must be a whole number from 1 to 2048, got 0.',
      'Window must be a whole number of characters from 2 to 1000, got 1.',
    ]);
    expect(() => buildCharLstm({ ...tiny, units: 1e9 }, 30, 1)).toThrow('LSTM units must be');
  });

  it('maps [batch, time] ids to [batch, time, vocab] logits with sigmoid gates and the hand-computed parameter count', () => {
    const m = buildCharLstm(tiny, 30, 1);
    const out = m.predict(tf.zeros([3, 7], 'int32')) as tf.Tensor;
    expect(out.shape).toEqual([3, 7, 30]);
    out.dispose();
    const lstms = m.layers.filter((l) => l.getClassName() === 'LSTM');
    expect(lstms).toHaveLength(2);
    for (const l of lstms) expect((l.getConfig() as { recurrentActivation: string }).recurrentActivation).toBe('sigmoid');
    // embedding 30*16; LSTM 4u(in + u + 1) for in = 16 then 24; dense 24*30 + 30
    const expected = 30 * 16 + 4 * 24 * (16 + 24 + 1) + 4 * 24 * (24 + 24 + 1) + 24 * 30 + 30;
    expect(m.countParams()).toBe(expected);
    m.dispose();
  });

  it('the loss is the mean cross-entropy over every position', () => {
    const logits = tf.tensor3d([
      [
        [0, Math.log(3)],
        [Math.log(4), 0],
      ],
    ]); // p = [1/4, 3/4], [4/5, 1/5]
    const targets = tf.tensor2d([[1, 1]], [1, 2], 'int32');
    expect(sequenceCrossEntropy(logits, targets).dataSync()[0]).toBeCloseTo((-Math.log(3 / 4) - Math.log(1 / 5)) / 2, 5);
    tf.dispose([logits, targets]);
  });

  it('clips gradients by global norm and leaves small ones alone', () => {
    const g = { a: tf.tensor1d([3, 0]), b: tf.tensor1d([0, 4]) }; // norm 5
    const clipped = clipByGlobalNorm(g, 1);
    expect(Array.from(clipped.a.dataSync())).toEqual([expect.closeTo(0.6, 6), 0]);
    expect(Array.from(clipped.b.dataSync())).toEqual([0, expect.closeTo(0.8, 6)]);
    const kept = clipByGlobalNorm(g, 10);
    expect(Array.from(kept.b.dataSync())).toEqual([0, 4]);
    tf.dispose([g.a, g.b, clipped.a, clipped.b, kept.a, kept.b]);
  });
});

describe('sampling', () => {
  const logits = [0.1, 2.5, -1, 2.4, 0];

  it('temperature 0 is argmax', () => {
    const r = mulberry32(1);
    for (let i = 0; i < 20; i++) expect(sampleIndex(logits, 0, 0, r)).toBe(1);
  });

  it('top-k never emits outside the k most likely', () => {
    const r = mulberry32(7);
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) seen.add(sampleIndex(logits, 5, 2, r));
    expect([...seen].sort()).toEqual([1, 3]);
  });

  it('without top-k, frequencies follow softmax(logits / T)', () => {
    const r = mulberry32(3);
    const counts = new Array(5).fill(0);
    const n = 20000;
    for (let i = 0; i < n; i++) counts[sampleIndex(logits, 1, 0, r)]++;
    const z = logits.map(Math.exp);
    const sum = z.reduce((a, b) => a + b, 0);
    counts.forEach((c, i) => expect(Math.abs(c / n - z[i] / sum)).toBeLessThan(0.015));
  });
});

describe('training a char-LSTM on a real speech (Node, cpu)', () => {
  const text = decodeText(sotuBytes(), 'jfk.txt');
  const corpus = buildCorpus(text, 'jfk', 0, { lowercase: false, maxVocab: 0 });
  let ids: tf.Tensor1D;
  let model: tf.LayersModel;
  let result: TrainResult;
  const events: TrainEvent[] = [];
  const config = { ...DEFAULT_TRAIN, ...DEFAULT_TEXT_OPTIMIZER, batchSize: 32, learningRate: 0.01, epochs: 3, metricsEvery: 5 };
  const textConfig = { ...DEFAULT_TEXT_TRAIN, evalEvery: 20, sampleLength: 30, maxValWindows: 32 };
  let before = 0;

  beforeAll(async () => {
    ids = tf.tensor1d(corpus.ids, 'int32');
    before = tf.memory().numTensors;
    model = buildCharLstm(tiny, corpus.info.vocabSize, 5);
    const vocab = vocabularyFrom(corpus.vocab);
    const trainer = new Trainer(
      textTask(model, { ids, host: corpus.ids, length: corpus.ids.length, vocab }, tiny.window, config, textConfig),
      config,
      (e) => events.push(e),
    );
    result = await trainer.run();
  }, 120_000);

  afterAll(() => {
    model.dispose();
    ids.dispose();
  });

  it('the loss falls from about ln(vocab) and validation improves every round', () => {
    expect(result.reason).toBe('finished');
    const losses = events.flatMap((e) => (e.type === 'steps' ? e.points.map((p) => p.loss) : []));
    expect(losses).toHaveLength(60);
    expect(losses[0]).toBeGreaterThan(Math.log(corpus.info.vocabSize) - 0.3);
    const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
    expect(mean(losses.slice(-10))).toBeLessThan(mean(losses.slice(0, 10)) - 0.5);
    const val = result.epochs.map((e) => e.valLoss);
    expect(val).toHaveLength(3);
    expect(val[2]).toBeLessThan(val[0]);
    expect(val[0]).toBeLessThan(Math.log(corpus.info.vocabSize));
  });

  it('reports speed in predicted characters (batch x window per step)', () => {
    const progress = events.flatMap((e) => (e.type === 'steps' ? [e.progress] : [])).at(-1)!;
    expect(progress.totalSteps).toBe(60);
    expect(progress.samplesPerSec).toBeGreaterThan(0);
    expect(result.steps * config.batchSize * tiny.window).toBe(60 * 32 * 16);
  });

  it('emits a text sample made of vocabulary characters after every round, and leaks no tensors', () => {
    const samples = events.flatMap((e) => (e.type === 'sample' ? [e] : []));
    expect(samples.map((s) => s.step)).toEqual([20, 40, 60]);
    for (const s of samples) {
      expect([...s.text].length).toBe(16 + 30);
      expect([...s.text].every((c) => corpus.vocab.includes(c))).toBe(true);
    }
    const counts = result.epochs.map((e) => e.numTensors);
    expect(new Set(counts).size).toBe(1);
    expect(tf.memory().numTensors - before).toBe(model.weights.length);
  });

  it('the step-by-step generator gives the same logits as the whole model on the same text', async () => {
    const seq = Array.from(corpus.ids.subarray(100, 120));
    const full = tf.tidy(() => (model.predict(tf.tensor2d([seq], [1, seq.length], 'int32')) as tf.Tensor).arraySync() as number[][][]);
    const stepper = new CharStepper(model);
    let last: Float32Array | null = null;
    for (const id of seq) last = await stepper.feed(id);
    stepper.dispose();
    full[0][seq.length - 1].forEach((v, i) => expect(last![i]).toBeCloseTo(v, 4));
  });

  it('generation: same seed gives the same text; unknown seed characters are fine; output is vocabulary only', async () => {
    const vocab = vocabularyFrom(corpus.vocab);
    const opts = { seedText: 'We 漢😀 ', length: 60, temperature: 1, topK: 5, seed: 9 };
    const chunks: string[] = [];
    const a = await generateText(model, vocab, opts, (c) => chunks.push(c));
    const b = await generateText(model, vocab, opts);
    expect([...a]).toHaveLength(60);
    expect(a).toBe(b);
    expect(chunks.join('')).toBe(a);
    expect([...a].every((c) => corpus.vocab.includes(c))).toBe(true);
    const c = await generateText(model, vocab, { ...opts, seed: 10 });
    expect(c).not.toBe(a);
    const greedy1 = await generateText(model, vocab, { ...opts, temperature: 0, seed: 1 });
    const greedy2 = await generateText(model, vocab, { ...opts, temperature: 0, seed: 2 });
    expect(greedy1).toBe(greedy2);
    let n = 0;
    const stopped = await generateText(
      model,
      vocab,
      { ...opts, length: 1000 },
      () => n++,
      () => n >= 2,
    );
    expect([...stopped].length).toBeLessThan(1000);
  });

  it('exports with its vocabulary; loaded back with plain tfjs it generates the same text', async () => {
    const files = await exportModel(model, 'jfk lstm/../x', { charLstm: { vocab: corpus.vocab, lowercase: false } });
    expect(files.weightsName).toBe('jfk-lstm-x.weights.bin');
    const json = JSON.parse(files.modelJson);
    expect(json.format).toBe('layers-model');
    expect(json.userDefinedMetadata.charLstm.vocab).toEqual(corpus.vocab);
    const { model: loaded, metadata } = await importModel(files.modelJson, [{ name: files.weightsName, bytes: files.weights }]);
    const vocab = vocabularyFrom((metadata.charLstm as { vocab: string[] }).vocab);
    const opts = { seedText: 'The ', length: 40, temperature: 0.7, topK: 0, seed: 3 };
    expect(await generateText(loaded, vocab, opts)).toBe(await generateText(model, vocabularyFrom(corpus.vocab), opts));
    loaded.dispose();
  });
});
