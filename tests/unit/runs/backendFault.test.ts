import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { MLP_PRESET } from '../../../src/engine/config/imageModel';
import { DEFAULT_TRAIN } from '../../../src/engine/config/train';
import type { TrainEvent } from '../../../src/engine/config/events';
import type { Notice } from '../../../src/engine/config/api';
import { Engine } from '../../../src/engine/services/engine';
import { MemoryKeyValue } from '../../../src/engine/runs/runStore';
import { mnistIdxPair } from '../mnist';

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
});
