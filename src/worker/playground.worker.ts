import * as Comlink from 'comlink';
import '@tensorflow/tfjs-backend-webgpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { Engine } from '../engine/services/engine';
import { registerWasmTrainingKernels } from '../engine/backend/wasmKernels';
import { registerFastCpuKernels } from '../engine/backend/cpuKernels';
import { registerCpuMatMul } from '../engine/backend/cpuMatMul';
import { registerCpuAdam } from '../engine/backend/cpuAdam';
import { registerPatchKernels } from '../engine/backend/patches';
import { registerGpuCellKernels } from '../engine/backend/gpuCellKernels';
import { registerGlCellKernels } from '../engine/backend/glCellKernels';
import { registerGlPatchKernels } from '../engine/backend/glPatches';
import { registerGlConcat } from '../engine/backend/glConcat';
import { registerGpuMatMul } from '../engine/backend/gpuMatMul';
import { registerGpuConv } from '../engine/backend/gpuConv';
import { registerGpuAdam } from '../engine/backend/gpuAdam';
import type { PlaygroundApi } from '../engine/config/api';

// The .wasm binaries are bundled assets of our own origin; nothing is fetched from a CDN.
const abs = (u: string) => new URL(u, self.location.href).href;
setWasmPaths({
  'tfjs-backend-wasm.wasm': abs(wasmPlain),
  'tfjs-backend-wasm-simd.wasm': abs(wasmSimd),
  'tfjs-backend-wasm-threaded-simd.wasm': abs(wasmThreaded),
});
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
registerGlPatchKernels(); // image patches on WebGL: the convolutions' gradients as matmuls
registerGlConcat(); // the char-LSTM's per-step blocks joined with one read per texel

const api: PlaygroundApi = new Engine();
Comlink.expose(api);
