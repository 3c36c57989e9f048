import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { Engine } from '../../../src/engine/services/engine';
import { DEFAULT_TRAIN, TrainConfig } from '../../../src/engine/config/train';
import { DEFAULT_CORPUS_OPTIONS } from '../../../src/engine/config/corpus';
import type { CharLstmConfig } from '../../../src/engine/config/charModel';
import { DEFAULT_TEXT_TRAIN, TextTrainConfig } from '../../../src/engine/config/textTrain';
import type { TrainEvent } from '../../../src/engine/config/events';
import { sotuBytes } from '../mnist';

const MODEL: CharLstmConfig = { kind: 'charLstm', embedding: 8, layers: 1, units: 16, window: 12, dropout: 0 };
// rounds of 4 steps: a checkpoint every 4 steps
const CONFIG: TrainConfig = { ...DEFAULT_TRAIN, optimizer: 'adam', learningRate: 0.01, batchSize: 8, epochs: 3, seed: 11, metricsEvery: 2 };
const TEXT: TextTrainConfig = { ...DEFAULT_TEXT_TRAIN, evalEvery: 4, sampleLength: 0, maxValWindows: 16 };

async function textSession(): Promise<Engine> {
  const session = new Engine();
  await session.init('cpu', () => {});
  await session.loadText({ name: 'jfk-1961.txt', bytes: sotuBytes() }, DEFAULT_CORPUS_OPTIONS);
  return session;
}

describe('char-LSTM runs', () => {
  it('checkpoint every round (N steps); a run stopped after round 1 resumes to exactly the weights of an uninterrupted one', async () => {
    const reference = await textSession();
    expect((await reference.trainText(MODEL, CONFIG, TEXT, () => {})).reason).toBe('finished');
    const expected = (await reference.exportModel('text')).weights;

    const first = await textSession();
    const stop = (e: TrainEvent) => {
      if (e.type === 'epoch' && e.point.epoch === 1) void first.stop();
    };
    expect((await first.trainText(MODEL, CONFIG, TEXT, stop)).reason).toBe('stopped');
    const [run] = await first.listRuns();
    expect(run).toMatchObject({ task: 'text', modelKind: 'charLstm', checkpointStep: 4, metric: { name: 'validation nats/char' } });

    const second = await textSession();
    const result = await second.resumeRun(run.id, () => {});
    expect(result.reason).toBe('finished');
    expect(result.steps).toBe(12);
    expect(Buffer.from((await second.exportModel('text')).weights).equals(Buffer.from(expected))).toBe(true);
  });
});
