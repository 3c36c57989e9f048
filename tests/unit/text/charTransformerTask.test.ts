import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCharTransformer, disposeTransformer } from '../../../src/engine/families/charTransformer/layer';
import { TRANSFORMER_PRESETS } from '../../../src/engine/config/charTransformer';
import type { TrainEvent, TrainResult } from '../../../src/engine/config/events';
import { DEFAULT_TEXT_TRAIN } from '../../../src/engine/config/textTrain';
import { DEFAULT_TRAIN } from '../../../src/engine/config/train';
import { type TransformerWeights } from '../../../src/engine/families/charTransformer/model';
import { charTransformerTask } from '../../../src/engine/families/charTransformer/task';
import { buildCorpus, decodeText, vocabularyFrom } from '../../../src/engine/text/corpus';
import { Trainer } from '../../../src/engine/train/trainer';
import { sotuBytes } from '../mnist';

/** Through the shared step loop (train/trainer.ts), as the char-LSTM's textTask is (the services: tests/unit/runs/textTransformer.test.ts). */
describe('training a char-Transformer through the shared trainer (Node, cpu)', () => {
  const text = decodeText(sotuBytes(), 'jfk.txt');
  const corpus = buildCorpus(text, 'jfk', 0, { lowercase: false, maxVocab: 0 });
  const model = { ...TRANSFORMER_PRESETS.tiny, layers: 2, heads: 4, width: 32, context: 16, dropout: 0.1 };
  const config = { ...DEFAULT_TRAIN, batchSize: 16, learningRate: 3e-3, epochs: 3, metricsEvery: 5 };
  const textConfig = { ...DEFAULT_TEXT_TRAIN, clipNorm: 1, evalEvery: 20, sampleLength: 20, maxValWindows: 32 };
  const events: TrainEvent[] = [];
  let ids: tf.Tensor1D;
  let w: TransformerWeights;
  let result: TrainResult;
  let before = 0;
  let dispose = () => {};

  beforeAll(async () => {
    await tf.setBackend('cpu');
    ids = tf.tensor1d(corpus.ids, 'int32');
    before = tf.memory().numTensors;
    w = buildCharTransformer(model, corpus.info.vocabSize, 5);
    const vocab = vocabularyFrom(corpus.vocab);
    const task = charTransformerTask(w, { ids, host: corpus.ids, length: corpus.ids.length, vocab }, config, textConfig);
    dispose = () => task.optimizer.dispose();
    result = await new Trainer(task, config, (e) => events.push(e)).run();
  }, 120_000);

  afterAll(() => {
    dispose();
    disposeTransformer(w);
    ids.dispose();
  });

  it('the loss falls from about ln(vocab) and validation improves', () => {
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

  it('emits vocabulary samples each round and leaks no tensors across rounds', () => {
    const samples = events.flatMap((e) => (e.type === 'sample' ? [e] : []));
    expect(samples.map((s) => s.step)).toEqual([20, 40, 60]);
    for (const s of samples) expect([...s.text].every((c) => corpus.vocab.includes(c))).toBe(true);
    expect(new Set(result.epochs.map((e) => e.numTensors)).size).toBe(1);
    // the weights only: the task freed AdamW's two moments per weight when the run ended
    expect(tf.memory().numTensors - before).toBe(w.vars.size);
  });
});
