import * as tf from '@tensorflow/tfjs';
import { ownConv2d } from '../kernels/conv/webgpu';
import { IM2COL, MAX_POOL2, OWN_CONV } from '../kernels/names';
import { maxPool2, patchConv2d } from '../models/patchConv';
import { ownMatMulChosen } from '../kernels/matmul/shared';
import { relMaxError } from '../kernels/common/check';
import { ACTIVATIONS, affine, plainDense } from '../models/affine';
import { buildModel } from '../families/images/model';
import { CNN_PRESET, MLP_PRESET } from '../config/imageModel';
import type { ApplyModelCheck } from '../config/diagnostics';

/** A Conv2D layer our convolutions can run (stride 1, no dilation, channels last, bias, known activation), else null. */
function plainConv(
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

type Conv = (x: tf.Tensor4D, filter: tf.Tensor4D, padding: 'same' | 'valid', inputGrad: boolean) => tf.Tensor4D;

/** A 2 x 2, stride 2, 'valid' MaxPooling2D on channels-last float32 input that our maxPool2 can run. */
function plainPool(layer: tf.layers.Layer, h: tf.Tensor): boolean {
  if (layer.getClassName() !== 'MaxPooling2D' || h.rank !== 4 || h.dtype !== 'float32' || h.size >= 2 ** 24) return false; // (argmax kept as float32)
  const cfg = layer.getConfig() as Record<string, unknown>;
  const twos = (v: unknown) => (Array.isArray(v) ? v : [v, v]).every((d) => d === 2);
  return twos(cfg.poolSize) && twos(cfg.strides) && cfg.padding === 'valid' && (cfg.dataFormat ?? 'channelsLast') === 'channelsLast';
}

/**
 * Which of our kernels applyModel uses on the active backend, or null for the layers' own path. Dense layers go
 * through affine (models/affine.ts) on WebGPU and cpu with our matmul, on WASM with the untransposed gradient
 * matmuls XNNPACK runs about 10 times faster than the transposed ones tfjs's Dense asks for; WebGL keeps tfjs's.
 * Convolutions: WebGPU our shader (kernels/conv/webgpu.ts), cpu, WASM and WebGL matmuls over patches
 * (models/patchConv.ts); 2 x 2 max pooling on cpu and WASM through one loop each way. On WebGL only the
 * convolutions are ours (npm run bench times the step against model.fit on every backend).
 */
export function ownKernelPath(): { backend: string; conv: Conv | null; pool: boolean; dense: boolean } | null {
  const backend = tf.getBackend();
  const patches = tf.getKernel(IM2COL, backend) !== undefined;
  if (backend === 'wasm') return { backend, conv: patches ? patchConv2d : null, pool: tf.getKernel(MAX_POOL2, 'wasm') !== undefined, dense: true };
  // WebGL: only the convolutions (their gradients as matmuls over patches); tfjs's fused Dense is as fast as affine there
  if (backend === 'webgl') return patches ? { backend, conv: patchConv2d, pool: false, dense: false } : null;
  if (!ownMatMulChosen()) return null;
  if (backend === 'cpu') return { backend, conv: patches ? patchConv2d : null, pool: tf.getKernel(MAX_POOL2, 'cpu') !== undefined, dense: true };
  return { backend, conv: backend === 'webgpu' && tf.getKernel(OWN_CONV, 'webgpu') ? ownConv2d : null, pool: false, dense: true };
}

/**
 * The model's output. Where ownKernelPath gives a path, each plain Dense layer of a Sequential model runs as
 * x W + b with its own gradient, each plain Conv2D and 2 x 2 max pooling through our kernels where the backend has
 * them; other layers use tfjs's own. The layers' weights are the same variables either way. Layers before the
 * first one with weights see only data, so the first weighted layer skips its input gradient, as tfjs's tape does.
 */
export function applyModel(model: tf.LayersModel, x: tf.Tensor, training: boolean): tf.Tensor {
  const path = model instanceof tf.Sequential ? ownKernelPath() : null;
  if (!path) return (training ? model.apply(x, { training }) : model.predict(x)) as tf.Tensor;
  let h = x;
  let fromData = true;
  for (const layer of model.layers) {
    const dense = path.dense && h.rank === 2 ? plainDense(layer) : null;
    const c = path.conv && h.rank === 4 && h.dtype === 'float32' ? plainConv(layer) : null;
    if (dense) h = dense.activation(affine(h as tf.Tensor2D, dense.kernel, dense.bias, !fromData));
    else if (c && path.conv) h = c.activation(tf.add(path.conv(h as tf.Tensor4D, c.kernel, c.padding, !fromData), c.bias));
    else if (path.pool && plainPool(layer, h)) h = maxPool2(h as tf.Tensor4D);
    else h = layer.apply(h, { training }) as tf.Tensor;
    if (layer.trainableWeights.length > 0) fromData = false;
  }
  return h;
}

/** applyModel against the layers' own apply for the default MLP and CNN on the active backend (e2e on WebGPU, unit on cpu and wasm). */
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
      ownPath: ownKernelPath() !== null && model instanceof tf.Sequential,
      outputRelError: outputRelError!,
      gradientRelError: gradientRelError!,
    });
  }
  return out;
}
