import * as tf from '@tensorflow/tfjs';
import { COL2IM, IM2COL, MAX_POOL2, MAX_POOL2_GRAD } from '../kernels/names';
import type { PatchAttrs } from '../kernels/patches/shared';
import { padBefore } from '../kernels/conv/padding';
import { patchesFit } from '../kernels/patches/webgl';
import { matMulT } from './affine';
import type { PatchConvCheck } from '../config/diagnostics';

const run = (name: string, inputs: tf.NamedTensorMap, attrs: object) => tf.engine().runKernel(name, inputs, attrs as tf.NamedAttrMap);

/**
 * conv2d(x, filter, stride 1, padding) with its gradient as matmuls over image patches (kernels/patches/cpu.ts):
 * dW = im2col(x)^T dy and dx = col2im(dy W^T), W the filter as [KH * KW * C, F]; on cpu and WebGL the forward pass is
 * im2col(x) W too. Through matMulT, cpu runs our blocked matmul and WASM untransposed XNNPACK products. tfjs's cpu
 * Conv2DBackpropFilter loops per filter element over the batch (4 s for the default CNN's first layer on a batch
 * of 64, in Node), WASM has none (ours in kernels/stockFixes/wasm.ts goes through Conv3D: 85 of a 168 ms CNN step), and on
 * WebGL the patches are GLSL gathers (kernels/patches/webgl.ts).
 * With inputGrad false, dx is returned as zeros (the input is data).
 */
export function patchConv2d(x: tf.Tensor4D, filter: tf.Tensor4D, padding: 'same' | 'valid', inputGrad = true): tf.Tensor4D {
  const [batch, h, w, ch] = x.shape;
  const [kh, kw, , f] = filter.shape;
  const [oh, ow] = padding === 'same' ? [h, w] : [h - kh + 1, w - kw + 1];
  const attrs: PatchAttrs = { kh, kw, top: padBefore(kh, padding), left: padBefore(kw, padding), oh, ow, imageShape: x.shape };
  if (tf.getBackend() === 'webgl' && !patchesFit(batch * oh * ow, kh * kw * ch, tf.env().getNumber('WEBGL_MAX_TEXTURE_SIZE')))
    return tf.conv2d(x, filter, 1, padding); // too large for one unpacked texture: tfjs's own kernels
  // cpu and WebGL: the forward pass as im2col(x) W too, its patches kept for dW (on WebGL 40 against tfjs's 49 ms
  // for the default CNN's first convolution on a batch of 64, and dW then needs no second im2col)
  const colsFirst = tf.getBackend() === 'cpu' || tf.getBackend() === 'webgl';
  const conv = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xx, ww, save] = args as [tf.Tensor4D, tf.Tensor4D, tf.GradSaveFunc];
    const w2 = tf.reshape(ww, [kh * kw * ch, f]) as tf.Tensor2D;
    const cols = colsFirst ? (run(IM2COL, { x: xx }, attrs) as tf.Tensor2D) : null;
    save(cols ? [cols, w2] : [xx, w2]);
    const value = cols ? tf.reshape(matMulT(cols, w2), [batch, oh, ow, f]) : tf.conv2d(xx, ww, 1, padding); // WASM: XNNPACK's
    return {
      value: value as tf.Tensor4D,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [first, sw] = saved as [tf.Tensor, tf.Tensor2D];
        const dy2 = tf.reshape(dy, [batch * oh * ow, f]) as tf.Tensor2D;
        // cpu and WebGL: the forward pass's patches, through our strided matmul or tfjs's packed one with its
        // transpose flag; WASM: the patches written transposed, so that XNNPACK multiplies without a transpose flag
        // or a transpose kernel
        const colsT = colsFirst ? null : (run(IM2COL, { x: first }, { ...attrs, transposed: true }) as tf.Tensor2D);
        const dw = tf.reshape(colsT ? tf.matMul(colsT, dy2) : matMulT(first as tf.Tensor2D, dy2, true, false), filter.shape);
        const dx = inputGrad ? (run(COL2IM, { x: matMulT(dy2, sw, false, true) }, attrs) as tf.Tensor) : tf.zerosLike(xx);
        return [dx, dw];
      },
    };
  });
  return conv(x, filter) as tf.Tensor4D;
}

/** 2 x 2 max pooling, stride 2, 'valid', NHWC; the gradient goes to each block's maximum (tfjs's cpu MaxPoolGrad took 300 ms of a 700 ms CNN step). */
export function maxPool2(x: tf.Tensor4D): tf.Tensor4D {
  const pool = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xx, save] = args as [tf.Tensor4D, tf.GradSaveFunc];
    const [y, arg] = run(MAX_POOL2, { x: xx }, {}) as tf.Tensor[];
    save([arg!]);
    return {
      value: y as tf.Tensor4D,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => run(MAX_POOL2_GRAD, { dy, arg: saved[0]! }, { xShape: xx.shape }) as tf.Tensor,
    };
  });
  return pool(x) as tf.Tensor4D;
}

/** patchConv2d against tf.conv2d on the active backend, odd sizes and a 5 x 3 filter, both paddings (e2e on WebGL, unit on cpu). */
export async function checkPatchConv(): Promise<PatchConvCheck[]> {
  const out: PatchConvCheck[] = [];
  for (const padding of ['same', 'valid'] as const) {
    const errors = tf.tidy(() => {
      const x = tf.randomNormal([3, 9, 8, 5], 0, 1, 'float32', 1) as tf.Tensor4D;
      const w = tf.randomNormal([5, 3, 5, 4], 0, 1, 'float32', 2) as tf.Tensor4D;
      const want = tf.conv2d(x, w, 1, padding);
      const r = tf.randomNormal(want.shape, 0, 1, 'float32', 3);
      const rel = (a: tf.Tensor, b: tf.Tensor) => tf.div(tf.max(tf.abs(tf.sub(a, b))), tf.max(tf.abs(b)));
      const gradsOf = (conv: (a: tf.Tensor4D, b: tf.Tensor4D) => tf.Tensor) =>
        tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(conv(a as tf.Tensor4D, b as tf.Tensor4D), r)))([x, w]);
      const ours = gradsOf((a, b) => patchConv2d(a, b, padding));
      const theirs = gradsOf((a, b) => tf.conv2d(a, b, 1, padding));
      return tf.stack([rel(patchConv2d(x, w, padding), want), rel(ours[0]!, theirs[0]!), rel(ours[1]!, theirs[1]!)]);
    });
    const [o, dx, dw] = await errors.data();
    errors.dispose();
    out.push({ padding, outputRelError: o!, inputGradRelError: dx!, filterGradRelError: dw! });
  }
  return out;
}
