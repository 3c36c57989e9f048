import type * as tf from '@tensorflow/tfjs';

/** A tensor's values as tfjs's cpu backend keeps them (and as our kernels view WASM's heap). */
export type Values = Float32Array | Int32Array | Uint8Array;

/** The part of tfjs's cpu backend our cpu kernels use: a tensor's values, and a new tensor from values. */
export interface CpuBackend {
  data: { get(dataId: object): { values: Values } };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: Values): tf.TensorInfo;
}
