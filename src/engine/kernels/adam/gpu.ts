import * as tf from '@tensorflow/tfjs';
import type { GLProgram, WebGLBackendLike } from '../common/webgl';
import { webgpu_util, type WebGPUBackend, type WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';
import { ADAM_KERNEL } from '../names';
import type { AdamAttrs } from './fused';

/**
 * ADAM_KERNEL on WebGL and WebGPU: a shader has one output, so the new m, v and x of a variable are three dispatches
 * of one shader (which one: the `mode` uniform), each reading the old x, m, v and the gradient, instead of the ten
 * to twelve elementwise kernels of tfjs's Adam. On SwiftShader's WebGL a kernel costs about 0.25 ms whatever its size,
 * and Adam's were half of the default MLP's step (26.8 against 13.0 ms with SGD, main thread, 2-core VM).
 */
const MODES = [0, 1, 2] as const; // new m, new v, new x

// Kingma & Ba 2015, algorithm 1: m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2; x -= lr (m / c1) / (sqrt(v / c2) + eps)
const GLSL = `
  void main() {
    vec4 g = getGAtOutCoords();
    vec4 m = beta1 * getMAtOutCoords() + (1.0 - beta1) * g;
    vec4 v = beta2 * getVAtOutCoords() + (1.0 - beta2) * g * g;
    if (mode == 0) { setOutput(m); }
    else if (mode == 1) { setOutput(v); }
    else { setOutput(getXAtOutCoords() - lr * (m / c1) / (sqrt(v / c2) + epsilon)); }
  }`;

const UNIFORMS = ['lr', 'beta1', 'beta2', 'epsilon', 'c1', 'c2'] as const;

/** Packed (4 values a texel), as tfjs's own elementwise WebGL kernels and the gradients they produce. */
const glProgram = (shape: number[]): GLProgram => ({
  variableNames: ['X', 'M', 'V', 'G'],
  outputShape: shape,
  userCode: GLSL,
  packedInputs: true,
  packedOutput: true,
  customUniforms: [...UNIFORMS.map((name) => ({ name, type: 'float' as const })), { name: 'mode', type: 'int' }],
});

class AdamProgramGPU implements WebGPUProgram {
  variableNames = ['X', 'M', 'V', 'G'];
  outputShape: number[];
  shaderKey = 'playgroundAdam';
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number] = [64, 1, 1];
  size = true;
  uniforms = `${UNIFORMS.map((u) => `${u} : f32,`).join(' ')} mode : i32,`;
  constructor(shape: number[]) {
    this.outputShape = shape;
    this.dispatchLayout = webgpu_util.flatDispatchLayout(shape);
    this.dispatch = webgpu_util.computeDispatch(this.dispatchLayout, shape, this.workgroupSize);
  }
  getUserCode(): string {
    return `
      fn main(index : i32) {
        if (index < uniforms.size) {
          let g = G[index];
          let m = uniforms.beta1 * M[index] + (1.0 - uniforms.beta1) * g;
          let v = uniforms.beta2 * V[index] + (1.0 - uniforms.beta2) * g * g;
          var out = m;
          if (uniforms.mode == 1) { out = v; }
          if (uniforms.mode == 2) { out = X[index] - uniforms.lr * (m / uniforms.c1) / (sqrt(v / uniforms.c2) + uniforms.epsilon); }
          setOutputAtIndex(index, out);
        }
      }`;
  }
}

const ordered = (inputs: tf.NamedTensorInfoMap) => ['x', 'm', 'v', 'g'].map((n) => inputs[n]!);
const values = (a: AdamAttrs) => UNIFORMS.map((u) => a[u]);

/** Registers ADAM_KERNEL on WebGL and WebGPU (inputs x, m, v, g of one shape; outputs the new x, m and v). */
export function registerGpuAdam(): void {
  if (!tf.getKernel(ADAM_KERNEL, 'webgl'))
    tf.registerKernel({
      kernelName: ADAM_KERNEL,
      backendName: 'webgl',
      kernelFunc: ({ inputs, backend, attrs }) => {
        const gl = backend as unknown as WebGLBackendLike;
        const program = glProgram(inputs.x!.shape);
        const u = values(attrs as unknown as AdamAttrs);
        const [m, v, x] = MODES.map((mode) => gl.compileAndRun(program, ordered(inputs), 'float32', [...u.map((n) => [n]), [mode]]));
        return [x!, m!, v!];
      },
    });
  if (!tf.getKernel(ADAM_KERNEL, 'webgpu'))
    tf.registerKernel({
      kernelName: ADAM_KERNEL,
      backendName: 'webgpu',
      kernelFunc: ({ inputs, backend, attrs }) => {
        const gpu = backend as WebGPUBackend;
        const u = values(attrs as unknown as AdamAttrs);
        const [m, v, x] = MODES.map((mode) =>
          gpu.runWebGPUProgram(new AdamProgramGPU(inputs.x!.shape), ordered(inputs), 'float32', [
            ...u.map((n) => ({ type: 'float32', data: [n] })),
            { type: 'int32', data: [mode] },
          ]),
        );
        return [x!, m!, v!];
      },
    });
}
