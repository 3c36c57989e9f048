import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { ownConv2d } from '../conv/webgpu';
import { relMaxError } from '../common/check';
import { FlatProgram } from '../common/webgpu';
import { OWN_BATCH_MATMUL, OWN_MATMUL } from '../names';
import { matMulDims, ownMatMul, setGpuMatMulChosen } from './shared';
import type { MatMulCheck, MatMulChoice } from '../../config/diagnostics';

/** Output rows x columns each invocation computes. */
const TILE = 4;

/**
 * One invocation per 4 x 4 block of C, reading A and B straight from their buffers: no workgroup memory and no
 * barriers. tfjs's tiled matmul shares tiles through workgroup memory between barriers, which SwiftShader (WebGPU
 * on the CPU) runs slowly: a [64, 128] x [128, 512] product took 36 ms there against 3.4 ms on WebGL.
 */
class OwnMatMulProgram extends FlatProgram {
  constructor(
    private m: number,
    private n: number,
    private k: number,
    private transposeA: boolean,
    private transposeB: boolean,
    private batch = 0, // 0: 2-D operands; otherwise [batch, ., .] operands and output
  ) {
    super(
      ['A', 'B'],
      batch ? [batch, m, n] : [m, n],
      Math.max(1, batch) * Math.ceil(m / TILE) * Math.ceil(n / TILE),
      `playgroundMatMul_${m}_${n}_${k}_${transposeA}_${transposeB}_${batch}`,
    );
  }
  getUserCode(): string {
    const { m: M, n: N, k: K } = this;
    // A is [M, K] (or [K, M] transposed), B is [K, N] (or [N, K]); rows and columns past the edge are clamped on
    // reading and skipped on writing
    // batched: operand and output offsets of matrix bi (aOff, bOff, cOff)
    const a = (row: string) => (this.transposeA ? `A[aOff + k * ${M} + min(${row}, ${M - 1})]` : `A[aOff + min(${row}, ${M - 1}) * ${K} + k]`);
    const b = (col: string) => (this.transposeB ? `B[bOff + min(${col}, ${N - 1}) * ${K} + k]` : `B[bOff + k * ${N} + min(${col}, ${N - 1})]`);
    const tilesN = Math.ceil(N / TILE);
    const tiles = Math.ceil(M / TILE) * tilesN;
    const rows = [0, 1, 2, 3];
    return `
      fn main(index : i32) {
        let bi = index / ${tiles};
        let tile = index % ${tiles};
        let aOff = bi * ${M * K};
        let bOff = bi * ${K * N};
        let cOff = bi * ${M * N};
        let m0 = (tile / ${tilesN}) * ${TILE};
        let n0 = (tile % ${tilesN}) * ${TILE};
        if (bi >= ${Math.max(1, this.batch)} || m0 >= uniforms.outShape[${this.batch ? 1 : 0}]) { return; } // (the uniforms must be read: the pipeline's layout omits unused bindings)
        ${rows.map((i) => `var acc${i} = vec4<f32>(0.0);`).join('\n        ')}
        for (var k = 0; k < ${K}; k++) {
          let av = vec4<f32>(${rows.map((i) => a(`m0 + ${i}`)).join(', ')});
          let bv = vec4<f32>(${rows.map((j) => b(`n0 + ${j}`)).join(', ')});
          ${rows.map((i) => `acc${i} = fma(vec4<f32>(av[${i}]), bv, acc${i});`).join('\n          ')}
        }
        ${rows
          .map(
            (i) => `if (m0 + ${i} < ${M}) {
          ${rows.map((j) => `if (n0 + ${j} < ${N}) { result[cOff + (m0 + ${i}) * ${N} + n0 + ${j}] = acc${i}[${j}]; }`).join('\n          ')}
        }`,
          )
          .join('\n        ')}
      }`;
  }
}

/** OWN_MATMUL on 2-D float32 tensors, OWN_BATCH_MATMUL on [batch, ., .] ones: one program, batched or not. */
const gpuMatMul: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { A, B } = inputs as { A: tf.TensorInfo; B: tf.TensorInfo };
  const { transposeA, transposeB } = attrs as unknown as { transposeA: boolean; transposeB: boolean };
  const batch = A.shape.length === 3 ? A.shape[0]! : 0;
  const matrix = (t: tf.TensorInfo) => (batch ? { ...t, shape: t.shape.slice(1) } : t);
  const [m, k, n] = matMulDims(matrix(A), matrix(B), transposeA, transposeB);
  return (backend as WebGPUBackend).runWebGPUProgram(new OwnMatMulProgram(m, n, k, transposeA, transposeB, batch), [A, B], 'float32');
};

/** Registers OWN_MATMUL and OWN_BATCH_MATMUL on WebGPU. */
export function registerGpuMatMul(): void {
  for (const kernelName of [OWN_MATMUL, OWN_BATCH_MATMUL])
    if (!tf.getKernel(kernelName, 'webgpu')) tf.registerKernel({ kernelName, backendName: 'webgpu', kernelFunc: gpuMatMul });
}

let choice: MatMulChoice | null = null;

/** Median ms of `reps` runs of f after one that compiles its shader. */
async function timed(f: () => tf.Tensor, reps: number): Promise<number> {
  const warm = f();
  await warm.data();
  warm.dispose();
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const start = performance.now();
    const out = f();
    await out.data();
    times.push(performance.now() - start);
    out.dispose();
  }
  return times.sort((x, y) => x - y)[Math.floor(reps / 2)]!;
}

/**
 * Times our matmul against tfjs's on the active WebGPU device, once, on a char-LSTM step's recurrent product and
 * on a square one, and picks ours only if it is faster on both (on a real GPU tfjs's tiled kernel usually is).
 */
export async function chooseGpuMatMul(): Promise<MatMulChoice> {
  if (choice) return choice;
  const shapes: [number, number, number][] = [
    [64, 128, 512],
    [256, 256, 256],
  ];
  const own: number[] = [];
  const stock: number[] = [];
  for (const [m, k, n] of shapes) {
    const a = tf.randomUniform([m, k]) as tf.Tensor2D;
    const b = tf.randomUniform([k, n]) as tf.Tensor2D;
    own.push(await timed(() => ownMatMul(a, b, false, false), 3));
    stock.push(await timed(() => tf.matMul(a, b), 3));
    tf.dispose([a, b]);
  }
  choice = { own, tfjs: stock, chosen: own.every((t, i) => t < stock[i]!) };
  setGpuMatMulChosen(choice.chosen);
  return choice;
}

/**
 * Our kernel against tfjs's matmul on the active backend: every transpose combination, on shapes that are not
 * multiples of the 4 x 4 block (edges); and our convolution against tf.conv2d, with both paddings.
 */
export async function checkGpuMatMul(): Promise<MatMulCheck> {
  const shapes: [number, number, number][] = [
    [37, 21, 45], // (block multiples: the default MLP's and CNN's dense layers, checked in train/applyModel.ts)
  ];
  const cases: MatMulCheck['cases'] = [];
  for (const [m, k, n] of shapes)
    for (const transposeA of [false, true])
      for (const transposeB of [false, true]) {
        const relError = tf.tidy(() => {
          const a = tf.randomNormal(transposeA ? [k, m] : [m, k], 0, 1, 'float32', m + k) as tf.Tensor2D;
          const b = tf.randomNormal(transposeB ? [n, k] : [k, n], 0, 1, 'float32', n + k) as tf.Tensor2D;
          const want = tf.matMul(a, b, transposeA, transposeB);
          return relMaxError(ownMatMul(a, b, transposeA, transposeB), want);
        });
        cases.push({ shape: `${m}x${k}x${n}`, transposeA, transposeB, relError: (await relError.data())[0]! });
        relError.dispose();
      }
  const convCases: MatMulCheck['convCases'] = [];
  type Shape4 = [number, number, number, number];
  const convShapes: [Shape4, Shape4, 'same' | 'valid'][] = [
    [[3, 9, 8, 2], [5, 5, 2, 6], 'same'],
    [[2, 10, 10, 3], [3, 3, 3, 5], 'valid'],
  ];
  for (const [xShape, wShape, padding] of convShapes) {
    const errors = tf.tidy(() => {
      const x = tf.randomNormal(xShape, 0, 1, 'float32', 7) as tf.Tensor4D;
      const w = tf.randomNormal(wShape, 0, 1, 'float32', 8) as tf.Tensor4D;
      const want = tf.conv2d(x, w, 1, padding);
      const r = tf.randomNormal(want.shape, 0, 1, 'float32', 9);
      const ours = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(ownConv2d(a as tf.Tensor4D, b as tf.Tensor4D, padding), r)))([x, w]);
      const stock = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, padding), r)))([x, w]);
      return tf.stack([relMaxError(ownConv2d(x, w, padding), want), relMaxError(ours[0]!, stock[0]!), relMaxError(ours[1]!, stock[1]!)]);
    });
    const [relError, dxRelError, dwRelError] = await errors.data();
    errors.dispose();
    convCases.push({
      shape: `${xShape.join('x')} * ${wShape.join('x')}`,
      padding,
      relError: relError!,
      dxRelError: dxRelError!,
      dwRelError: dwRelError!,
    });
  }
  return { backend: tf.getBackend(), cases, convCases, choice };
}
