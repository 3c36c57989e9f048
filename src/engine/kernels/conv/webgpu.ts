import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { FlatProgram } from '../common/webgpu';
import { OWN_CONV } from '../names';
import { padBefore } from './padding';

/** Output channels each invocation computes. */
const CH = 4;

/**
 * y[b, oy, ox, f] = sum over ky, kx, c of x[b, oy + ky - top, ox + kx - left, c] * w[ky, kx, c, f], zero outside x.
 * One invocation per output pixel and 4 output channels, reading x and w straight from their buffers, like our
 * matmul (matmul/webgpu.ts): tfjs's forward convolution tiles through workgroup memory between barriers,
 * which SwiftShader runs slowly. Its two backprop kernels use no workgroup memory and are kept.
 */
class OwnConvProgram extends FlatProgram {
  constructor(
    private xShape: number[],
    private wShape: number[],
    private outH: number,
    private outW: number,
    private top: number,
    private left: number,
  ) {
    super(
      ['X', 'W'],
      [xShape[0]!, outH, outW, wShape[3]!],
      xShape[0]! * outH * outW * Math.ceil(wShape[3]! / CH),
      `playgroundConv_${xShape.join('x')}_${wShape.join('x')}_${outH}_${outW}_${top}_${left}`,
    );
  }
  getUserCode(): string {
    const [, H, W, C] = this.xShape as [number, number, number, number];
    const [KH, KW, , F] = this.wShape as [number, number, number, number];
    const { outH, outW, top, left } = this;
    const blocks = Math.ceil(F / CH);
    const lanes = [0, 1, 2, 3];
    return `
      fn main(index : i32) {
        let f0 = (index % ${blocks}) * ${CH};
        let pixel = index / ${blocks};
        let ox = pixel % ${outW};
        let oy = (pixel / ${outW}) % ${outH};
        let b = pixel / ${outW * outH};
        if (b >= uniforms.outShape[0]) { return; } // (the uniforms must be read: the pipeline's layout omits unused bindings)
        var acc = vec4<f32>(0.0);
        for (var ky = 0; ky < ${KH}; ky++) {
          let iy = oy + ky - ${top};
          if (iy < 0 || iy >= ${H}) { continue; }
          for (var kx = 0; kx < ${KW}; kx++) {
            let ix = ox + kx - ${left};
            if (ix < 0 || ix >= ${W}) { continue; }
            let xBase = ((b * ${H} + iy) * ${W} + ix) * ${C};
            let wBase = (ky * ${KW} + kx) * ${C * F};
            for (var c = 0; c < ${C}; c++) {
              let wRow = wBase + c * ${F};
              let wv = vec4<f32>(${lanes.map((j) => `W[wRow + min(f0 + ${j}, ${F - 1})]`).join(', ')});
              acc = fma(vec4<f32>(X[xBase + c]), wv, acc);
            }
          }
        }
        let outBase = pixel * ${F} + f0;
        ${lanes.map((j) => `if (f0 + ${j} < ${F}) { result[outBase + ${j}] = acc[${j}]; }`).join('\n        ')}
      }`;
  }
}

/** Registers OWN_CONV on WebGPU (float32 NHWC input [B, H, W, C], filter [KH, KW, C, F]). */
export function registerGpuConv(): void {
  if (tf.getKernel(OWN_CONV, 'webgpu')) return;
  tf.registerKernel({
    kernelName: OWN_CONV,
    backendName: 'webgpu',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { x, filter } = inputs as { x: tf.TensorInfo; filter: tf.TensorInfo };
      const { padding } = attrs as unknown as { padding: 'same' | 'valid' };
      const [, H, W] = x.shape as number[];
      const [KH, KW] = filter.shape as number[];
      const [outH, outW] = padding === 'same' ? [H!, W!] : [H! - KH! + 1, W! - KW! + 1];
      const program = new OwnConvProgram(x.shape, filter.shape, outH, outW, padBefore(KH!, padding), padBefore(KW!, padding));
      return (backend as WebGPUBackend).runWebGPUProgram(program, [x, filter], 'float32');
    },
  });
}

/**
 * conv2d(x, filter, stride 1, padding) through OWN_CONV, differentiable: dx and dfilter are tfjs's
 * Conv2DBackpropInput and Conv2DBackpropFilter kernels, the ones tf.conv2d's gradient runs. With inputGrad false,
 * dx is returned as zeros without running Conv2DBackpropInput (for a first layer, whose input is data).
 */
export function ownConv2d(x: tf.Tensor4D, filter: tf.Tensor4D, padding: 'same' | 'valid', inputGrad = true): tf.Tensor4D {
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xx, ww, save] = args as [tf.Tensor4D, tf.Tensor4D, tf.GradSaveFunc];
    save([xx, ww]);
    return {
      value: tf.engine().runKernel(OWN_CONV, { x: xx, filter: ww }, { padding }) as tf.Tensor4D,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sx, sw] = saved as [tf.Tensor4D, tf.Tensor4D];
        const common = { strides: [1, 1], pad: padding, dataFormat: 'NHWC', dilations: [1, 1] };
        return [
          inputGrad
            ? (tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: sw }, { ...common, inputShape: sx.shape }) as tf.Tensor)
            : tf.zerosLike(sx),
          tf.engine().runKernel('Conv2DBackpropFilter', { x: sx, dy }, { ...common, filterShape: sw.shape }) as tf.Tensor,
        ];
      },
    };
  });
  return f(x, filter) as tf.Tensor4D;
}
