import * as tf from '@tensorflow/tfjs';
import type { CpuBackend, Values } from '../common/cpu';

type KernelArgs = Parameters<tf.KernelFunc>[0];

/**
 * Faster cpu kernels for the two ops that dominate a char-LSTM step on tfjs's cpu backend (measured in
 * Node: a [64, 512] column slice took 11 ms, a 4096-row UnsortedSegmentSum 1.3 s). Stock tfjs computes a
 * multi-dimensional index per element for a strided slice, and one masked sum per segment for the gradient
 * of gather; these copy contiguous runs and add each row once. Other dtypes fall back to the stock kernel.
 * GatherV2 along the first axis copies whole rows too (gatherRowsInto, below: every batch of the step loop and of
 * model.fit).
 */
export function registerFastCpuKernels(): void {
  const stockSlice = tf.getKernel('Slice', 'cpu');
  if (!stockSlice || (stockSlice as { fast?: boolean }).fast) return;
  replace({ ...stockSlice, kernelFunc: (args: KernelArgs) => sliceRuns(args, stockSlice), fast: true } as tf.KernelConfig);
  const stockSegments = tf.getKernel('UnsortedSegmentSum', 'cpu');
  if (stockSegments) replace({ ...stockSegments, kernelFunc: (args: KernelArgs) => segmentSum(args, stockSegments) });
  const stockGather = tf.getKernel('GatherV2', 'cpu');
  if (stockGather) replace({ ...stockGather, kernelFunc: (args: KernelArgs) => gatherRows(args, stockGather), rows: true } as tf.KernelConfig);
}

function replace(config: tf.KernelConfig): void {
  tf.unregisterKernel(config.kernelName, config.backendName);
  tf.registerKernel(config);
}

const numeric = (d: tf.DataType) => d === 'float32' || d === 'int32' || d === 'bool';

function allocate(dtype: tf.DataType, n: number): Values {
  return dtype === 'int32' ? new Int32Array(n) : dtype === 'bool' ? new Uint8Array(n) : new Float32Array(n);
}

/** out[i0..ir] = x[begin + i]: copies runs of size[r-1] contiguous values, one per outer index. */
export function copySlice(src: Values, shape: number[], b: number[], s: number[], out: Values): void {
  const rank = shape.length;
  const total = out.length;
  if (total === 0) return;
  const strides = new Array<number>(rank).fill(1);
  for (let d = rank - 2; d >= 0; d--) strides[d] = strides[d + 1]! * shape[d + 1]!;
  const run = s[rank - 1]!;
  const at = new Array<number>(rank - 1).fill(0); // outer index, odometer style
  for (let o = 0; o < total; o += run) {
    let offset = b[rank - 1]!;
    for (let d = 0; d < rank - 1; d++) offset += (b[d]! + at[d]!) * strides[d]!;
    out.set(src.subarray(offset, offset + run), o);
    for (let d = rank - 2; d >= 0; d--) {
      if (++at[d]! < s[d]!) break;
      at[d] = 0;
    }
  }
}

function sliceRuns(args: KernelArgs, stock: tf.KernelConfig): tf.TensorInfo | tf.TensorInfo[] {
  const x = args.inputs.x as tf.TensorInfo;
  if (!numeric(x.dtype) || x.shape.length === 0) return stock.kernelFunc(args);
  const { begin, size } = args.attrs as unknown as { begin: number[]; size: number[] };
  const [b, s] = tf.slice_util.parseSliceParams(x as unknown as tf.Tensor, begin, size);
  const cpu = args.backend as unknown as CpuBackend;
  const out = allocate(
    x.dtype,
    s.reduce((a, v) => a * v, 1),
  );
  copySlice(cpu.data.get(x.dataId).values, x.shape, b, s, out);
  return cpu.makeTensorInfo(s, x.dtype, out);
}

/**
 * GatherV2 along axis 0 (no batch dimensions) as whole-row copies: the step loop gathers each batch of images this
 * way, and stock tfjs (cpu, and WASM's C++ kernel too) computes an index per element: 64 MNIST rows took 1.5 to 1.9
 * ms on WASM in Node, against tens of microseconds copied by rows. Returns null where the stock kernel must run.
 */
export function gatherRowsInto(
  x: tf.TensorInfo,
  indices: tf.TensorInfo,
  attrs: { axis: number; batchDims: number },
  read: (t: tf.TensorInfo) => Values,
  output: (shape: number[]) => { info: tf.TensorInfo; values: () => Values },
): tf.TensorInfo | null {
  const axis = attrs.axis < 0 ? attrs.axis + x.shape.length : attrs.axis;
  if (axis !== 0 || attrs.batchDims !== 0 || !numeric(x.dtype) || indices.dtype !== 'int32' || x.shape.length === 0) return null;
  const ids = read(indices);
  const rows = x.shape[0]!;
  for (let i = 0; i < ids.length; i++)
    if (!(ids[i]! >= 0 && ids[i]! < rows)) throw new Error(`GatherV2: the index value ${ids[i]} is not in [0, ${rows - 1}]`);
  const rowSize = x.shape.slice(1).reduce((a, v) => a * v, 1);
  const ids32 = Int32Array.from(ids); // (a copy: allocating the output may move WASM's heap)
  const out = output([...indices.shape, ...x.shape.slice(1)]);
  const src = read(x);
  const dst = out.values();
  for (let i = 0; i < ids32.length; i++) dst.set(src.subarray(ids32[i]! * rowSize, (ids32[i]! + 1) * rowSize), i * rowSize);
  return out.info;
}

function gatherRows(args: KernelArgs, stock: tf.KernelConfig): tf.TensorInfo | tf.TensorInfo[] {
  const { x, indices } = args.inputs as { x: tf.TensorInfo; indices: tf.TensorInfo };
  const cpu = args.backend as unknown as CpuBackend;
  const output = (shape: number[]) => {
    const values = allocate(
      x.dtype,
      shape.reduce((a, v) => a * v, 1),
    );
    return { info: cpu.makeTensorInfo(shape, x.dtype, values), values: () => values };
  };
  const read = (t: tf.TensorInfo) => cpu.data.get(t.dataId).values;
  return gatherRowsInto(x, indices, args.attrs as unknown as { axis: number; batchDims: number }, read, output) ?? stock.kernelFunc(args);
}

/** out[k] = sum of the rows of x whose segment id is k; ids outside [0, numSegments) are dropped, as in TF. */
function segmentSum(args: KernelArgs, stock: tf.KernelConfig): tf.TensorInfo | tf.TensorInfo[] {
  const { x, segmentIds } = args.inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
  if (x.dtype !== 'float32' && x.dtype !== 'int32') return stock.kernelFunc(args);
  const { numSegments } = args.attrs as unknown as { numSegments: number };
  const cpu = args.backend as unknown as CpuBackend;
  const values = cpu.data.get(x.dataId).values;
  const ids = cpu.data.get(segmentIds.dataId).values;
  const rows = ids.length;
  const inner = rows === 0 ? 0 : values.length / rows;
  const out = allocate(x.dtype, numSegments * inner);
  for (let r = 0; r < rows; r++) {
    const k = ids[r]!;
    if (k < 0 || k >= numSegments) continue;
    for (let j = 0, src = r * inner, dst = k * inner; j < inner; j++) out[dst + j]! += values[src + j]!;
  }
  return cpu.makeTensorInfo([numSegments, ...x.shape.slice(segmentIds.shape.length)], x.dtype, out);
}
