import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerCpuAdam } from '../../../../src/engine/kernels/adam/cpu';
import { registerCpuMatMul } from '../../../../src/engine/kernels/matmul/cpu';
import { im2col, registerPatchKernels } from '../../../../src/engine/kernels/patches/cpu';
import { relMaxError } from '../../../../src/engine/kernels/common/check';
import { registerWasmTrainingKernels } from '../../../../src/engine/kernels/stockFixes/wasm';
import type { PatchAttrs } from '../../../../src/engine/kernels/patches/shared';
import { checkPatchConv, maxPool2, patchConv2d } from '../../../../src/engine/models/patchConv';
import { checkApplyModel } from '../../../../src/engine/train/applyModel';

beforeAll(() => {
  registerCpuMatMul();
  registerCpuAdam();
  registerPatchKernels();
  registerWasmTrainingKernels();
});

const rel = (got: tf.Tensor, want: tf.Tensor) => tf.tidy(() => relMaxError(got, want).dataSync()[0]!);

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
