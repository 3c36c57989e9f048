import { webgpu_util, type WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';

/**
 * A WebGPU program over a flat index, 64 invocations a workgroup: what our matmul and convolution share. The
 * subclass gives the shader (`fn main(index : i32)`), which must read `uniforms.outShape` (the pipeline's layout
 * omits unused bindings).
 */
export abstract class FlatProgram implements WebGPUProgram {
  variableNames: string[];
  outputShape: number[];
  shaderKey: string;
  dispatchLayout = { x: [0] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number] = [64, 1, 1];
  constructor(variableNames: string[], outputShape: number[], invocations: number, shaderKey: string) {
    this.variableNames = variableNames;
    this.outputShape = outputShape;
    this.shaderKey = shaderKey;
    this.dispatch = webgpu_util.computeDispatch(this.dispatchLayout, [invocations], this.workgroupSize);
  }
  abstract getUserCode(): string;
}
