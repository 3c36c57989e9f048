import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { FlatProgram } from '../common/webgpu';
import { CAUSAL_SOFTMAX, CAUSAL_SOFTMAX_GRAD, COLUMN_SUM, GELU, GELU_GRAD, LAYER_NORM, LAYER_NORM_GRAD } from '../names';

/**
 * The char-Transformer's row and column work on WebGPU, each a flat program of one invocation per row, column or
 * value that loops over its row or column itself: no workgroup memory and no barriers. tfjs's reductions share
 * partial sums through workgroup memory between barriers, which SwiftShader (WebGPU on the CPU) runs slowly: on the
 * 2-core VM tf.sum over the rows of [4096, 192] took 418 ms, tf.moments of [4096, 64] 225 ms and tf.softmax of
 * [256, 64, 64] 650 ms. Layer norm, causal softmax and their backward passes are two to four dispatches each here.
 */
class LoopProgram extends FlatProgram {
  constructor(
    inputs: string[],
    outputShape: number[],
    private readonly count: number,
    key: string,
    private readonly body: string,
  ) {
    super(inputs, outputShape, count, `playgroundXfmr_${key}`);
  }
  getUserCode(): string {
    // (the uniforms must be read: the pipeline's layout omits unused bindings)
    return `
      fn gTanh(x : f32) -> f32 { let e = exp(-2.0 * abs(x)); return sign(x) * (1.0 - e) / (1.0 + e); }
      fn main(index : i32) {
        if (index >= ${this.count} || ${this.outputShape.length > 1 ? 'uniforms.outShape[0]' : 'uniforms.outShape'} < 0) { return; }
        ${this.body}
      }`;
  }
}

const run = (backend: unknown, inputs: tf.TensorInfo[], shape: number[], count: number, key: string, body: string, names: string[]) =>
  (backend as WebGPUBackend).runWebGPUProgram(new LoopProgram(names, shape, count, key, body), inputs, 'float32');
const free = (backend: unknown, ...ts: tf.TensorInfo[]) => ts.forEach((t) => (backend as WebGPUBackend).disposeData(t.dataId));

// GELU, tanh approximation: y = 0.5 x (1 + t), t = tanh(c (x + a x^3)); dy/dx = 0.5 (1 + t) + 0.5 x (1 - t^2) c (1 + 3 a x^2)
const GELU_C = Math.sqrt(2 / Math.PI).toFixed(9);
const GELU_A = '0.044715';
const geluT = `let x = X[index]; let t = gTanh(${GELU_C} * (x + ${GELU_A} * x * x * x));`;

/** Sum over rows of x [n, c] (one column per invocation): tfjs's column reduction is a transpose and a reduction on WebGPU. */
const columnSum = (backend: unknown, x: tf.TensorInfo) => {
  const [n, c] = x.shape as [number, number];
  return run(
    backend,
    [x],
    [c],
    c,
    `colsum_${n}_${c}`,
    `var s = 0.0; for (var r = 0; r < ${n}; r++) { s += X[r * ${c} + index]; } result[index] = s;`,
    ['X'],
  );
};

// Layer norm: mean and rstd = 1 / sqrt(var + eps) per row, xhat = (x - mean) rstd, y = g xhat + b
const layerNorm: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, g, b } = inputs as { x: tf.TensorInfo; g: tf.TensorInfo; b: tf.TensorInfo };
  const eps = (attrs as unknown as { eps: number }).eps;
  const d = x.shape[x.shape.length - 1]!;
  const n = tf.util.sizeFromShape(x.shape) / d;
  const rows = `_${n}_${d}`;
  const mean = run(
    backend,
    [x],
    [n, 1],
    n,
    `lnMean${rows}`,
    `var s = 0.0; for (var j = 0; j < ${d}; j++) { s += X[index * ${d} + j]; } result[index] = s / ${d}.0;`,
    ['X'],
  );
  const rstd = run(
    backend,
    [x, mean],
    [n, 1],
    n,
    `lnRstd${rows}_${eps}`,
    `let m = M[index]; var v = 0.0; for (var j = 0; j < ${d}; j++) { let e = X[index * ${d} + j] - m; v += e * e; } result[index] = inverseSqrt(v / ${d}.0 + ${eps.toExponential()});`,
    ['X', 'M'],
  );
  const xhat = run(backend, [x, mean, rstd], x.shape, n * d, `lnXhat${rows}`, `let r = index / ${d}; result[index] = (X[index] - M[r]) * R[r];`, [
    'X',
    'M',
    'R',
  ]);
  const y = run(backend, [xhat, g, b], x.shape, n * d, `lnY${rows}`, `let j = index % ${d}; result[index] = H[index] * G[j] + Bias[j];`, [
    'H',
    'G',
    'Bias',
  ]);
  free(backend, mean);
  return [y, xhat, rstd];
};

// dxhat = dy g; dx = rstd (dxhat - mean(dxhat) - xhat mean(dxhat xhat)); dg = sum over rows of dy xhat; db = sum of dy
const layerNormGrad: tf.KernelFunc = ({ inputs, backend }) => {
  const { dy, xhat, rstd, g } = inputs as { dy: tf.TensorInfo; xhat: tf.TensorInfo; rstd: tf.TensorInfo; g: tf.TensorInfo };
  const d = g.shape[0]!;
  const n = tf.util.sizeFromShape(dy.shape) / d;
  const rows = `_${n}_${d}`;
  // per row: [mean(dy g), mean(dy g xhat)]
  const ac = run(
    backend,
    [dy, xhat, g],
    [n, 2],
    2 * n,
    `lnAc${rows}`,
    `let o = (index / 2) * ${d}; let second = index % 2 == 1; var s = 0.0;
        for (var j = 0; j < ${d}; j++) { var e = Dy[o + j] * G[j]; if (second) { e *= H[o + j]; } s += e; }
        result[index] = s / ${d}.0;`,
    ['Dy', 'H', 'G'],
  );
  const dx = run(
    backend,
    [dy, xhat, rstd, g, ac],
    dy.shape,
    n * d,
    `lnDx${rows}`,
    `let r = index / ${d}; result[index] = R[r] * (Dy[index] * G[index % ${d}] - Ac[2 * r] - H[index] * Ac[2 * r + 1]);`,
    ['Dy', 'H', 'R', 'G', 'Ac'],
  );
  const dg = run(
    backend,
    [dy, xhat],
    [d],
    d,
    `lnDg${rows}`,
    `var s = 0.0; for (var r = 0; r < ${n}; r++) { s += Dy[r * ${d} + index] * H[r * ${d} + index]; } result[index] = s;`,
    ['Dy', 'H'],
  );
  const db = columnSum(backend, { ...dy, shape: [n, d] });
  free(backend, ac);
  return [dx, dg, db];
};

const gelu: tf.KernelFunc = ({ inputs, backend }) => {
  const x = inputs.x!;
  const size = tf.util.sizeFromShape(x.shape);
  return run(backend, [x], x.shape, size, `gelu_${size}`, `${geluT} result[index] = 0.5 * x * (1.0 + t);`, ['X']);
};

const geluGrad: tf.KernelFunc = ({ inputs, backend }) => {
  const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const size = tf.util.sizeFromShape(x.shape);
  return run(
    backend,
    [x, dy],
    x.shape,
    size,
    `geluGrad_${size}`,
    `${geluT} result[index] = Dy[index] * (0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * ${GELU_C} * (1.0 + 3.0 * ${GELU_A} * x * x));`,
    ['X', 'Dy'],
  );
};

// softmax of row i over keys j <= i (the causal mask): p_ij = exp(s_ij - max) / sum_j<=i exp(s_ij - max), 0 for j > i
const causalSoftmax: tf.KernelFunc = ({ inputs, backend }) => {
  const s = inputs.s!;
  const t = s.shape[s.shape.length - 1]!;
  const rows = tf.util.sizeFromShape(s.shape) / t;
  const key = `_${rows}_${t}`;
  // per row: [max over j <= i, sum over j <= i of exp(s - max)]
  const stats = run(
    backend,
    [s],
    [rows, 2],
    2 * rows,
    `smStats${key}`,
    `let r = index / 2; let o = r * ${t}; let last = r % ${t}; var m = S[o];
        for (var j = 1; j <= last; j++) { m = max(m, S[o + j]); }
        if (index % 2 == 0) { result[index] = m; return; }
        var z = 0.0; for (var j = 0; j <= last; j++) { z += exp(S[o + j] - m); } result[index] = z;`,
    ['S'],
  );
  const p = run(
    backend,
    [s, stats],
    s.shape,
    rows * t,
    `smP${key}`,
    `let r = index / ${t}; if (index % ${t} > r % ${t}) { result[index] = 0.0; return; }
        result[index] = exp(S[index] - St[2 * r]) / St[2 * r + 1];`,
    ['S', 'St'],
  );
  free(backend, stats);
  return p;
};

// softmax backward: ds_ij = p_ij (dp_ij - sum_k dp_ik p_ik)
const causalSoftmaxGrad: tf.KernelFunc = ({ inputs, backend }) => {
  const { p, dp } = inputs as { p: tf.TensorInfo; dp: tf.TensorInfo };
  const t = p.shape[p.shape.length - 1]!;
  const rows = tf.util.sizeFromShape(p.shape) / t;
  const key = `_${rows}_${t}`;
  const dot = run(
    backend,
    [p, dp],
    [rows],
    rows,
    `smDot${key}`,
    `var z = 0.0; for (var j = 0; j < ${t}; j++) { z += P[index * ${t} + j] * Dp[index * ${t} + j]; } result[index] = z;`,
    ['P', 'Dp'],
  );
  const ds = run(backend, [p, dp, dot], p.shape, rows * t, `smDs${key}`, `result[index] = P[index] * (Dp[index] - Dot[index / ${t}]);`, [
    'P',
    'Dp',
    'Dot',
  ]);
  free(backend, dot);
  return ds;
};

const columnSumKernel: tf.KernelFunc = ({ inputs, backend }) => columnSum(backend, inputs.x!);

export function registerGpuTransformerKernels(): void {
  const kernels: [string, tf.KernelFunc][] = [
    [LAYER_NORM, layerNorm],
    [LAYER_NORM_GRAD, layerNormGrad],
    [GELU, gelu],
    [GELU_GRAD, geluGrad],
    [CAUSAL_SOFTMAX, causalSoftmax],
    [CAUSAL_SOFTMAX_GRAD, causalSoftmaxGrad],
    [COLUMN_SUM, columnSumKernel],
  ];
  for (const [kernelName, kernelFunc] of kernels)
    if (!tf.getKernel(kernelName, 'webgpu')) tf.registerKernel({ kernelName, backendName: 'webgpu', kernelFunc });
}
