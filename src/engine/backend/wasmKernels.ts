import * as tf from '@tensorflow/tfjs';

type KernelArgs = Parameters<tf.KernelFunc>[0];
interface WasmBackend {
  disposeData(dataId: object): boolean;
}

/**
 * Stock tfjs 4.22 has no Conv2DBackpropFilter on the WASM backend, so no CNN can train there. A 2-D
 * convolution is a 3-D one of depth 1, and WASM does ship Conv3DBackpropFilterV2, so we register
 * dW[kh,kw,ci,co] = sum_{n,p,q} x[n, p*s+kh, q*s+kw, ci] * dy[n,p,q,co] through that kernel.
 */
export function registerWasmTrainingKernels(): void {
  if (tf.getKernel('Conv2DBackpropFilter', 'wasm')) return;
  const conv3dFilter = tf.getKernel('Conv3DBackpropFilterV2', 'wasm');
  const reshape = tf.getKernel('Reshape', 'wasm');
  if (!conv3dFilter || !reshape) return;
  tf.registerKernel({
    kernelName: 'Conv2DBackpropFilter',
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }: KernelArgs) => {
      const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
      const { strides, pad, dataFormat, filterShape } = attrs as unknown as {
        strides: number | [number, number];
        pad: unknown;
        dataFormat: string;
        filterShape: [number, number, number, number];
      };
      if (dataFormat !== 'NHWC') throw new Error(`Conv2DBackpropFilter on wasm supports NHWC only, got ${dataFormat}.`);
      if (pad !== 'same' && pad !== 'valid' && typeof pad !== 'number') {
        throw new Error('Conv2DBackpropFilter on wasm supports same, valid or uniform numeric padding.');
      }
      const [sh, sw] = typeof strides === 'number' ? [strides, strides] : strides;
      // WASM's Conv3DBackpropFilterV2 gives wrong results for strides above 1 (checked against the cpu kernel in
      // tests/unit/backend); the playground's conv layers all use stride 1.
      if (sh !== 1 || sw !== 1) throw new Error('Training strided convolutions is not supported on the wasm backend; switch to webgl or cpu.');
      const wasm = backend as unknown as WasmBackend;
      const call = (k: tf.KernelConfig, ins: tf.NamedTensorInfoMap, at: object) =>
        k.kernelFunc({ inputs: ins, backend, attrs: at as tf.NamedAttrMap }) as tf.TensorInfo;
      const [n, h, w, c] = x.shape;
      const [, oh, ow, co] = dy.shape;
      const x5 = call(reshape, { x }, { shape: [n, 1, h, w, c] });
      const dy5 = call(reshape, { x: dy }, { shape: [n, 1, oh, ow, co] });
      const dw5 = call(conv3dFilter, { x: x5, dy: dy5 }, { strides: [1, 1, 1], pad, filterShape: [1, ...filterShape] });
      const dw = call(reshape, { x: dw5 }, { shape: filterShape });
      for (const t of [x5, dy5, dw5]) wasm.disposeData(t.dataId);
      return dw;
    },
  });
}
