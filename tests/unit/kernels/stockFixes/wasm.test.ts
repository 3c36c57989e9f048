import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerWasmTrainingKernels } from '../../../../src/engine/kernels/stockFixes/wasm';
import { buildModel } from '../../../../src/engine/families/images/model';
import { CNN_PRESET } from '../../../../src/engine/config/imageModel';

async function filterGradOn(backend: string, pad: 'same' | 'valid', stride: number): Promise<Float32Array> {
  await tf.setBackend(backend);
  return tf.tidy(() => {
    const x = tf.tensor4d(
      Array.from({ length: 2 * 9 * 9 * 3 }, (_, i) => Math.sin(i * 0.37)),
      [2, 9, 9, 3],
    );
    const outSide = pad === 'same' ? Math.ceil(9 / stride) : Math.floor((9 - 3) / stride) + 1;
    const dy = tf.tensor4d(
      Array.from({ length: 2 * outSide * outSide * 4 }, (_, i) => Math.cos(i * 0.11)),
      [2, outSide, outSide, 4],
    );
    const filter = tf.tensor4d(
      Array.from({ length: 3 * 3 * 3 * 4 }, (_, i) => Math.sin(i)),
      [3, 3, 3, 4],
    );
    // d/dW sum(conv2d(x, W) * dy) is exactly the filter gradient for upstream gradient dy
    const dW = tf.grad((w: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(x, w as tf.Tensor4D, stride, pad), dy)))(filter);
    return dW.dataSync() as Float32Array;
  });
}

describe('wasm Conv2DBackpropFilter', () => {
  beforeAll(async () => {
    await tf.setBackend('wasm');
    registerWasmTrainingKernels();
  });

  it.each([
    ['same', 1],
    ['valid', 1],
  ] as const)('matches the cpu kernel for %s padding, stride %d', async (pad, stride) => {
    const cpu = await filterGradOn('cpu', pad, stride);
    const wasm = await filterGradOn('wasm', pad, stride);
    expect(wasm.length).toBe(3 * 3 * 3 * 4);
    for (let i = 0; i < cpu.length; i++) expect(wasm[i]).toBeCloseTo(cpu[i], 4);
  });

  it('refuses strided convolutions with a message instead of returning wrong gradients', async () => {
    await expect(filterGradOn('wasm', 'same', 2)).rejects.toThrow(/strided convolutions.*switch to webgl or cpu/);
  });

  it('lets the LeNet preset take a training step on wasm without leaking tensors', async () => {
    await tf.setBackend('wasm');
    const model = buildModel(CNN_PRESET, 3);
    const opt = tf.train.sgd(0.1);
    const x = tf.randomUniform([4, 28, 28, 1], 0, 1, 'float32', 1);
    const y = tf.oneHot(tf.tensor1d([0, 1, 2, 3], 'int32'), 10);
    const before = tf.memory().numTensors;
    const kernelBefore = model.layers[0].getWeights()[0].dataSync().slice();
    const loss = opt.minimize(() => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor), true) as tf.Scalar;
    expect(Number.isFinite(loss.dataSync()[0])).toBe(true);
    loss.dispose();
    const kernelAfter = model.layers[0].getWeights()[0].dataSync();
    expect(kernelAfter.some((v, i) => v !== kernelBefore[i])).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, y]);
    model.dispose();
    opt.dispose();
  });
});

describe('wasm UnsortedSegmentSum (the gradient of gather, needed by embeddings)', () => {
  beforeAll(async () => {
    await tf.setBackend('wasm');
    registerWasmTrainingKernels();
  });

  it('sums rows by segment id and matches the cpu kernel', async () => {
    const run = async (backend: string) => {
      await tf.setBackend(backend);
      return tf.tidy(() => {
        const x = tf.tensor3d(
          Array.from({ length: 5 * 2 * 3 }, (_, i) => i * 0.5 - 3),
          [5, 2, 3],
        );
        return tf.unsortedSegmentSum(x, tf.tensor1d([2, 0, 2, 3, 0], 'int32'), 4).arraySync() as number[][][];
      });
    };
    const wasm = await run('wasm');
    const cpu = await run('cpu');
    expect(wasm).toEqual(cpu);
    expect(wasm[1]).toEqual([
      [0, 0, 0],
      [0, 0, 0],
    ]); // no row has id 1
    expect(wasm[3][0]).toEqual([6, 6.5, 7]); // row 3 alone: x[3,0,:] = 3*3 + (0..2) times 0.5 - 3
  });

  it('lets an embedding train on wasm: the gradient of gather matches cpu', async () => {
    const run = async (backend: string) => {
      await tf.setBackend(backend);
      return tf.tidy(() => {
        const table = tf.tensor2d(
          Array.from({ length: 6 * 4 }, (_, i) => Math.sin(i)),
          [6, 4],
        );
        const ids = tf.tensor2d(
          [
            [1, 5, 1],
            [0, 5, 2],
          ],
          [2, 3],
          'int32',
        );
        const weights = tf.tensor3d(
          Array.from({ length: 2 * 3 * 4 }, (_, i) => Math.cos(i)),
          [2, 3, 4],
        );
        return Array.from(
          tf
            .grad((t: tf.Tensor) => tf.sum(tf.mul(tf.gather(t, ids), weights)))(table)
            .dataSync(),
        );
      });
    };
    const wasm = await run('wasm');
    const cpu = await run('cpu');
    wasm.forEach((v, i) => expect(v).toBeCloseTo(cpu[i], 5));
    expect(cpu.slice(12, 16).every((v) => v === 0)).toBe(true); // id 3 is never gathered
  });

  it('slices from the heap exactly as the stock kernel does: rows, columns, 3-D, int32, empty', async () => {
    const cases: [number[], number[], number[], 'float32' | 'int32'][] = [
      [[64, 40], [8, 0], [8, 40], 'float32'], // one time step of a time-major sequence
      [[6, 12], [0, 3], [6, 3], 'float32'], // an LSTM gate block
      [[4, 5, 3], [1, 1, 0], [2, -1, 2], 'int32'],
      [[5, 5], [2, 2], [0, 3], 'float32'],
    ];
    const run = async (backend: string) => {
      await tf.setBackend(backend);
      return cases.map(([shape, begin, size, dtype]) =>
        tf.tidy(() => {
          const n = shape.reduce((a, b) => a * b, 1);
          const y = tf.slice(
            tf.tensor(
              Array.from({ length: n }, (_, i) => (i * 13) % 17),
              shape,
              dtype,
            ),
            begin,
            size,
          );
          return { shape: y.shape, dtype: y.dtype, values: Array.from(y.dataSync()) };
        }),
      );
    };
    const wasm = await run('wasm');
    const cpu = await run('cpu');
    expect(tf.getKernel('Slice', 'wasm')).toMatchObject({ fromHeap: true });
    expect(wasm).toEqual(cpu);
    expect(wasm[0]!.values.slice(0, 3)).toEqual([(320 * 13) % 17, (321 * 13) % 17, (322 * 13) % 17]); // row 8 starts at 8 x 40
    expect(wasm[3]!.values).toEqual([]);
  });

  it('gathers batches of rows from the heap as the cpu kernel does (images, labels, 2-D indices)', async () => {
    const run = async (backend: string) => {
      await tf.setBackend(backend);
      return tf.tidy(() => {
        const images = tf.tensor4d(
          Array.from({ length: 50 * 3 * 3 }, (_, i) => Math.cos(i)),
          [50, 3, 3, 1],
        );
        const labels = tf.tensor1d(
          Array.from({ length: 50 }, (_, i) => (i * 7) % 10),
          'int32',
        );
        const idx = tf.tensor1d([49, 0, 17, 17, 3], 'int32');
        return [tf.gather(images, idx), tf.gather(labels, idx), tf.gather(labels, tf.tensor2d([[1, 2]], [1, 2], 'int32'))].map((t) => ({
          shape: t.shape,
          values: Array.from(t.dataSync()),
        }));
      });
    };
    const wasm = await run('wasm');
    expect(tf.getKernel('GatherV2', 'wasm')).toMatchObject({ rows: true });
    expect(wasm).toEqual(await run('cpu'));
    expect(wasm[1]!.values).toEqual([(49 * 7) % 10, 0, (17 * 7) % 10, (17 * 7) % 10, 1]);
  });
});
