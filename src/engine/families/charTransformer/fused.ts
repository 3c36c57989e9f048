import * as tf from '@tensorflow/tfjs';
import { ownMatMulChosen } from '../../kernels/matmul/shared';
import { CAUSAL_SOFTMAX, CAUSAL_SOFTMAX_GRAD, GELU, GELU_GRAD, LAYER_NORM, LAYER_NORM_GRAD, OWN_BATCH_MATMUL } from '../../kernels/names';
import { affine } from '../../models/affine';

/**
 * The char-Transformer's training-path pieces, each one tf.customGrad with its backward written out, so autodiff
 * records one node per piece instead of a dozen small ops (and their broadcast gradients). Each equals the plain
 * ops of model.ts's reference path within float32 rounding (tests/unit/text/charTransformerFused.test.ts).
 */

/**
 * y = x W + b with the hand-written backward of models/affine.ts (dx = dy W^T, dW = x^T dy, db = sum of dy's rows):
 * untransposed matmuls on wasm (its transposed ones are about 10x slower), our register-blocked matmul kernel on cpu
 * (and on WebGPU where it timed faster).
 */
export function fusedDense(x: tf.Tensor2D, w: tf.Tensor, b: tf.Tensor): tf.Tensor2D {
  return affine(x, w as tf.Tensor2D, b as tf.Tensor1D);
}

/**
 * Layer norm over the last axis of x [N, d]: y = g xhat + b, xhat = (x - mean) / sqrt(var + 1e-5). Backward (the
 * standard formula): dxhat = dy g; dx = rstd (dxhat - mean(dxhat) - xhat mean(dxhat xhat)); dg = sum dy xhat; db = sum dy.
 * On cpu both directions are one kernel each (kernels/layerNorm/cpu.ts); elsewhere tf ops.
 */
export const fusedLayerNorm = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [x, g, b, save] = args as [tf.Tensor, tf.Tensor, tf.Tensor, tf.GradSaveFunc];
  const ownKernels = tf.getKernel(LAYER_NORM, tf.getBackend()) !== undefined;
  let y: tf.Tensor;
  let xhat: tf.Tensor;
  let rstd: tf.Tensor;
  if (ownKernels) {
    [y, xhat, rstd] = tf.engine().runKernel(LAYER_NORM, { x, g, b }, { eps: 1e-5 }) as tf.Tensor[] as [tf.Tensor, tf.Tensor, tf.Tensor];
  } else {
    const { mean, variance } = tf.moments(x, -1, true);
    rstd = tf.div(1, tf.sqrt(tf.add(variance, 1e-5)));
    xhat = tf.mul(tf.sub(x, mean), rstd);
    y = tf.add(tf.mul(xhat, g), b);
  }
  save([xhat, rstd, g]);
  return {
    value: y,
    gradFunc: (dy: tf.Tensor, [xh, r, gs]: tf.Tensor[]) => {
      if (ownKernels) return tf.engine().runKernel(LAYER_NORM_GRAD, { dy, xhat: xh!, rstd: r!, g: gs! }, {}) as tf.Tensor[];
      const dxhat = tf.mul(dy, gs!);
      const a = tf.mean(dxhat, -1, true);
      const c = tf.mean(tf.mul(dxhat, xh!), -1, true);
      const dx = tf.mul(tf.sub(tf.sub(dxhat, a), tf.mul(xh!, c)), r!);
      return [dx, tf.sum(tf.mul(dy, xh!), 0), tf.sum(dy, 0)];
    },
  };
}) as (x: tf.Tensor2D, g: tf.Tensor, b: tf.Tensor) => tf.Tensor2D;

const GELU_C = Math.sqrt(2 / Math.PI);
const GELU_A = 0.044715;

/**
 * GELU, tanh approximation: y = 0.5 x (1 + t), t = tanh(c (x + a x^3)), c = sqrt(2/pi), a = 0.044715.
 * dy/dx = 0.5 (1 + t) + 0.5 x (1 - t^2) c (1 + 3 a x^2).
 */
export const fusedGelu = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [x, save] = args as [tf.Tensor, tf.GradSaveFunc];
  if (tf.getKernel(GELU, tf.getBackend())) {
    // one loop each way on cpu (kernels/layerNorm/cpu.ts)
    save([x]);
    return {
      value: tf.engine().runKernel(GELU, { x }, {}) as tf.Tensor,
      gradFunc: (dy: tf.Tensor, [xs]: tf.Tensor[]) => [tf.engine().runKernel(GELU_GRAD, { x: xs!, dy }, {}) as tf.Tensor],
    };
  }
  const x2 = tf.square(x);
  const t = tf.tanh(tf.mul(tf.mul(x, tf.add(tf.mul(x2, GELU_A), 1)), GELU_C));
  save([x, x2, t]);
  return {
    value: tf.mul(tf.mul(x, 0.5), tf.add(t, 1)),
    gradFunc: (dy: tf.Tensor, [xs, x2s, ts]: tf.Tensor[]) => {
      const slope = tf.add(
        tf.mul(tf.add(ts!, 1), 0.5),
        tf.mul(tf.mul(tf.mul(xs!, tf.sub(1, tf.square(ts!))), tf.add(tf.mul(x2s!, 3 * GELU_A), 1)), 0.5 * GELU_C),
      );
      return [tf.mul(dy, slope)];
    },
  };
}) as (x: tf.Tensor2D) => tf.Tensor2D;

/** A causal mask [T, T]: 0 where key j <= query i, -1e9 where j > i (added to the scores before softmax). */
export function causalMask(T: number): tf.Tensor2D {
  return tf.tidy(() => {
    const q = tf.range(0, T, 1, 'int32').reshape([T, 1]);
    const k = tf.range(0, T, 1, 'int32').reshape([1, T]);
    return tf.mul(tf.cast(tf.greater(k, q), 'float32'), -1e9) as tf.Tensor2D;
  });
}

const own = (kernel: string) => tf.getKernel(kernel, tf.getBackend()) !== undefined;

/** a^T? b^T? per matrix of [batch, ., .] operands: our WebGPU kernel where our matmul was chosen (SwiftShader), else tf.matMul. */
function batchMatMul(a: tf.Tensor3D, b: tf.Tensor3D, transposeA = false, transposeB = false): tf.Tensor3D {
  if (ownMatMulChosen() && own(OWN_BATCH_MATMUL))
    return tf.engine().runKernel(OWN_BATCH_MATMUL, { A: a, B: b }, { transposeA, transposeB }) as tf.Tensor3D;
  return tf.matMul(a, b, transposeA, transposeB);
}

/**
 * Causal multi-head self-attention as one node: qkv [B*T, 3d] (the qkv projection's output, q | k | v along the
 * last axis) to y [B*T, d]. Forward: q, k, v as [B*heads, T, hs], S = (q / sqrt(hs)) k^T + mask,
 * P = softmax(S), optional dropout mask M on P, O = (P M) v, one transpose back. Backward: dV = (P M)^T dO,
 * dP = (dO v^T) M, softmax backward dS = P (dP - sum_j dP P), dq = dS k / sqrt(hs), dk = dS^T (q / sqrt(hs)).
 * `dropMask` (scale 0 or 1/(1 - rate), tf.dropout's multiplier) is drawn by the caller's seed before the call.
 * Where the backend has CAUSAL_SOFTMAX (WebGPU), the mask is applied inside that kernel and the softmax backward is
 * its gradient kernel; there q, k and v are taken apart by one rank-5 transpose (a 2-D transpose of [4096, 192]
 * took 294 ms on SwiftShader's WebGPU, a rank-4 one of the same values 9 ms).
 */
export function fusedAttention(qkv: tf.Tensor2D, B: number, T: number, heads: number, mask: tf.Tensor2D, dropMask?: () => tf.Tensor): tf.Tensor2D {
  const d = qkv.shape[1] / 3;
  const hs = d / heads;
  const scale = 1 / Math.sqrt(hs);
  const kernels = own(CAUSAL_SOFTMAX);
  // [B*T, 3d] to q, k, v [B*heads, T, hs], and the three gradients back
  const apart = (input: tf.Tensor): tf.Tensor3D[] =>
    kernels
      ? tf
          .unstack(tf.reshape(tf.transpose(tf.reshape(input, [B, T, 3, heads, hs]), [2, 0, 3, 1, 4]), [3, B * heads, T, hs]))
          .map((t) => t as tf.Tensor3D)
      : // [B*T, 3d] -> [3d, B*T]: q, k, v are contiguous thirds ([d, B*T] = [heads, hs, B, T] each), then each to
        // [B, heads, T, hs]. (A rank-5 transpose was 10x slower on wasm, and splitting a middle axis 10x slower on cpu.)
        tf
          .split(tf.transpose(input), 3, 0)
          .map((t) => tf.reshape(tf.transpose(tf.reshape(t, [heads, hs, B, T]), [2, 0, 3, 1]), [B * heads, T, hs]) as tf.Tensor3D);
  const together = (parts: tf.Tensor3D[]): tf.Tensor =>
    kernels
      ? tf.reshape(tf.transpose(tf.reshape(tf.stack(parts), [3, B, heads, T, hs]), [1, 3, 0, 2, 4]), [B * T, 3 * d])
      : tf.transpose(
          tf.concat(
            parts.map((t) => tf.reshape(tf.transpose(tf.reshape(t, [B, heads, T, hs]), [1, 3, 0, 2]), [d, B * T])),
            0,
          ),
        );
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [input, save] = args as [tf.Tensor, tf.GradSaveFunc];
    const [q0, k, v] = apart(input);
    const q = tf.mul(q0!, scale) as tf.Tensor3D;
    const scores = batchMatMul(q, k!, false, true);
    const p = (kernels ? tf.engine().runKernel(CAUSAL_SOFTMAX, { s: scores }, {}) : tf.softmax(tf.add(scores, mask))) as tf.Tensor3D;
    const m = dropMask?.();
    const pm = m ? tf.mul(p, m) : p;
    save(m ? [q, k!, v!, p, m] : [q, k!, v!, p]);
    const o = batchMatMul(pm as tf.Tensor3D, v!);
    return {
      value: tf.reshape(tf.transpose(tf.reshape(o, [B, heads, T, hs]), [0, 2, 1, 3]), [B * T, d]),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [qs, ks, vs, ps, ms] = saved as tf.Tensor3D[];
        const dO = tf.reshape(tf.transpose(tf.reshape(dy, [B, T, heads, hs]), [0, 2, 1, 3]), [B * heads, T, hs]) as tf.Tensor3D;
        const pms = (ms ? tf.mul(ps, ms) : ps) as tf.Tensor3D;
        const dv = batchMatMul(pms, dO, true, false);
        let dp = batchMatMul(dO, vs, false, true);
        if (ms) dp = tf.mul(dp, ms);
        // softmax backward: dS_ij = P_ij (dP_ij - sum_k dP_ik P_ik)
        const ds = (
          kernels ? tf.engine().runKernel(CAUSAL_SOFTMAX_GRAD, { p: ps, dp }, {}) : tf.mul(ps, tf.sub(dp, tf.sum(tf.mul(dp, ps), -1, true)))
        ) as tf.Tensor3D;
        const dq = tf.mul(batchMatMul(ds, ks), scale) as tf.Tensor3D;
        const dk = batchMatMul(ds, qs, true, false);
        return [together([dq, dk, dv])];
      },
    };
  });
  return f(qkv) as tf.Tensor2D;
}
