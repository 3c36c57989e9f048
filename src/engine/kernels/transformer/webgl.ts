import * as tf from '@tensorflow/tfjs';
import type { GLProgram, WebGLBackendLike } from '../common/webgl';
import { GELU, GELU_GRAD, LAYER_NORM, LAYER_NORM_GRAD } from '../names';

/**
 * The char-Transformer's layer norm and GELU on WebGL (transformer/webgpu.ts has the WebGPU versions): each is one to
 * four programs instead of tfjs's eight to fifteen ops each way (tf.moments, broadcasts, pow, tanh). GELU is packed (a
 * texel's four values at once, as tfjs's own elementwise kernels); the layer norm's row programs are unpacked, one
 * value per output, each looping over its row or column. (A causal softmax written the same way was no faster than
 * tfjs's packed softmax on SwiftShader's WebGL, 47 against 52 ms for [256, 64, 64], and its backward slower, 66
 * against 27 ms: the attention keeps tfjs's ops there.)
 */
const unpacked = (names: string[], shape: number[], body: string): GLProgram => ({
  variableNames: names,
  outputShape: shape,
  packedInputs: false,
  packedOutput: false,
  customUniforms: [],
  userCode: `
  void main() {
    ${body}
  }`,
});

// GELU, tanh approximation: y = 0.5 x (1 + t), t = tanh(c (x + a x^3)); dy/dx = 0.5 (1 + t) + 0.5 x (1 - t^2) c (1 + 3 a x^2)
const GELU_C = Math.sqrt(2 / Math.PI).toFixed(9);
const GELU_A = '0.044715';
const geluProgram = (names: string[], shape: number[], out: string): GLProgram => ({
  variableNames: names,
  outputShape: shape,
  packedInputs: true,
  packedOutput: true,
  customUniforms: [],
  userCode: `
  void main() {
    vec4 x = getXAtOutCoords();
    vec4 u = ${GELU_C} * (x + ${GELU_A} * x * x * x);
    vec4 e = exp(-2.0 * abs(u));
    vec4 t = sign(u) * (1.0 - e) / (1.0 + e);
    setOutput(${out});
  }`,
});

const gl = (backend: unknown) => backend as WebGLBackendLike;
const free = (backend: unknown, ...ts: tf.TensorInfo[]) =>
  ts.forEach((t) => (backend as { disposeIntermediateTensorInfo(t: tf.TensorInfo): void }).disposeIntermediateTensorInfo(t));

// Layer norm: per row mean and rstd = 1 / sqrt(var + eps), xhat = (x - mean) rstd, y = g xhat + b
const layerNorm: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, g, b } = inputs as { x: tf.TensorInfo; g: tf.TensorInfo; b: tf.TensorInfo };
  const eps = (attrs as unknown as { eps: number }).eps;
  const d = x.shape[x.shape.length - 1]!;
  const n = tf.util.sizeFromShape(x.shape) / d;
  const x2 = { ...x, shape: [n, d] };
  // [mean, rstd] per row
  const stats = gl(backend).compileAndRun(
    unpacked(
      ['X'],
      [n, 2],
      `
    ivec2 rc = getOutputCoords();
    float m = 0.0;
    for (int j = 0; j < ${d}; j++) m += getX(rc.x, j);
    m /= ${d}.0;
    if (rc.y == 0) { setOutput(m); return; }
    float v = 0.0;
    for (int j = 0; j < ${d}; j++) { float e = getX(rc.x, j) - m; v += e * e; }
    setOutput(inversesqrt(v / ${d}.0 + ${eps.toExponential()}));`,
    ),
    [x2],
  );
  const xhat = gl(backend).compileAndRun(
    unpacked(['X', 'St'], [n, d], `ivec2 rc = getOutputCoords(); setOutput((getX(rc.x, rc.y) - getSt(rc.x, 0)) * getSt(rc.x, 1));`),
    [x2, stats],
  );
  const y = gl(backend).compileAndRun(
    unpacked(['H', 'G', 'Bias'], [n, d], `ivec2 rc = getOutputCoords(); setOutput(getH(rc.x, rc.y) * getG(rc.y) + getBias(rc.y));`),
    [xhat, g, b],
  );
  const rstd = gl(backend).compileAndRun(unpacked(['St'], [n, 1], `ivec2 rc = getOutputCoords(); setOutput(getSt(rc.x, 1));`), [stats]);
  free(backend, stats);
  return [{ ...y, shape: x.shape }, { ...xhat, shape: x.shape }, rstd];
};

// dxhat = dy g; dx = rstd (dxhat - mean(dxhat) - xhat mean(dxhat xhat)); dg = sum over rows of dy xhat; db = sum of dy
const layerNormGrad: tf.KernelFunc = ({ inputs, backend }) => {
  const { dy, xhat, rstd, g } = inputs as { dy: tf.TensorInfo; xhat: tf.TensorInfo; rstd: tf.TensorInfo; g: tf.TensorInfo };
  const d = g.shape[0]!;
  const n = tf.util.sizeFromShape(dy.shape) / d;
  const [dy2, h2] = [dy, xhat].map((t) => ({ ...t, shape: [n, d] }));
  // [mean(dy g), mean(dy g xhat)] per row
  const ac = gl(backend).compileAndRun(
    unpacked(
      ['Dy', 'H', 'G'],
      [n, 2],
      `
    ivec2 rc = getOutputCoords();
    float s = 0.0;
    for (int j = 0; j < ${d}; j++) { float e = getDy(rc.x, j) * getG(j); s += rc.y == 0 ? e : e * getH(rc.x, j); }
    setOutput(s / ${d}.0);`,
    ),
    [dy2!, h2!, g],
  );
  const dx = gl(backend).compileAndRun(
    unpacked(
      ['Dy', 'H', 'R', 'G', 'Ac'],
      [n, d],
      `
    ivec2 rc = getOutputCoords();
    setOutput(getR(rc.x, 0) * (getDy(rc.x, rc.y) * getG(rc.y) - getAc(rc.x, 0) - getH(rc.x, rc.y) * getAc(rc.x, 1)));`,
    ),
    [dy2!, h2!, rstd, g, ac],
  );
  // [sum dy xhat, sum dy] per column
  const sums = gl(backend).compileAndRun(
    unpacked(
      ['Dy', 'H'],
      [2, d],
      `
    ivec2 rc = getOutputCoords();
    float s = 0.0;
    for (int r = 0; r < ${n}; r++) { float e = getDy(r, rc.y); s += rc.x == 0 ? e * getH(r, rc.y) : e; }
    setOutput(s);`,
    ),
    [dy2!, h2!],
  );
  const dg = gl(backend).compileAndRun(unpacked(['S'], [d], `int j = getOutputCoords(); setOutput(getS(0, j));`), [sums]);
  const db = gl(backend).compileAndRun(unpacked(['S'], [d], `int j = getOutputCoords(); setOutput(getS(1, j));`), [sums]);
  free(backend, ac, sums);
  return [{ ...dx, shape: dy.shape }, dg, db];
};

const gelu: tf.KernelFunc = ({ inputs, backend }) =>
  gl(backend).compileAndRun(geluProgram(['X'], inputs.x!.shape, '0.5 * x * (1.0 + t)'), [inputs.x!]);

const geluGrad: tf.KernelFunc = ({ inputs, backend }) =>
  gl(backend).compileAndRun(
    geluProgram(
      ['X', 'Dy'],
      inputs.x!.shape,
      `getDyAtOutCoords() * (0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * ${GELU_C} * (1.0 + 3.0 * ${GELU_A} * x * x))`,
    ),
    [inputs.x!, inputs.dy!],
  );

export function registerGlTransformerKernels(): void {
  const kernels: [string, tf.KernelFunc][] = [
    [LAYER_NORM, layerNorm],
    [LAYER_NORM_GRAD, layerNormGrad],
    [GELU, gelu],
    [GELU_GRAD, geluGrad],
  ];
  for (const [kernelName, kernelFunc] of kernels)
    if (!tf.getKernel(kernelName, 'webgl')) tf.registerKernel({ kernelName, backendName: 'webgl', kernelFunc });
}
