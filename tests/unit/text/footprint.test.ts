import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CHAR_PRESETS } from '../../../src/engine/config/charModel';
import { DEFAULT_TEXT_OPTIMIZER, DEFAULT_TEXT_TRAIN } from '../../../src/engine/config/textTrain';
import { DEFAULT_TRAIN } from '../../../src/engine/config/train';
import { charLstmFootprint, checkCharLstmMemory, deviceMemory } from '../../../src/engine/families/charLstm/footprint';
import { buildCharLstm } from '../../../src/engine/families/charLstm/model';
import { Engine } from '../../../src/engine/services/engine';
import { sotuBytes } from '../mnist';

const heavy = CHAR_PRESETS.heavy.config;

afterEach(() => vi.unstubAllGlobals());

describe("the char-LSTM's memory, checked before it is built", () => {
  it('counts the parameters tfjs builds', async () => {
    await tf.setBackend('cpu');
    const config = { kind: 'charLstm' as const, embedding: 8, layers: 3, units: 12, dropout: 0.1, window: 8 };
    const model = buildCharLstm(config, 30, 1);
    expect(charLstmFootprint(config, 30, 16).parameters).toBe(model.countParams());
    model.dispose();
  });

  it('refuses the heavy preset on a device reporting 2 GB, with the figures; trains it where 8 GB are reported or nothing is', () => {
    expect(() => checkCharLstmMemory(heavy, 100, 64, { ram: 2e9, maxBuffer: null })).toThrow(
      /^This char-LSTM \(21\.4 million parameters, batch 64, window 40\) needs about 2\.7 GB to train; this device reports 2 GB of memory, and a browser tab gets about half of it\. Choose a smaller preset/,
    );
    expect(() => checkCharLstmMemory(heavy, 100, 64, { ram: 8e9, maxBuffer: null })).not.toThrow();
    expect(() => checkCharLstmMemory(heavy, 100, 64, { ram: null, maxBuffer: null })).not.toThrow();
    expect(() => checkCharLstmMemory(CHAR_PRESETS.small.config, 100, 64, { ram: 1e9, maxBuffer: null })).not.toThrow();
    // a GPU whose buffers are smaller than the joined gates of a step ([40 x 64, 4096] floats: 42 MB)
    expect(() => checkCharLstmMemory(heavy, 100, 64, { ram: null, maxBuffer: 32 * 2 ** 20 })).toThrow(
      "This char-LSTM (21.4 million parameters, batch 64, window 40) needs a 0.04 GB tensor; this GPU's largest buffer is 0.03 GB.",
    );
    expect(deviceMemory()).toEqual({ ram: null, maxBuffer: null }); // Node: nothing is reported
  });

  it('a training start on such a device is refused before anything is allocated, and the text stays loaded', async () => {
    const session = new Engine();
    await session.init('cpu', () => {});
    await session.loadText({ name: 'jfk.txt', bytes: sotuBytes() }, { lowercase: false, maxVocab: 0 });
    vi.stubGlobal('navigator', { deviceMemory: 1 });
    const tensors = tf.memory().numTensors;
    await expect(session.trainText(heavy, { ...DEFAULT_TRAIN, ...DEFAULT_TEXT_OPTIMIZER, epochs: 1 }, DEFAULT_TEXT_TRAIN, () => {})).rejects.toThrow(
      /this device reports 1 GB of memory/,
    );
    expect(tf.memory().numTensors).toBe(tensors);
    const tiny = { kind: 'charLstm' as const, embedding: 8, layers: 1, units: 8, dropout: 0, window: 8 };
    const result = await session.trainText(
      tiny,
      { ...DEFAULT_TRAIN, ...DEFAULT_TEXT_OPTIMIZER, epochs: 1, batchSize: 8 },
      { ...DEFAULT_TEXT_TRAIN, evalEvery: 2, sampleLength: 0, maxValWindows: 8 },
      () => {},
    );
    expect(result.reason).toBe('finished');
  });
});
