import * as tf from '@tensorflow/tfjs';
import { webgpu_util, type WebGPUBackend, type WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';
import { CELL_C, CELL_DC, CELL_DZ, CELL_H } from '../names';
import { CELL_INPUTS, cellColumns, cellWgsl, type CellKernel } from './shared';

// Numerically safe forms: sigmoid(x) = 1 / (1 + e^-x); tanh(x) = sign(x) (1 - e^-2|x|) / (1 + e^-2|x|)
const WGSL_HELPERS = `
  fn lstmSig(x : f32) -> f32 { return 1.0 / (1.0 + exp(-x)); }
  fn lstmTanh(x : f32) -> f32 { let e = exp(-2.0 * abs(x)); return sign(x) * (1.0 - e) / (1.0 + e); }`;

class CellProgramGPU implements WebGPUProgram {
  variableNames: string[];
  outputShape: number[];
  shaderKey: string;
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number] = [64, 1, 1];
  size = true;
  uniforms = 'row0 : i32,';
  private code: string;
  constructor(kernel: CellKernel, batch: number, units: number) {
    this.variableNames = CELL_INPUTS[kernel];
    this.outputShape = [batch, cellColumns(kernel, units)];
    this.dispatchLayout = webgpu_util.flatDispatchLayout(this.outputShape);
    this.dispatch = webgpu_util.computeDispatch(this.dispatchLayout, this.outputShape, this.workgroupSize);
    this.shaderKey = `playgroundLstm_${kernel}_${units}`;
    this.code = cellWgsl(kernel, units);
  }
  getUserCode(): string {
    return `${WGSL_HELPERS}
      fn main(index : i32) {
        if (index < uniforms.size) {
          let rc = getCoordsFromIndex(index);
          let b = rc.x;
          let col = rc.y;
          ${this.code}
          setOutputAtIndex(index, v);
        }
      }`;
  }
}

type Attrs = { row0: number; units: number };
const batchOf = (inputs: tf.NamedTensorInfoMap, kernel: CellKernel) => inputs[CELL_INPUTS[kernel][1]!]!.shape[0]!;

/**
 * Registers the four cell kernels on WebGPU (`npm run bench -- --models lstm --lstm-other` times the fused path
 * against tfjs's LSTM layers). WebGL has its own, packed, version (lstmCell/webgl.ts).
 */
export function registerGpuCellKernels(): void {
  for (const kernel of [CELL_C, CELL_H, CELL_DZ, CELL_DC] as CellKernel[]) {
    const ordered = (inputs: tf.NamedTensorInfoMap) => CELL_INPUTS[kernel].map((n) => inputs[n]!);
    if (!tf.getKernel(kernel, 'webgpu'))
      tf.registerKernel({
        kernelName: kernel,
        backendName: 'webgpu',
        kernelFunc: ({ inputs, backend, attrs }) => {
          const { row0, units } = attrs as unknown as Attrs;
          return (backend as WebGPUBackend).runWebGPUProgram(new CellProgramGPU(kernel, batchOf(inputs, kernel), units), ordered(inputs), 'float32', [
            { type: 'int32', data: [row0] },
          ]);
        },
      });
  }
}
