import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerCpuAdam } from '../../../../src/engine/kernels/adam/cpu';
import { matMulInto, registerCpuMatMul } from '../../../../src/engine/kernels/matmul/cpu';
import { registerPatchKernels } from '../../../../src/engine/kernels/patches/cpu';
import { relMaxError } from '../../../../src/engine/kernels/common/check';
import { registerWasmTrainingKernels } from '../../../../src/engine/kernels/stockFixes/wasm';
import { ownMatMul, ownMatMulChosen } from '../../../../src/engine/kernels/matmul/shared';
import { patchConv2d } from '../../../../src/engine/models/patchConv';
import { ownKernelPath } from '../../../../src/engine/train/applyModel';

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
