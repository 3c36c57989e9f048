import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import * as names from '../../../src/engine/kernels/names';
import { registerKernels } from '../../../src/engine/kernels/registry';

const BACKENDS = ['cpu', 'wasm', 'webgl', 'webgpu'];

/** Which backends each of our kernel names is registered on. */
function ownKernels(): Record<string, string[]> {
  const found: Record<string, string[]> = {};
  for (const backend of BACKENDS)
    for (const k of tf.getKernelsForBackend(backend)) if (k.kernelName.startsWith('Playground')) (found[k.kernelName] ??= []).push(backend);
  return found;
}

describe('registerKernels', () => {
  beforeAll(() => registerKernels());

  it('registers every name of names.ts on the backends its kernel files serve, and no other name of ours', () => {
    expect(ownKernels()).toEqual({
      [names.OWN_MATMUL]: ['cpu', 'webgpu'],
      [names.OWN_BATCH_MATMUL]: ['webgpu'],
      [names.OWN_CONV]: ['webgpu'],
      [names.ADAM_KERNEL]: ['cpu', 'webgl', 'webgpu'],
      [names.IM2COL]: ['cpu', 'wasm', 'webgl'],
      [names.COL2IM]: ['cpu', 'wasm', 'webgl'],
      [names.MAX_POOL2]: ['cpu', 'wasm'],
      [names.MAX_POOL2_GRAD]: ['cpu', 'wasm'],
      [names.CELL_C]: ['cpu', 'webgl', 'webgpu'],
      [names.CELL_H]: ['cpu', 'webgl', 'webgpu'],
      [names.CELL_DZ]: ['cpu', 'webgl', 'webgpu'],
      [names.CELL_DC]: ['cpu', 'webgl', 'webgpu'],
      [names.LAYER_NORM]: ['cpu', 'webgl', 'webgpu'],
      [names.LAYER_NORM_GRAD]: ['cpu', 'webgl', 'webgpu'],
      [names.GELU]: ['cpu', 'webgl', 'webgpu'],
      [names.GELU_GRAD]: ['cpu', 'webgl', 'webgpu'],
      [names.CAUSAL_SOFTMAX]: ['webgpu'],
      [names.CAUSAL_SOFTMAX_GRAD]: ['webgpu'],
      [names.COLUMN_SUM]: ['webgpu'],
      [names.CONCAT_ROWS]: ['webgl'],
    });
    expect(Object.keys(ownKernels()).sort()).toEqual(Object.values(names).sort());
  });

  it('patches the stock kernels: the wasm training gradients, a heap-view Slice on wasm, fast Slice on cpu, row gathers on both', () => {
    for (const k of ['Conv2DBackpropFilter', 'UnsortedSegmentSum']) expect(tf.getKernel(k, 'wasm')).toBeDefined();
    expect((tf.getKernel('Slice', 'wasm') as { fromHeap?: boolean }).fromHeap).toBe(true);
    expect((tf.getKernel('Slice', 'cpu') as { fast?: boolean }).fast).toBe(true);
    for (const b of ['cpu', 'wasm']) expect((tf.getKernel('GatherV2', b) as { rows?: boolean }).rows).toBe(true);
  });

  it('registers nothing twice when called again', () => {
    const before = BACKENDS.map((b) => tf.getKernelsForBackend(b).length);
    registerKernels();
    expect(BACKENDS.map((b) => tf.getKernelsForBackend(b).length)).toEqual(before);
  });
});
