import * as Comlink from 'comlink';
import '@tensorflow/tfjs-backend-webgpu';
import { setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { Engine } from '../engine/services/engine';
import { registerKernels } from '../engine/kernels/registry';
import type { PlaygroundApi } from '../engine/config/api';

// The .wasm binaries are bundled assets of our own origin; nothing is fetched from a CDN.
const abs = (u: string) => new URL(u, self.location.href).href;
setWasmPaths({
  'tfjs-backend-wasm.wasm': abs(wasmPlain),
  'tfjs-backend-wasm-simd.wasm': abs(wasmSimd),
  'tfjs-backend-wasm-threaded-simd.wasm': abs(wasmThreaded),
});
// threaded WASM (when the page is cross-origin isolated) uses one thread per logical core
setThreadsCount(Math.max(1, self.navigator.hardwareConcurrency || 1));
registerKernels(); // our kernels and the stock-kernel fixes on every backend (src/engine/kernels/registry.ts)

const api: PlaygroundApi = new Engine();
Comlink.expose(api);
