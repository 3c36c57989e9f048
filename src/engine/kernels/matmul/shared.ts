import * as tf from '@tensorflow/tfjs';
import { OWN_MATMUL } from '../names';

/** C = op(A) op(B) through OWN_MATMUL (cpu: matmul/cpu.ts, WebGPU: matmul/webgpu.ts), op = transpose when the flag is set. */
export const ownMatMul = (a: tf.Tensor2D, b: tf.Tensor2D, transposeA: boolean, transposeB: boolean) =>
  tf.engine().runKernel(OWN_MATMUL, { A: a, B: b }, { transposeA, transposeB }) as tf.Tensor2D;

let gpuChosen = false;
/** matmul/webgpu.ts's timing verdict: whether our WebGPU matmul beat tfjs's on this device. */
export function setGpuMatMulChosen(chosen: boolean): void {
  gpuChosen = chosen;
}

/**
 * Whether OWN_MATMUL runs the training steps' matmuls on the active backend: on WebGPU where it was timed faster
 * than tfjs's (chooseGpuMatMul), on cpu whenever it is registered (the same JavaScript engine runs both kernels,
 * and ours was 4-7 times faster on every shape measured).
 */
export function ownMatMulChosen(): boolean {
  const backend = tf.getBackend();
  if (backend === 'webgpu') return gpuChosen;
  return backend === 'cpu' && tf.getKernel(OWN_MATMUL, 'cpu') !== undefined;
}

/** m, k, n of C[m, n] = op(A)[m, k] op(B)[k, n] from OWN_MATMUL's inputs and transpose flags. */
export function matMulDims(A: tf.TensorInfo, B: tf.TensorInfo, transposeA: boolean, transposeB: boolean): [number, number, number] {
  const [m, k] = transposeA ? [A.shape[1]!, A.shape[0]!] : [A.shape[0]!, A.shape[1]!];
  return [m, k, transposeB ? B.shape[0]! : B.shape[1]!];
}
