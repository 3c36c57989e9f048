import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerFastCpuKernels } from '../../../../src/engine/kernels/stockFixes/cpu';

// The stock kernels, kept to compare against and put back afterwards (other test files share this process).
let stock: tf.KernelConfig[] = [];
beforeAll(async () => {
  await tf.setBackend('cpu');
  stock = ['Slice', 'UnsortedSegmentSum', 'GatherV2'].map((k) => tf.getKernel(k, 'cpu')!);
});
afterAll(() => {
  for (const k of stock) {
    tf.unregisterKernel(k.kernelName, 'cpu');
    tf.registerKernel(k);
  }
});

function withStock<T>(f: () => T): T {
  const fast = stock.map((k) => tf.getKernel(k.kernelName, 'cpu')!);
  for (const k of stock) {
    tf.unregisterKernel(k.kernelName, 'cpu');
    tf.registerKernel(k);
  }
  try {
    return f();
  } finally {
    for (const k of fast) {
      tf.unregisterKernel(k.kernelName, 'cpu');
      tf.registerKernel(k);
    }
  }
}

describe('fast cpu kernels', () => {
  it('replace Slice and UnsortedSegmentSum once, however often they are registered', () => {
    registerFastCpuKernels();
    const first = tf.getKernel('Slice', 'cpu')!.kernelFunc;
    registerFastCpuKernels();
    expect(tf.getKernel('Slice', 'cpu')!.kernelFunc).toBe(first);
    expect(first).not.toBe(stock[0]!.kernelFunc);
    expect(tf.getKernel('UnsortedSegmentSum', 'cpu')!.kernelFunc).not.toBe(stock[1]!.kernelFunc);
  });

  const cases: [number[], number[], number[]][] = [
    [
      [64, 512],
      [0, 128],
      [64, 128],
    ], // an LSTM gate block
    [
      [5, 7],
      [2, 0],
      [3, -1],
    ], // rows, -1 = to the end
    [
      [4, 6, 5],
      [1, 2, 1],
      [2, 3, 4],
    ],
    [
      [3, 4, 5, 6],
      [0, 1, 2, 3],
      [3, 2, 2, 3],
    ],
    [[9], [4], [3]],
    [
      [4, 4],
      [1, 1],
      [0, 2],
    ], // empty
  ];
  for (const [shape, begin, size] of cases) {
    it(`slices [${shape}] from [${begin}] by [${size}] exactly like stock tfjs (float32 and int32)`, () => {
      registerFastCpuKernels();
      const n = shape.reduce((a, b) => a * b, 1);
      for (const dtype of ['float32', 'int32'] as const) {
        const x = tf.tensor(
          Array.from({ length: n }, (_, i) => ((i * 37) % 101) - 50),
          shape,
          dtype,
        );
        const fast = tf.slice(x, begin, size);
        const ref = withStock(() => tf.slice(x, begin, size));
        expect(fast.shape).toEqual(ref.shape);
        expect(fast.dtype).toBe(dtype);
        expect(Array.from(fast.dataSync())).toEqual(Array.from(ref.dataSync()));
        tf.dispose([x, fast, ref]);
      }
    });
  }

  it('sums rows by segment like stock tfjs, and gives gather the same gradient', () => {
    registerFastCpuKernels();
    const x = tf.tensor2d(
      Array.from({ length: 40 * 3 }, (_, i) => Math.sin(i)),
      [40, 3],
    );
    const ids = tf.tensor1d(
      Array.from({ length: 40 }, (_, i) => (i * 7) % 9),
      'int32',
    );
    const fast = tf.unsortedSegmentSum(x, ids, 11);
    const ref = withStock(() => tf.unsortedSegmentSum(x, ids, 11));
    expect(fast.shape).toEqual([11, 3]);
    const f = fast.dataSync();
    const r = ref.dataSync();
    for (let i = 0; i < r.length; i++) expect(f[i]).toBeCloseTo(r[i]!, 5);
    expect(Array.from(f.slice(27))).toEqual([0, 0, 0, 0, 0, 0]); // segments 9 and 10 have no rows
    const table = tf.variable(tf.randomNormal([9, 3], 0, 1, 'float32', 1));
    const grad = () => tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.gather(t, ids), x)))(table);
    expect(Array.from(grad().dataSync())).toEqual(Array.from(withStock(grad).dataSync()).map((v) => expect.closeTo(v, 5)));
    tf.dispose([x, ids, fast, ref, table]);
  });

  it('gathers rows like stock tfjs (images, int32 labels, a negative axis), other axes through the stock kernel', () => {
    registerFastCpuKernels();
    expect(tf.getKernel('GatherV2', 'cpu')).toMatchObject({ rows: true });
    const images = tf.tensor4d(
      Array.from({ length: 9 * 4 * 4 }, (_, i) => Math.sin(i)),
      [9, 4, 4, 1],
    );
    const labels = tf.tensor1d([3, 1, 4, 1, 5, 9, 2, 6, 5], 'int32');
    const idx = tf.tensor1d([8, 0, 3, 3], 'int32');
    const grid = tf.tensor2d([[2, 1]], [1, 2], 'int32');
    const gathers = [
      () => tf.gather(images, idx),
      () => tf.gather(labels, idx),
      () => tf.gather(images.reshape([9, 16]), idx, -2),
      () => tf.gather(images.reshape([9, 16]), grid), // 2-D indices: [1, 2, 16]
      () => tf.gather(images.reshape([9, 16]), idx, 1), // not axis 0: the stock kernel
    ];
    for (const f of gathers) {
      const fast = f();
      const ref = withStock(f);
      expect(fast.shape).toEqual(ref.shape);
      expect(Array.from(fast.dataSync())).toEqual(Array.from(ref.dataSync()));
      tf.dispose([fast, ref]);
    }
    expect(Array.from(tf.gather(labels, idx).dataSync())).toEqual([5, 3, 1, 1]);
    expect(() => tf.gather(labels, tf.tensor1d([9], 'int32'))).toThrow('GatherV2: the index value 9 is not in [0, 8]');
    tf.dispose([images, labels, idx, grid]);
  });
});
