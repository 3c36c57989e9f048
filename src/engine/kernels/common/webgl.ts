import type * as tf from '@tensorflow/tfjs';

/** The part of tfjs-backend-webgl's GPGPUProgram our WebGL kernels use (adam/gpu.ts, lstmCell/webgl.ts, patches/webgl.ts, concat/webgl.ts). */
export interface GLProgram {
  variableNames: string[];
  outputShape: number[];
  userCode: string;
  packedInputs: boolean;
  packedOutput: boolean;
  customUniforms: { name: string; type: 'float' | 'int' }[];
}

/** The WebGL backend's compileAndRun: one program over its inputs, custom uniform values in customUniforms' order. */
export interface WebGLBackendLike {
  compileAndRun(program: GLProgram, inputs: tf.TensorInfo[], dtype?: tf.DataType, uniforms?: number[][]): tf.TensorInfo;
}
