import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkFusedAdam, FusedAdam } from '../../../src/engine/backend/adam';
import { registerCpuAdam } from '../../../src/engine/backend/cpuAdam';
import { matMulInto, registerCpuMatMul } from '../../../src/engine/backend/cpuMatMul';
import { ownMatMul, ownMatMulChosen } from '../../../src/engine/backend/ownKernels';
import { im2col, registerPatchKernels, type PatchAttrs } from '../../../src/engine/backend/patches';
import { relMaxError } from '../../../src/engine/backend/gpuProgram';
import { registerWasmTrainingKernels } from '../../../src/engine/backend/wasmKernels';
import { checkPatchConv, maxPool2, patchConv2d } from '../../../src/engine/models/patchConv';
import { patchesFit } from '../../../src/engine/backend/glPatches';
import { checkApplyModel, ownKernelPath } from '../../../src/engine/train/applyModel';

beforeAll(() => {
  registerCpuMatMul();
  registerCpuAdam();
  registerPatchKernels();
  registerWasmTrainingKernels();
});

const rel = (got: tf.Tensor, want: tf.Tensor) => tf.tidy(() => relMaxError(got, want).dataSync()[0]!);

describe('our cpu matmul', () => {
  beforeAll(() => tf.setBackend('cpu'));

  it.each([
    [37, 21, 45], // not multiples of the 4 x 4 block: every edge path
    [8, 16, 12],
    [1, 5, 3],
  ])('matches tf.matMul on %d x %d x %d in all four transpose cases', (m, k, n) => {
    for (const ta of [false, true])
      for (const tb of [false, true]) {
        const a = tf.randomNormal(ta ? [k, m] : [m, k], 0, 1, 'float32', m) as tf.Tensor2D;
        const b = tf.randomNormal(tb ? [n, k] : [k, n], 0, 1, 'float32', n) as tf.Tensor2D;
        const ours = ownMatMul(a, b, ta, tb);
        expect(ours.shape).toEqual([m, n]);
        expect(rel(ours, tf.matMul(a, b, ta, tb))).toBeLessThan(1e-5);
        tf.dispose([a, b, ours]);
      }
  });

  it('writes every output entry (no stale values left from the buffer)', () => {
    const c = new Float32Array(6).fill(NaN);
    matMulInto([1, 2, 3, 4], [1, 0, 2, 0, 1, 3], c, 2, 2, 3, false, false); // [[1,2],[3,4]] x [[1,0,2],[0,1,3]]
    expect(Array.from(c)).toEqual([1, 2, 8, 3, 4, 18]);
  });

  it('is what training steps use on cpu, and tfjs layers elsewhere than cpu, wasm, WebGL (convolutions) and a chosen WebGPU', async () => {
    expect(ownMatMulChosen()).toBe(true);
    expect(ownKernelPath()).toMatchObject({ backend: 'cpu', pool: true });
    expect(ownKernelPath()?.conv).toBe(patchConv2d);
  });
});

describe.each(['cpu', 'wasm'])('patch convolution and 2 x 2 max pooling on %s', (backend) => {
  beforeAll(() => tf.setBackend(backend));

  it.each([
    [[3, 9, 8, 2], [5, 5, 2, 6], 'same'],
    [[2, 10, 10, 3], [3, 3, 3, 5], 'valid'],
    [[2, 6, 7, 1], [4, 2, 1, 3], 'same'], // even kernel: tfjs puts the smaller half of the padding first
  ] as const)('matches tf.conv2d and both its gradients: x %j, filter %j, %s', (xShape, wShape, padding) => {
    const x = tf.randomNormal([...xShape], 0, 1, 'float32', 7) as tf.Tensor4D;
    const w = tf.randomNormal([...wShape], 0, 1, 'float32', 8) as tf.Tensor4D;
    const want = tf.conv2d(x, w, 1, padding);
    const r = tf.randomNormal(want.shape, 0, 1, 'float32', 9);
    const loss = (conv: (a: tf.Tensor4D, b: tf.Tensor4D) => tf.Tensor) =>
      tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(conv(a as tf.Tensor4D, b as tf.Tensor4D), r)));
    const ours = loss((a, b) => patchConv2d(a, b, padding))([x, w]);
    const stock = loss((a, b) => tf.conv2d(a, b, 1, padding))([x, w]);
    expect(rel(patchConv2d(x, w, padding), want)).toBeLessThan(1e-5);
    expect(rel(ours[0]!, stock[0]!)).toBeLessThan(1e-5);
    expect(rel(ours[1]!, stock[1]!)).toBeLessThan(1e-5);
    // without the input gradient the filter gradient is the same and dx is zeros
    const noDx = loss((a, b) => patchConv2d(a, b, padding, false))([x, w]);
    expect(rel(noDx[1]!, stock[1]!)).toBeLessThan(1e-5);
    expect(tf.max(tf.abs(noDx[0]!)).dataSync()[0]).toBe(0);
  });

  it('max-pools 2 x 2 blocks like tf.maxPool, odd edges dropped, and routes the gradient to each maximum', () => {
    const x = tf.randomNormal([2, 7, 6, 3], 0, 1, 'float32', 3) as tf.Tensor4D;
    const want = tf.maxPool(x, 2, 2, 'valid');
    expect(maxPool2(x).shape).toEqual([2, 3, 3, 3]);
    expect(rel(maxPool2(x), want)).toBe(0);
    const r = tf.randomNormal(want.shape, 0, 1, 'float32', 4);
    const g = (pool: (a: tf.Tensor4D) => tf.Tensor) => tf.grad((a: tf.Tensor) => tf.sum(tf.mul(pool(a as tf.Tensor4D), r)))(x);
    expect(
      rel(
        g(maxPool2),
        g((a) => tf.maxPool(a, 2, 2, 'valid')),
      ),
    ).toBe(0);
  });

  it('passes the in-page convolution check the e2e suite runs on WebGL (both paddings, a 5 x 3 filter)', async () => {
    const checks = await checkPatchConv();
    expect(checks.map((c) => c.padding)).toEqual(['same', 'valid']);
    for (const c of checks) expect(Math.max(c.outputRelError, c.inputGradRelError, c.filterGradRelError)).toBeLessThan(1e-5);
  });

  it('runs the default MLP and CNN through our kernels with the layers outputs and weight gradients', async () => {
    const checks = await checkApplyModel();
    expect(checks.map((c) => c.model)).toEqual(['mlp', 'cnn']);
    for (const c of checks) {
      expect(c.ownPath).toBe(true);
      expect(c.outputRelError).toBeLessThan(1e-5);
      expect(c.gradientRelError).toBeLessThan(1e-4);
    }
  });
});

describe('WebGL patches', () => {
  it('fit one unpacked texture up to maxTexture^2 values; beyond that the convolution keeps tfjs kernels', () => {
    // the default CNN's first layer, validated in batches of 500: 392,000 x 25 patch entries
    expect(patchesFit(500 * 28 * 28, 25, 4096)).toBe(true);
    // a 64-channel 5 x 5 layer on 14 x 14 maps in the same batches: 157 M values, more than 8192^2 = 67 M
    expect(patchesFit(500 * 14 * 14, 25 * 64, 8192)).toBe(false);
    expect(patchesFit(8192, 8192, 8192)).toBe(true);
    expect(patchesFit(8192, 8193, 8192)).toBe(false);
  });
});

describe('im2col', () => {
  it('writes the transposed layout as the exact transpose, zeros where the patch leaves the image', () => {
    const a: PatchAttrs = { kh: 3, kw: 3, top: 1, left: 1, oh: 2, ow: 3, imageShape: [1, 2, 3, 1] };
    const x = [1, 2, 3, 4, 5, 6];
    const plain = new Float32Array(6 * 9);
    const transposed = new Float32Array(9 * 6);
    im2col(x, a, plain);
    im2col(x, a, transposed, true);
    // pixel (0, 0)'s patch: the row above and the column left are padding
    expect(Array.from(plain.subarray(0, 9))).toEqual([0, 0, 0, 0, 1, 2, 0, 4, 5]);
    for (let p = 0; p < 6; p++) for (let r = 0; r < 9; r++) expect(transposed[r * 6 + p]).toBe(plain[p * 9 + r]);
  });
});

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
