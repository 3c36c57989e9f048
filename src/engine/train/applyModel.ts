import * as tf from '@tensorflow/tfjs';
import { OWN_CONV, ownConv2d } from '../backend/gpuConv';
import { ownMatMulChosen } from '../backend/gpuMatMul';
import { relMaxError } from '../backend/gpuProgram';
import { ACTIVATIONS, affine, plainDense } from '../models/affine';
import { buildModel } from '../models/build';
import { CNN_PRESET, MLP_PRESET } from '../models/config';

/** A Conv2D layer our WebGPU convolution can run (stride 1, no dilation, channels last, bias, known activation), else null. */
export function plainConv(
  layer: tf.layers.Layer,
): { kernel: tf.Tensor4D; bias: tf.Tensor1D; padding: 'same' | 'valid'; activation: (x: tf.Tensor) => tf.Tensor } | null {
  if (layer.getClassName() !== 'Conv2D') return null;
  const cfg = layer.getConfig() as Record<string, unknown>;
  const ones = (v: unknown) => (Array.isArray(v) ? v : [v]).every((d) => d === 1 || d === undefined);
  const activation = ACTIVATIONS[String(cfg.activation ?? 'linear')] as ((x: tf.Tensor) => tf.Tensor) | undefined;
  const padding = cfg.padding;
  if (!activation || cfg.useBias === false || layer.weights.length !== 2 || !ones(cfg.strides) || !ones(cfg.dilationRate)) return null;
  if ((cfg.dataFormat ?? 'channelsLast') !== 'channelsLast' || (padding !== 'same' && padding !== 'valid')) return null;
  const [k, b] = layer.weights.map((w) => w.read());
  return { kernel: k as tf.Tensor4D, bias: b as tf.Tensor1D, padding, activation };
}

/**
 * The model's output. Where our WebGPU kernels were measured faster than tfjs's (backend/gpuMatMul.ts: kernels
 * without workgroup memory, as on SwiftShader), each plain Dense layer runs as x W + b through our matmul
 * (models/affine.ts) and each plain Conv2D through our convolution (backend/gpuConv.ts); other layers, and other
 * backends, use tfjs's own. The layers' weights are the same variables either way.
 */
export function applyModel(model: tf.LayersModel, x: tf.Tensor, training: boolean): tf.Tensor {
  if (!ownMatMulChosen() || !(model instanceof tf.Sequential)) return (training ? model.apply(x, { training }) : model.predict(x)) as tf.Tensor;
  const conv = tf.getKernel(OWN_CONV, 'webgpu') !== undefined;
  let h = x;
  for (const layer of model.layers) {
    const dense = h.rank === 2 ? plainDense(layer) : null;
    const c = conv && h.rank === 4 && h.dtype === 'float32' ? plainConv(layer) : null;
    if (dense) h = dense.activation(affine(h as tf.Tensor2D, dense.kernel, dense.bias));
    else if (c) h = c.activation(tf.add(ownConv2d(h as tf.Tensor4D, c.kernel, c.padding), c.bias));
    else h = layer.apply(h, { training }) as tf.Tensor;
  }
  return h;
}

export interface ApplyModelCheck {
  model: 'mlp' | 'cnn';
  /** whether applyModel took our kernels' path (false: it was model.apply itself, and the errors are 0) */
  ownPath: boolean;
  /** largest |ours - tfjs| relative to the largest |tfjs|: outputs, and the gradient of sum(y * r) for every weight */
  outputRelError: number;
  gradientRelError: number;
}

/** applyModel against the layers' own apply for the default MLP and CNN on the active backend (e2e on WebGPU). */
export async function checkApplyModel(): Promise<ApplyModelCheck[]> {
  const out: ApplyModelCheck[] = [];
  for (const [name, config] of [
    ['mlp', MLP_PRESET],
    ['cnn', CNN_PRESET],
  ] as const) {
    const model = buildModel(config, 3);
    const errors = tf.tidy(() => {
      const x = tf.randomUniform([8, 28, 28, 1], 0, 1, 'float32', 4);
      const stock = model.apply(x, { training: false }) as tf.Tensor;
      const r = tf.randomNormal(stock.shape, 0, 1, 'float32', 5);
      const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
      const gradsOf = (f: () => tf.Tensor) => {
        const { grads } = tf.variableGrads(() => tf.sum(tf.mul(f(), r)) as tf.Scalar, vars);
        return vars.map((v) => grads[v.name]!);
      };
      const ours = gradsOf(() => applyModel(model, x, false));
      const theirs = gradsOf(() => model.apply(x, { training: false }) as tf.Tensor);
      return tf.stack([relMaxError(applyModel(model, x, false), stock), tf.max(tf.stack(ours.map((g, i) => relMaxError(g, theirs[i]!))))]);
    });
    const [outputRelError, gradientRelError] = await errors.data();
    errors.dispose();
    model.dispose();
    out.push({
      model: name,
      ownPath: ownMatMulChosen() && model instanceof tf.Sequential,
      outputRelError: outputRelError!,
      gradientRelError: gradientRelError!,
    });
  }
  return out;
}
