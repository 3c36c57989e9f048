import * as tf from '@tensorflow/tfjs';
import type { CpuBackend } from '../common/cpu';
import { COL2IM, IM2COL, MAX_POOL2, MAX_POOL2_GRAD } from '../names';
import type { PatchAttrs } from './shared';

const tapCache = new Map<string, Int32Array>();

/**
 * For each entry (p, r) of the patch matrix [P = N * OH * OW, R = KH * KW * C] of a stride-1 convolution, the
 * flat index in the image it reads, or -1 for zero padding. Built once per shape (the last 4 are kept): the
 * im2col and col2im loops are then one gather and one scatter-add.
 */
function tapIndex(a: PatchAttrs): Int32Array {
  const key = JSON.stringify([a.kh, a.kw, a.top, a.left, a.oh, a.ow, a.imageShape]);
  const cached = tapCache.get(key);
  if (cached) return cached;
  const [batch, h, w, ch] = a.imageShape as [number, number, number, number];
  const taps = new Int32Array(batch * a.oh * a.ow * a.kh * a.kw * ch).fill(-1);
  for (let b = 0, o = 0; b < batch; b++)
    for (let y = 0; y < a.oh; y++)
      for (let x = 0; x < a.ow; x++)
        for (let dy = 0; dy < a.kh; dy++)
          for (let dx = 0; dx < a.kw; dx++, o += ch) {
            const [iy, ix] = [y + dy - a.top, x + dx - a.left];
            if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
            const pixel = ((b * h + iy) * w + ix) * ch;
            for (let c = 0; c < ch; c++) taps[o + c] = pixel + c;
          }
  if (tapCache.size >= 4) tapCache.delete(tapCache.keys().next().value!);
  tapCache.set(key, taps);
  return taps;
}

/**
 * cols[p, (dy, dx, c)] = x[pixel p's patch]: one row per output pixel, in the filter's [KH, KW, C] order; with
 * `transposed`, written as [R, P] instead (WASM's matmul is fast only without transpose flags).
 */
export function im2col(x: ArrayLike<number>, a: PatchAttrs, cols: Float32Array, transposed = false): void {
  const taps = tapIndex(a);
  if (!transposed) {
    for (let i = 0; i < taps.length; i++) cols[i] = taps[i]! >= 0 ? x[taps[i]!]! : 0;
    return;
  }
  const r = a.kh * a.kw * (a.imageShape[3] ?? 1);
  const p = taps.length / r;
  for (let row = 0; row < r; row++) for (let q = 0, i = row; q < p; q++, i += r) cols[row * p + q] = taps[i]! >= 0 ? x[taps[i]!]! : 0;
}

/** im2col's adjoint: each patch row added back onto the pixels it was read from (the input gradient). */
function col2im(cols: ArrayLike<number>, a: PatchAttrs, out: Float32Array): void {
  const taps = tapIndex(a);
  out.fill(0);
  for (let i = 0; i < taps.length; i++) if (taps[i]! >= 0) out[taps[i]!]! += cols[i]!;
}

/** y = the max of each 2 x 2 block (first in row-major order on ties, as tfjs), arg = its flat index in x. */
function maxPool2(x: ArrayLike<number>, shape: number[], y: Float32Array, arg: Float32Array): void {
  const [batch, h, w, ch] = shape as [number, number, number, number];
  const [oh, ow] = [Math.floor(h / 2), Math.floor(w / 2)];
  for (let b = 0, o = 0; b < batch; b++)
    for (let i = 0; i < oh; i++)
      for (let j = 0; j < ow; j++)
        for (let c = 0; c < ch; c++, o++) {
          const first = ((b * h + 2 * i) * w + 2 * j) * ch + c;
          let [best, at] = [x[first]!, first];
          for (const k of [first + ch, first + w * ch, first + w * ch + ch]) if (x[k]! > best) [best, at] = [x[k]!, k];
          y[o] = best;
          arg[o] = at;
        }
}

/** dx[arg[o]] += dy[o]: each output's gradient goes to the input it took its maximum from. */
function maxPool2Grad(dy: ArrayLike<number>, arg: ArrayLike<number>, dx: Float32Array): void {
  dx.fill(0);
  for (let o = 0; o < dy.length; o++) dx[arg[o]!]! += dy[o]!;
}

interface WasmBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array;
}

/**
 * Registers a float32 kernel on cpu and wasm from one function over flat arrays: outputs are allocated first (on
 * WASM allocating may grow the heap, which detaches older views), then every input and output is viewed.
 */
function registerFlat(
  name: string,
  outShapes: (inputs: tf.TensorInfo[], attrs: Record<string, unknown>) => number[][],
  compute: (ins: ArrayLike<number>[], outs: Float32Array[], inputs: tf.TensorInfo[], attrs: Record<string, unknown>) => void,
  inputNames: string[],
): void {
  for (const backendName of ['cpu', 'wasm']) {
    if (tf.getKernel(name, backendName)) continue;
    tf.registerKernel({
      kernelName: name,
      backendName,
      kernelFunc: ({ inputs, backend, attrs }) => {
        const ins = inputNames.map((n) => inputs[n] as tf.TensorInfo);
        const shapes = outShapes(ins, attrs as Record<string, unknown>);
        const size = (s: number[]) => s.reduce((p, d) => p * d, 1);
        let outInfos: tf.TensorInfo[];
        let view: (t: tf.TensorInfo) => Float32Array;
        let outs: Float32Array[];
        if (backendName === 'wasm') {
          const wasm = backend as unknown as WasmBackend;
          outInfos = shapes.map((s) => wasm.makeOutput(s, 'float32'));
          view = (t) => wasm.typedArrayFromHeap(t);
          outs = outInfos.map(view);
        } else {
          const cpu = backend as unknown as CpuBackend;
          outs = shapes.map((s) => new Float32Array(size(s)));
          outInfos = shapes.map((s, i) => cpu.makeTensorInfo(s, 'float32', outs[i]!));
          view = (t) => cpu.data.get(t.dataId).values as Float32Array;
        }
        compute(ins.map(view), outs, ins, attrs as Record<string, unknown>);
        return outInfos.length === 1 ? outInfos[0]! : outInfos;
      },
    });
  }
}

/** Registers IM2COL, COL2IM, MAX_POOL2 and MAX_POOL2_GRAD on the cpu and wasm backends (float32 NHWC). */
export function registerPatchKernels(): void {
  const patch = (at: Record<string, unknown>) => at as unknown as PatchAttrs;
  registerFlat(
    IM2COL,
    (_, at) => {
      const a = patch(at);
      const [p, r] = [a.imageShape[0]! * a.oh * a.ow, a.kh * a.kw * a.imageShape[3]!];
      return [a.transposed ? [r, p] : [p, r]];
    },
    ([x], [cols], _, at) => im2col(x!, patch(at), cols!, patch(at).transposed === true),
    ['x'],
  );
  registerFlat(
    COL2IM,
    (_, at) => [patch(at).imageShape],
    ([cols], [out], _, at) => col2im(cols!, patch(at), out!),
    ['x'],
  );
  registerFlat(
    MAX_POOL2,
    ([x]) => {
      const [b, h, w, c] = x!.shape as number[];
      const s = [b!, Math.floor(h! / 2), Math.floor(w! / 2), c!];
      return [s, s];
    },
    ([x], [y, arg], [info]) => maxPool2(x!, info!.shape, y!, arg!),
    ['x'],
  );
  registerFlat(
    MAX_POOL2_GRAD,
    (_, at) => [at.xShape as number[]],
    ([dy, arg], [dx]) => maxPool2Grad(dy!, arg!, dx!),
    ['dy', 'arg'],
  );
}
