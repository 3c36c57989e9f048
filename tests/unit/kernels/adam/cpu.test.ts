import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerCpuAdam } from '../../../../src/engine/kernels/adam/cpu';
import { registerCpuMatMul } from '../../../../src/engine/kernels/matmul/cpu';
import { registerPatchKernels } from '../../../../src/engine/kernels/patches/cpu';
import { relMaxError } from '../../../../src/engine/kernels/common/check';
import { registerWasmTrainingKernels } from '../../../../src/engine/kernels/stockFixes/wasm';
import { checkFusedAdam, FusedAdam } from '../../../../src/engine/kernels/adam/fused';

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
