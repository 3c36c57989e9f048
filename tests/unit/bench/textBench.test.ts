import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { trainingFlopsPerItem } from '../../../src/engine/bench/flops';
import { benchLastChar, benchLayersFit, benchOurs } from '../../../src/engine/bench/textBench';
import { buildCharLstm } from '../../../src/engine/families/charLstm/model';
import { DEFAULT_CHAR_MODEL } from '../../../src/engine/config/charModel';
import { DEFAULT_TEXT_OPTIMIZER } from '../../../src/engine/config/textTrain';
import { DEFAULT_TRAIN } from '../../../src/engine/config/train';
import { buildCorpus, decodeText } from '../../../src/engine/text/corpus';
import { sotuBytes } from '../mnist';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('char-LSTM FLOPs per predicted character (by hand)', () => {
  it('counts the default model on seq-to-seq windows and the last-character example', () => {
    const model = buildCharLstm(DEFAULT_CHAR_MODEL, 50, 1); // embedding 16, LSTM(128), window 64, vocabulary 50
    // per window: input projection 64 x 16 x 512 MACs (6 FLOPs a MAC: its input, the embedding, is trained) = 3,145,728;
    // recurrent 63 x 128 x 512 MACs (h_0 = 0) forward, dh and dR = 24,772,608; dense 64 x 128 x 50 x 6 = 2,457,600
    expect(trainingFlopsPerItem(model, 64)).toBe((3_145_728 + 24_772_608 + 2_457_600) / 64);
    model.dispose();
    const lastChar = tf.sequential();
    lastChar.add(tf.layers.lstm({ units: 128, inputShape: [40, 50], recurrentInitializer: 'zeros' })); // (only shapes count)
    lastChar.add(tf.layers.dense({ units: 50, activation: 'softmax' }));
    // one prediction per window of 40: one-hot input projection 40 x 50 x 512 MACs with no input gradient (4 FLOPs a
    // MAC) = 4,096,000; recurrent 39 x 128 x 512 x 6 = 15,335,424; dense once 128 x 50 x 6 = 38,400
    expect(trainingFlopsPerItem(lastChar, 40)).toBe(4_096_000 + 15_335_424 + 38_400);
    lastChar.dispose();
  });
});

describe('the char-LSTM baselines', () => {
  const corpus = buildCorpus(decodeText(sotuBytes(), 'jfk.txt'), 'jfk', 0, { lowercase: false, maxVocab: 0 });
  const config = { kind: 'charLstm' as const, embedding: 4, layers: 1, units: 8, dropout: 0, window: 8 };
  const settings = { ...DEFAULT_TRAIN, ...DEFAULT_TEXT_OPTIMIZER, batchSize: 16 };

  it('times tfjs layers through model.fit on the same windows, our step and the last-character example, leaving no tensors', async () => {
    const start = tf.memory().numTensors;
    const counted = buildCharLstm(config, corpus.info.vocabSize, 1);
    const flops = trainingFlopsPerItem(counted, 8);
    counted.dispose();
    const fit = await benchLayersFit(corpus, config, settings, 3);
    expect(fit).toMatchObject({ backend: 'cpu', steps: 3 });
    expect(fit.charsPerSec).toBeCloseTo((3 * 16 * 8) / ((fit.stepMs * 3) / 1000), 3); // every position predicted
    expect(fit.gflops).toBeCloseTo((fit.charsPerSec * flops) / 1e9, 6);
    const ours = await benchOurs(corpus, config, settings, 1, 3, true);
    expect(ours.gflops).toBeCloseTo((ours.charsPerSec * flops) / 1e9, 6);
    const last = await benchLastChar(corpus, 8, 2, 1, 16, 10);
    expect(last.charsPerSec).toBeCloseTo((2 * 16) / ((last.stepMs * 2) / 1000), 3); // one character per window
    expect(tf.memory().numTensors).toBe(start);
  });
});
