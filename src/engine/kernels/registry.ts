import { registerCpuAdam } from './adam/cpu';
import { registerGpuAdam } from './adam/gpu';
import { registerGlConcat } from './concat/webgl';
import { registerGpuConv } from './conv/webgpu';
import { registerCpuGelu, registerCpuLayerNorm } from './layerNorm/cpu';
import { registerGpuTransformerKernels } from './transformer/webgpu';
import { registerGlTransformerKernels } from './transformer/webgl';
import { registerCpuCellKernels } from './lstmCell/cpu';
import { registerGlCellKernels } from './lstmCell/webgl';
import { registerGpuCellKernels } from './lstmCell/webgpu';
import { registerCpuMatMul } from './matmul/cpu';
import { registerGpuMatMul } from './matmul/webgpu';
import { registerPatchKernels } from './patches/cpu';
import { registerGlPatchKernels } from './patches/webgl';
import { registerFastCpuKernels } from './stockFixes/cpu';
import { registerWasmTrainingKernels } from './stockFixes/wasm';

/**
 * Registers every kernel of ours, and our patches to stock tfjs kernels, on every backend each supports: tfjs
 * keeps kernels per backend name, so this runs once, before any backend starts, and a later backend switch finds
 * them there. Each register function skips a kernel already registered, so calling it twice is harmless.
 */
export function registerKernels(): void {
  registerWasmTrainingKernels(); // so CNNs train on wasm too (stock tfjs lacks Conv2DBackpropFilter there)
  registerFastCpuKernels(); // strided slices and gather's gradient without per-element index arithmetic
  registerCpuMatMul(); // a register-blocked matmul and convolution as patches x filter, for the cpu backend's training steps
  registerCpuAdam(); // Adam's update as one loop per variable on cpu
  registerGpuAdam(); // and as three dispatches of one shader per variable on WebGL and WebGPU
  registerPatchKernels(); // image patches and 2 x 2 max pooling as flat loops on cpu and wasm (convolutions as matmuls)
  registerGpuMatMul(); // matmuls and convolutions without workgroup memory, used where timed faster (SwiftShader)
  registerGpuConv();
  registerGpuCellKernels(); // each char-LSTM step's elementwise work as one shader on WebGPU
  registerGlCellKernels(); // and on WebGL
  registerCpuCellKernels(); // and as one JavaScript loop each on cpu
  registerCpuLayerNorm(); // the char-Transformer's layer norm, forward and backward, as row loops on cpu
  registerCpuGelu(); // and its GELU, one loop each way
  registerGpuTransformerKernels(); // on WebGPU: layer norm, GELU, causal softmax and column sums as loops without workgroup memory
  registerGlTransformerKernels(); // and layer norm, GELU and causal softmax as a few programs each on WebGL
  registerGlPatchKernels(); // image patches on WebGL: the convolutions' gradients as matmuls
  registerGlConcat(); // the char-LSTM's per-step blocks joined with one read per texel
}
