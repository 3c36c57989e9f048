import * as tf from '@tensorflow/tfjs';
import type { Values } from '../common/cpu';
import { copySlice, gatherRowsInto } from './cpu';

type KernelArgs = Parameters<tf.KernelFunc>[0];
interface WasmBackend {
  disposeData(dataId: object): boolean;
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Values;
}

/**
 * Stock tfjs 4.22 has no Conv2DBackpropFilter on the WASM backend, so no CNN can train there. A 2-D
 * convolution is a 3-D one of depth 1, and WASM does ship Conv3DBackpropFilterV2, so we register
 * dW[kh,kw,ci,co] = sum_{n,p,q} x[n, p*s+kh, q*s+kw, ci] * dy[n,p,q,co] through that kernel.
 */
export function registerWasmTrainingKernels(): void {
  registerUnsortedSegmentSum();
  registerSliceFromHeap();
  registerGatherRows();
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
      // tests/unit/kernels/stockFixes); the playground's conv layers all use stride 1.
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

/**
 * Stock tfjs 4.22 has no UnsortedSegmentSum on WASM either, and it is the gradient of gather, so no model with an
 * embedding (the char-LSTM) can train there. out[s, :] = sum over i with ids[i] = s of x[i, :], computed as
 * onehot(ids, S)^T x with WASM's own OneHot and BatchMatMul.
 */
function registerUnsortedSegmentSum(): void {
  if (tf.getKernel('UnsortedSegmentSum', 'wasm')) return;
  const oneHot = tf.getKernel('OneHot', 'wasm');
  const matMul = tf.getKernel('BatchMatMul', 'wasm');
  const reshape = tf.getKernel('Reshape', 'wasm');
  const cast = tf.getKernel('Cast', 'wasm');
  if (!oneHot || !matMul || !reshape || !cast) return;
  tf.registerKernel({
    kernelName: 'UnsortedSegmentSum',
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }: KernelArgs) => {
      const { x, segmentIds } = inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
      const { numSegments } = attrs as unknown as { numSegments: number };
      const wasm = backend as unknown as WasmBackend;
      const call = (k: tf.KernelConfig, ins: tf.NamedTensorInfoMap, at: object) =>
        k.kernelFunc({ inputs: ins, backend, attrs: at as tf.NamedAttrMap }) as tf.TensorInfo;
      const n = segmentIds.shape.reduce((a, b) => a * b, 1);
      if (x.shape[0] !== n || segmentIds.shape.length !== 1) throw new Error('UnsortedSegmentSum on wasm needs 1-D segment ids, one per row of x.');
      const rest = x.shape.slice(1);
      const d = rest.reduce((a, b) => a * b, 1);
      const temps: tf.TensorInfo[] = [];
      const ids = segmentIds.dtype === 'int32' ? segmentIds : call(cast, { x: segmentIds }, { dtype: 'int32' });
      if (ids !== segmentIds) temps.push(ids);
      // WASM's OneHot writes int32 whatever dtype is asked for, so ask for int32 and cast
      const hotInt = call(oneHot, { indices: ids }, { depth: numSegments, onValue: 1, offValue: 0, dtype: 'int32' });
      const hot = call(cast, { x: hotInt }, { dtype: 'float32' });
      temps.push(hotInt);
      const hot3 = call(reshape, { x: hot }, { shape: [1, n, numSegments] });
      const xf = x.dtype === 'float32' ? x : call(cast, { x }, { dtype: 'float32' });
      if (xf !== x) temps.push(xf);
      const x3 = call(reshape, { x: xf }, { shape: [1, n, d] });
      const sum3 = call(matMul, { a: hot3, b: x3 }, { transposeA: true, transposeB: false });
      const out = call(reshape, { x: sum3 }, { shape: [numSegments, ...rest] });
      for (const t of [...temps, hot, hot3, x3, sum3]) wasm.disposeData(t.dataId);
      return out;
    },
  });
}

/**
 * WASM's Slice copies the whole input out of the heap (readSync) before taking the slice, so cutting a
 * [4096, 512] tensor into 64 time steps copied 512 MB (2.4 s of a char-LSTM step, measured). This copies
 * only the slice, straight from a view of the heap. Strings fall back to the stock kernel.
 */
function registerSliceFromHeap(): void {
  const stock = tf.getKernel('Slice', 'wasm');
  if (!stock || (stock as { fromHeap?: boolean }).fromHeap) return;
  tf.unregisterKernel('Slice', 'wasm');
  tf.registerKernel({
    ...stock,
    fromHeap: true,
    kernelFunc: (args: KernelArgs) => {
      const x = args.inputs.x as tf.TensorInfo;
      if (x.dtype === 'string' || x.dtype === 'complex64' || x.shape.length === 0) return stock.kernelFunc(args);
      const { begin, size } = args.attrs as unknown as { begin: number[]; size: number[] };
      const [b, s] = tf.slice_util.parseSliceParams(x as unknown as tf.Tensor, begin, size);
      const wasm = args.backend as unknown as WasmBackend;
      const out = wasm.makeOutput(s, x.dtype);
      // views taken after makeOutput: allocating may grow the heap, which detaches older views
      copySlice(wasm.typedArrayFromHeap(x), x.shape, b, s, wasm.typedArrayFromHeap(out));
      return out;
    },
  } as tf.KernelConfig);
}

/** GatherV2 along axis 0 as whole-row copies between views of the heap (see gatherRowsInto); else the stock kernel. */
function registerGatherRows(): void {
  const stock = tf.getKernel('GatherV2', 'wasm');
  if (!stock || (stock as { rows?: boolean }).rows) return;
  tf.unregisterKernel('GatherV2', 'wasm');
  tf.registerKernel({
    ...stock,
    rows: true,
    kernelFunc: (args: KernelArgs) => {
      const { x, indices } = args.inputs as { x: tf.TensorInfo; indices: tf.TensorInfo };
      const wasm = args.backend as unknown as WasmBackend;
      const output = (shape: number[]) => {
        const info = wasm.makeOutput(shape, x.dtype);
        return { info, values: () => wasm.typedArrayFromHeap(info) };
      };
      const attrs = args.attrs as unknown as { axis: number; batchDims: number };
      return gatherRowsInto(x, indices, attrs, (t) => wasm.typedArrayFromHeap(t), output) ?? stock.kernelFunc(args);
    },
  } as tf.KernelConfig);
}
