import * as tf from '@tensorflow/tfjs';
import { ownMatMul, ownMatMulChosen } from '../kernels/matmul/shared';
import { COLUMN_SUM } from '../kernels/names';

/**
 * a^T? x b^T?, for steps that differentiate it themselves. WASM's BatchMatMul is 10 times slower with a transpose
 * flag than without (measured: a [64, 512] x [128, 512]^T product took 17.6 ms, the untransposed [64, 128] x
 * [128, 512] 1.6 ms), so there the operand is transposed first; elsewhere the flag is cheaper than the copy (cpu
 * transposes element by element). On WebGPU our own kernel runs it where it measured faster (kernels/matmul/webgpu.ts).
 */
export function matMulT(a: tf.Tensor2D, b: tf.Tensor2D, transposeA = false, transposeB = false): tf.Tensor2D {
  if (ownMatMulChosen()) return ownMatMul(a, b, transposeA, transposeB);
  if (tf.getBackend() !== 'wasm') return tf.matMul(a, b, transposeA, transposeB);
  return tf.matMul(transposeA ? tf.transpose(a) : a, transposeB ? tf.transpose(b) : b);
}

/** The sum of x's rows: one loop per column where the backend has COLUMN_SUM (WebGPU: tfjs's is a transpose and a reduction), else tf.sum. */
function columnSum(x: tf.Tensor2D): tf.Tensor1D {
  if (tf.getKernel(COLUMN_SUM, tf.getBackend())) return tf.engine().runKernel(COLUMN_SUM, { x }, {}) as tf.Tensor1D;
  return tf.sum(x, 0);
}

/**
 * x W + b with a hand-written gradient (dx = dy W^T, dW = x^T dy, db = sum of dy's rows), so that WASM gets its
 * untransposed matmuls (see matMulT): the char-LSTM's output layer's two gradient matmuls took 390 ms of a 1.2 s step there.
 * With inputGrad false, dx is returned as zeros without a matmul (for a first layer, whose input is data).
 */
export function affine(x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D, inputGrad = true): tf.Tensor2D {
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xx, ww, bb, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D, tf.GradSaveFunc];
    save([xx, ww]);
    return {
      value: tf.add(matMulT(xx, ww), bb),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sx, sw] = saved as [tf.Tensor2D, tf.Tensor2D];
        const dx = inputGrad ? matMulT(dy as tf.Tensor2D, sw, false, true) : tf.zerosLike(sx);
        return [dx, matMulT(sx, dy as tf.Tensor2D, true, false), columnSum(dy as tf.Tensor2D)];
      },
    };
  });
  return f(x, w, b) as tf.Tensor2D;
}

export const ACTIVATIONS: Record<string, (x: tf.Tensor2D) => tf.Tensor2D> = {
  linear: (x) => x,
  relu: tf.relu,
  sigmoid: tf.sigmoid,
  tanh: tf.tanh,
  elu: tf.elu,
  selu: tf.selu,
  softmax: (x) => tf.softmax(x),
};

/** A Dense layer's kernel, bias and activation, or null if it needs tfjs's own path (no bias, other activation). */
export function plainDense(layer: tf.layers.Layer): { kernel: tf.Tensor2D; bias: tf.Tensor1D; activation: (x: tf.Tensor2D) => tf.Tensor2D } | null {
  if (layer.getClassName() !== 'Dense') return null;
  const cfg = layer.getConfig() as Record<string, unknown>;
  const activation = ACTIVATIONS[String(cfg.activation ?? 'linear')];
  if (!activation || cfg.useBias === false || layer.weights.length !== 2) return null;
  const [k, b] = layer.weights.map((w) => w.read());
  return { kernel: k as tf.Tensor2D, bias: b as tf.Tensor1D, activation };
}
