import 'fake-indexeddb/auto';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { MLP_PRESET } from '../../../src/engine/config/imageModel';
import { DEFAULT_TRAIN, TrainConfig } from '../../../src/engine/config/train';
import type { TrainEvent } from '../../../src/engine/config/events';
import { Engine } from '../../../src/engine/services/engine';
import { indexedDbKeyValue, RunStore } from '../../../src/engine/runs/runStore';
import type { Checkpoint } from '../../../src/engine/io/checkpoint';
import { mnistIdxPair } from '../mnist';

const files = (start: number, end: number) => {
  const { images, labels } = mnistIdxPair(start, end);
  return [
    { name: 'images', bytes: images },
    { name: 'labels', bytes: labels },
  ];
};

// 700 digits: 550 train, 50 validation; batch 64 gives 8 steps per epoch
const CONFIG: TrainConfig = { ...DEFAULT_TRAIN, epochs: 3, batchSize: 64, seed: 7, metricsEvery: 4 };

async function openSession(): Promise<Engine> {
  const session = new Engine();
  await session.init('cpu', () => {});
  await session.loadIdxFiles(files(0, 700), 50);
  return session;
}

const weightsOf = async (session: Engine) => (await session.exportModel('images')).weights;

describe('run history and resume (IndexedDB through fake-indexeddb)', () => {
  it('keeps every run with its curves, final figure and a checkpoint holding the weights and Adam state', async () => {
    const session = await openSession();
    expect(await session.storageStatus()).toEqual({ persistent: true, problem: null });
    const result = await session.train(MLP_PRESET, { ...CONFIG, epochs: 2 }, () => {});
    expect(result.reason).toBe('finished');
    const [run] = await session.listRuns();
    expect(run).toMatchObject({
      status: 'finished',
      step: 16,
      totalSteps: 16,
      checkpointStep: 16,
      task: 'images',
      modelKind: 'mlp',
      name: 'MLP on images',
    });
    expect(run.metric?.name).toBe('validation accuracy');
    expect(run.metric?.value).toBe(result.epochs[1].valAccuracy);
    const record = await session.getRun(run.id);
    expect(record.steps.map((p) => p.step)).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
    expect(record.epochs.map((p) => p.step)).toEqual([8, 16]);
    expect(record.model).toEqual(MLP_PRESET);

    const cp = (await new RunStore(indexedDbKeyValue('nn-playground-runs'), indexedDbKeyValue('nn-playground-checkpoints')).checkpoint(
      run.id,
    )) as Checkpoint;
    expect(cp.step).toBe(16);
    // Adam: the iteration count, then m and v for each of the 4 trainable tensors (2 kernels, 2 biases)
    expect(cp.optimizer.map((r) => r.name)[0]).toBe('iter');
    expect(new Int32Array(cp.optimizer[0].data)[0]).toBe(16);
    expect(cp.optimizer).toHaveLength(1 + 2 * 4);
    expect(cp.weights.map((w) => w.shape)).toEqual([[784, 64], [64], [64, 10], [10]]);
    expect(cp.dropoutCalls).toEqual([16]); // one mask per training step
  });

  it('a run stopped after epoch 1 and resumed in a new session ends with exactly the weights of an uninterrupted run', async () => {
    const reference = await openSession();
    await reference.train(MLP_PRESET, CONFIG, () => {});
    const expected = await weightsOf(reference);
    const referenceSteps = (await reference.getRun((await reference.listRuns())[0].id)).steps;

    const first = await openSession();
    const stopAfterEpoch1 = (e: TrainEvent) => {
      if (e.type === 'epoch' && e.point.epoch === 1) void first.stop();
    };
    expect((await first.train(MLP_PRESET, CONFIG, stopAfterEpoch1)).reason).toBe('stopped');
    const id = (await first.listRuns())[0].id;

    // a new session, as after a reload: the run is resumed from its checkpoint at step 8
    const second = await openSession();
    const events: TrainEvent[] = [];
    const result = await second.resumeRun(id, (e) => events.push(e));
    expect(result.reason).toBe('finished');
    const steps = events.flatMap((e) => (e.type === 'steps' ? e.points.map((p) => p.step) : []));
    expect(steps[0]).toBe(9);
    expect(steps.at(-1)).toBe(24);
    expect(Buffer.from(await weightsOf(second)).equals(Buffer.from(expected))).toBe(true);
    const record = await second.getRun(id);
    expect(record.status).toBe('finished');
    expect(record.steps.map((p) => p.step)).toEqual(Array.from({ length: 24 }, (_, i) => i + 1));
    expect(record.steps.map((p) => p.loss)).toEqual(referenceSteps.map((p) => p.loss));
  });

  it('lists a run left running by a closed page as interrupted, and refuses to resume it on other data', async () => {
    const session = await openSession();
    await session.train(MLP_PRESET, { ...CONFIG, epochs: 1 }, () => {});
    const store = new RunStore(indexedDbKeyValue('nn-playground-runs'), indexedDbKeyValue('nn-playground-checkpoints'));
    const latest = (await store.list())[0];
    await store.put({ ...(await store.get(latest.id))!, status: 'running' });
    const reloaded = new Engine();
    await reloaded.init('cpu', () => {});
    expect((await reloaded.listRuns()).find((r) => r.id === latest.id)?.status).toBe('interrupted');
    await expect(reloaded.resumeRun(latest.id, () => {})).rejects.toThrow('Load the dataset "images" first');
    await reloaded.loadIdxFiles(files(1000, 1700), 50);
    await expect(reloaded.resumeRun(latest.id, () => {})).rejects.toThrow('with other contents is loaded; load the same dataset');
  });

  it('a checkpoint that does not fit its model is refused with a message, and the page keeps its current model', async () => {
    const session = await openSession();
    await session.train(MLP_PRESET, { ...CONFIG, epochs: 1 }, () => {});
    const id = (await session.listRuns())[0].id;
    const pixels = new Float32Array(784).fill(0.25);
    const before = await session.predict(pixels);
    const store = new RunStore(indexedDbKeyValue('nn-playground-runs'), indexedDbKeyValue('nn-playground-checkpoints'));
    await store.put({ ...(await store.get(id))!, model: { ...MLP_PRESET, hidden: [{ units: 32, activation: 'relu' }] } });
    await expect(session.resumeRun(id, () => {})).rejects.toThrow(
      'The checkpoint does not fit this model (different layers or sizes); start a new run instead.',
    );
    await expect(session.openRun(id)).rejects.toThrow('The checkpoint does not fit this model');
    expect(await session.predict(pixels)).toEqual(before);
    // and the session is free for the next run
    expect((await session.train(MLP_PRESET, { ...CONFIG, epochs: 1 }, () => {})).reason).toBe('finished');
  });

  it('opens, renames, exports under a safe file name and deletes a run', async () => {
    const session = await openSession();
    await session.train(MLP_PRESET, { ...CONFIG, epochs: 1 }, () => {});
    const id = (await session.listRuns())[0].id;
    const renamed = await session.renameRun(id, '  ../../etc/passwd <img src=x onerror=alert(1)>  ');
    expect(renamed.name).toBe('../../etc/passwd <img src=x onerror=alert(1)>');
    await expect(session.renameRun(id, '   ')).rejects.toThrow('A run needs a name');
    const exported = await session.exportRun(id);
    const stem = `etc-passwd-img-src-x-onerror-alert-1-v${renamed.version}`;
    expect(exported.map((f) => f.name)).toEqual([`${stem}.run.json`, `${stem}.json`, `${stem}.weights.bin`]);
    const runJson = JSON.parse(new TextDecoder().decode(exported[0].bytes));
    expect(runJson).toMatchObject({ format: 'nn-playground-run', name: renamed.name, status: 'finished' });
    expect(runJson.steps).toHaveLength(8);
    // the exported model is plain tfjs: it loads and predicts as the opened run does
    const json = JSON.parse(new TextDecoder().decode(exported[1].bytes));
    const model = await tf.loadLayersModel(
      tf.io.fromMemory({
        modelTopology: json.modelTopology,
        weightSpecs: json.weightsManifest[0].weights,
        weightData: exported[2].bytes.slice().buffer,
      }),
    );
    const record = await session.openRun(id);
    expect(record.epochs).toHaveLength(1);
    const pixels = new Float32Array(784).fill(0.5);
    const fromFile = Array.from((model.predict(tf.tensor4d(pixels, [1, 28, 28, 1])) as tf.Tensor).dataSync());
    const fromPage = await session.predict(pixels);
    fromFile.forEach((p, i) => expect(p).toBeCloseTo(fromPage[i], 6));
    model.dispose();

    await session.deleteRun(id);
    expect((await session.listRuns()).some((r) => r.id === id)).toBe(false);
    await expect(session.openRun(id)).rejects.toThrow('This run is no longer stored');
  });
});
