import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerCpuAdam } from '../../../../src/engine/kernels/adam/cpu';
import { registerCpuMatMul } from '../../../../src/engine/kernels/matmul/cpu';
import { registerPatchKernels } from '../../../../src/engine/kernels/patches/cpu';
import { relMaxError } from '../../../../src/engine/kernels/common/check';
import { registerWasmTrainingKernels } from '../../../../src/engine/kernels/stockFixes/wasm';
import { checkFusedAdam, FusedAdam } from '../../../../src/engine/kernels/adam/fused';
import { ADAM_KERNEL } from '../../../../src/engine/kernels/names';

beforeAll(() => {
  registerCpuMatMul();
  registerCpuAdam();
  registerPatchKernels();
  registerWasmTrainingKernels();
});

const rel = (got: tf.Tensor, want: tf.Tensor) => tf.tidy(() => relMaxError(got, want).dataSync()[0]!);

describe('FusedAdam on cpu', () => {
  beforeAll(() => tf.setBackend('cpu'));

  it('takes the same steps as tf.train.adam, with the same saved state', async () => {
    const start = tf.randomNormal([5, 7], 0, 1, 'float32', 1);
    const target = tf.randomNormal([5, 7], 0, 1, 'float32', 2);
    const run = async (optimizer: tf.Optimizer, name: string) => {
      const w = tf.variable(start.clone(), true, name);
      const losses: number[] = [];
      for (let i = 0; i < 6; i++) losses.push(optimizer.minimize(() => tf.sum(tf.square(tf.sub(w, target))), true, [w])!.dataSync()[0]!);
      const state = await optimizer.getWeights();
      return { w, losses, state };
    };
    const ours = await run(new FusedAdam(0.05, 0.9, 0.999, 1e-7), 'fusedAdamTest');
    const stock = await run(tf.train.adam(0.05, 0.9, 0.999, 1e-7), 'stockAdamTest');
    expect(ours.losses[5]).toBeLessThan(ours.losses[0]!);
    ours.losses.forEach((l, i) => expect(Math.abs(l - stock.losses[i]!) / stock.losses[i]!).toBeLessThan(1e-5)); // (beta^t: float64 here, float32 in tfjs)
    expect(rel(ours.w, stock.w)).toBeLessThan(1e-5);
    expect(ours.state.map((s) => s.name)).toEqual(['iter', 'fusedAdamTest/m', 'fusedAdamTest/v']);
    expect(ours.state.length).toBe(stock.state.length);
    for (let i = 1; i < 3; i++) expect(rel(ours.state[i]!.tensor, stock.state[i]!.tensor)).toBeLessThan(1e-6);
  });

  it('passes the in-page check the e2e suite runs on WebGL and WebGPU, on an odd matrix and a vector, leaving no tensors', async () => {
    const r = await checkFusedAdam();
    expect(r).toMatchObject({ backend: 'cpu', kernel: true, lossFell: true, tensorsLeft: 0 });
    expect(r.weights).toBeLessThan(1e-5);
    expect(r.moments).toBeLessThan(1e-4);
  });
});

describe("FusedAdam where the backend has no Adam kernel (WASM runs tfjs's update)", () => {
  beforeAll(() => tf.setBackend('wasm'));

  it('resumed from its saved state after 13 of 60 steps, ends on the same bytes as an uninterrupted run', async () => {
    expect(tf.getKernel(ADAM_KERNEL, 'wasm')).toBeUndefined();
    const start = tf.randomNormal([5, 7], 0, 1, 'float32', 1);
    const target = tf.randomNormal([5, 7], 0, 1, 'float32', 2);
    const steps = (optimizer: tf.Optimizer, w: tf.Variable, n: number) => {
      for (let i = 0; i < n; i++) optimizer.minimize(() => tf.sum(tf.square(tf.sub(w, target))), false, [w]);
    };
    const whole = tf.variable(start.clone(), true, 'adamWhole');
    const uninterrupted = new FusedAdam(0.05, 0.9, 0.999, 1e-7);
    steps(uninterrupted, whole, 60);

    const resumed = tf.variable(start.clone(), true, 'adamResumed');
    const before = new FusedAdam(0.05, 0.9, 0.999, 1e-7);
    steps(before, resumed, 13);
    const saved = await before.getWeights(); // what a checkpoint keeps: iterations, m, v
    const after = new FusedAdam(0.05, 0.9, 0.999, 1e-7);
    await after.setWeights(saved);
    steps(after, resumed, 47);

    expect(after.iterations).toBe(60);
    expect(Array.from(resumed.dataSync())).toEqual(Array.from(whole.dataSync()));
    const [a, b] = [await uninterrupted.getWeights(), await after.getWeights()];
    for (let i = 1; i < 3; i++) expect(Array.from(b[i]!.tensor.dataSync())).toEqual(Array.from(a[i]!.tensor.dataSync()));
    // and it is still Adam: the loss fell
    expect(tf.sum(tf.square(tf.sub(whole, target))).dataSync()[0]).toBeLessThan(tf.sum(tf.square(tf.sub(start, target))).dataSync()[0]! / 2);
  });
});
