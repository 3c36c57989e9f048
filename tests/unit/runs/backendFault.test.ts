import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { MLP_PRESET } from '../../../src/engine/config/imageModel';
import type { CharTransformerConfig } from '../../../src/engine/config/charTransformer';
import { DEFAULT_TEXT_TRAIN } from '../../../src/engine/config/textTrain';
import { DEFAULT_TRAIN } from '../../../src/engine/config/train';
import type { TrainEvent } from '../../../src/engine/config/events';
import type { Notice } from '../../../src/engine/config/api';
import { Engine } from '../../../src/engine/services/engine';
import { MemoryKeyValue } from '../../../src/engine/runs/runStore';
import { mnistIdxPair, sotuBytes } from '../mnist';

// A stand-in 'webgl' backend: the CPU backend's class and kernels under another name, whose matmul starts
// failing after a number of calls, as a kernel on a broken GPU driver would.
let matmulCalls = 0;
let failAfter = Infinity;
const cpu = tf.findBackend('cpu') ?? (await tf.ready(), tf.findBackend('cpu'));
tf.registerBackend('webgl', () => new (cpu!.constructor as new () => tf.KernelBackend)());
for (const k of tf.getKernelsForBackend('cpu')) {
  const failing = k.kernelName === 'BatchMatMul' || k.kernelName === '_FusedMatMul';
  tf.registerKernel({
    ...k,
    backendName: 'webgl',
    kernelFunc: failing
      ? (args) => {
          if (++matmulCalls > failAfter) throw new Error('simulated driver fault');
          return k.kernelFunc(args);
        }
      : k.kernelFunc,
  });
}

afterAll(async () => {
  await tf.setBackend('cpu');
  tf.removeBackend('webgl');
});

describe('a kernel failing mid-run', () => {
  it('moves the run to the next backend that starts, from its last checkpoint, and finishes every step once', async () => {
    const notices: Notice[] = [];
    const session = new Engine(() => new MemoryKeyValue());
    const state = await session.init('webgl', (n) => notices.push(n));
    expect(state.active).toBe('webgl');
    const { images, labels } = mnistIdxPair(0, 700);
    await session.loadIdxFiles(
      [
        { name: 'images', bytes: images },
        { name: 'labels', bytes: labels },
      ],
      50,
    );
    // 8 steps per epoch; the matmuls of about 11 steps (plus a validation pass) go through before the fault
    matmulCalls = 0;
    failAfter = 11 * 6;
    const events: TrainEvent[] = [];
    const result = await session.train(MLP_PRESET, { ...DEFAULT_TRAIN, epochs: 3, seed: 5, metricsEvery: 1 }, (e) => events.push(e));
    expect(result.reason).toBe('finished');
    expect(tf.getBackend()).toBe('cpu'); // wasm is not registered under Node, so cpu is next
    const rewind = events.find((e) => e.type === 'rewind');
    expect(rewind).toMatchObject({ type: 'rewind', step: 8, backend: 'cpu' });
    const message = notices.find((n) => n.message.startsWith('Training paused'))?.message;
    expect(message).toMatch(
      /^Training paused on webgl: a kernel failed at step \d+ \(simulated driver fault\)\. It goes on on cpu from the last checkpoint \(step 8\); nothing trained before that step is lost\.$/,
    );
    const [run] = await session.listRuns();
    const record = await session.getRun(run.id);
    expect(record.steps.map((p) => p.step)).toEqual(Array.from({ length: 24 }, (_, i) => i + 1));
    expect(record).toMatchObject({ status: 'finished', backend: 'cpu', checkpointStep: 24 });
  });

  it('moves a char-Transformer run the same way: from its checkpoint, on cpu, still a char-Transformer', async () => {
    const notices: Notice[] = [];
    const session = new Engine(() => new MemoryKeyValue());
    expect((await session.init('webgl', (n) => notices.push(n))).active).toBe('webgl');
    await session.loadText({ name: 'jfk.txt', bytes: sotuBytes() }, { lowercase: false, maxVocab: 0 });
    const gpt: CharTransformerConfig = { kind: 'charTransformer', layers: 1, heads: 2, width: 16, context: 8, dropout: 0, tied: true };
    const textConfig = { ...DEFAULT_TEXT_TRAIN, evalEvery: 3, sampleLength: 0, maxValWindows: 16 };
    // the first round's validation point arms the fault: a few matmuls into the second round, after its checkpoint
    matmulCalls = 0;
    failAfter = Infinity;
    const events: TrainEvent[] = [];
    const onEvent = (e: TrainEvent) => {
      events.push(e);
      if (e.type === 'epoch' && e.point.epoch === 1) failAfter = matmulCalls + 5;
    };
    const result = await session.trainText(gpt, { ...DEFAULT_TRAIN, learningRate: 0.01, epochs: 3, batchSize: 4, seed: 5 }, textConfig, onEvent);
    expect(result.reason).toBe('finished');
    expect(tf.getBackend()).toBe('cpu');
    expect(events.find((e) => e.type === 'rewind')).toMatchObject({ type: 'rewind', step: 3, backend: 'cpu' });
    expect(
      notices.some((n) =>
        /^Training paused on webgl: a kernel failed at step \d+ \(simulated driver fault\)\. It goes on on cpu from the last checkpoint \(step 3\)/.test(
          n.message,
        ),
      ),
    ).toBe(true);
    const [run] = await session.listRuns();
    expect(run.modelKind).toBe('charTransformer');
    const record = await session.getRun(run.id);
    expect(record.steps.map((p) => p.step)).toEqual(Array.from({ length: 9 }, (_, i) => i + 1));
    expect(record).toMatchObject({ status: 'finished', backend: 'cpu', checkpointStep: 9, modelKind: 'charTransformer', model: gpt });
    // the page's current char model is the rebuilt char-Transformer: it generates
    expect(await session.generate({ seedText: 'We ', length: 10, temperature: 0.5, topK: 0, seed: 3 }, () => {})).toHaveLength(10);
  }, 60_000);
});
