import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it } from 'vitest';
import { MLP_PRESET } from '../../../src/engine/config/imageModel';
import { DEFAULT_TRAIN } from '../../../src/engine/config/train';
import type { Notice } from '../../../src/engine/config/api';
import { Engine } from '../../../src/engine/services/engine';
import { KeyValue, MemoryKeyValue, openRunStore } from '../../../src/engine/runs/runStore';
import { mnistIdxPair } from '../mnist';

const quota = () => Object.assign(new Error('The quota has been exceeded.'), { name: 'QuotaExceededError' });

/** A store that accepts `okWrites` writes, then fails every write as a full disk would. */
function fillingStore(okWrites: number): KeyValue {
  const inner = new MemoryKeyValue();
  let writes = 0;
  return {
    ...inner,
    get: (k) => inner.get(k),
    del: (k) => inner.del(k),
    values: () => inner.values(),
    set: async (k, v) => (++writes > okWrites ? Promise.reject(quota()) : inner.set(k, v)),
  };
}

async function sessionWith(makeKeyValue: (name: string) => KeyValue) {
  const notices: Notice[] = [];
  const session = new Engine(makeKeyValue);
  await session.init('cpu', (n) => notices.push(n));
  const { images, labels } = mnistIdxPair(0, 700);
  await session.loadIdxFiles(
    [
      { name: 'images', bytes: images },
      { name: 'labels', bytes: labels },
    ],
    50,
  );
  return { session, notices };
}

const CONFIG = { ...DEFAULT_TRAIN, epochs: 2, seed: 3 };

describe('training when runs cannot be stored', () => {
  const saved = globalThis.indexedDB;
  afterEach(() => {
    (globalThis as { indexedDB?: IDBFactory }).indexedDB = saved;
  });

  it('without IndexedDB (a private window): keeps runs in memory, says so, and trains', async () => {
    delete (globalThis as { indexedDB?: IDBFactory }).indexedDB;
    const { store, status } = await openRunStore();
    expect(status).toEqual({ persistent: false, problem: 'this browser gives the page no IndexedDB (a private window, or site storage is blocked)' });
    expect(await store.list()).toEqual([]);
  });

  it('with a store that refuses every write: the status names the reason, training finishes, the run is listed for this tab', async () => {
    (globalThis as { indexedDB?: object }).indexedDB = {}; // present, but every write fails
    const { session } = await sessionWith(() => fillingStore(0));
    const status = await session.storageStatus();
    expect(status.persistent).toBe(false);
    expect(status.problem).toBe('The quota has been exceeded.');
    const result = await session.train(MLP_PRESET, CONFIG, () => {});
    expect(result.reason).toBe('finished');
    expect(result.epochs).toHaveLength(2);
    const runs = await session.listRuns();
    expect(runs[0]).toMatchObject({ status: 'finished', checkpointStep: 16 });
  });

  it('when storage fills up mid-run: one notice says runs are no longer saved, training goes on to the end', async () => {
    (globalThis as { indexedDB?: object }).indexedDB = {};
    // 1 probe write, then the record at start and the step-0 checkpoint; the epoch-1 checkpoint fails
    const { session, notices } = await sessionWith(() => fillingStore(3));
    expect((await session.storageStatus()).persistent).toBe(true);
    const result = await session.train(MLP_PRESET, CONFIG, () => {});
    expect(result.reason).toBe('finished');
    expect(result.steps).toBe(16);
    const warnings = notices.filter((n) => n.message.includes('is no longer being saved'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0].message).toBe(
      'Run "MLP on images" is no longer being saved: the browser storage for this page is full. Training goes on; delete old runs in the Runs panel to make room for the next one.',
    );
    expect(tf.memory().numTensors).toBeGreaterThan(0); // the model is still there to evaluate
    expect((await session.evaluate()).accuracy).toBeGreaterThan(0.3);
  });
});

describe('a NaN loss', () => {
  it('stops the run, names the step and puts the model back to its last good checkpoint', async () => {
    const { session } = await sessionWith(() => new MemoryKeyValue());
    // plain SGD at the largest allowed rate with a large L2 penalty blows the weights up within a few epochs
    const result = await session.train(MLP_PRESET, { ...DEFAULT_TRAIN, optimizer: 'sgd', learningRate: 10, l2: 1, epochs: 20, seed: 1 }, () => {});
    expect(result.reason).toBe('failed');
    expect(result.error).toMatch(
      /^The loss became (NaN|Infinity) at step \d+\. Training stopped; lower the learning rate or the weight penalty and start again\. The model is back at its last good checkpoint \(step \d+\), kept in the Runs panel\.$/,
    );
    const probabilities = await session.predict(new Float32Array(784).fill(0.5));
    expect(probabilities.every(Number.isFinite)).toBe(true);
    const [run] = await session.listRuns();
    expect(run.status).toBe('failed');
    expect(run.checkpointStep! % 8).toBe(0);
  });
});
