import * as tf from '@tensorflow/tfjs';
import type { BenchEnvironment } from '../config/diagnostics';

type GpuInfo = { vendor?: string; architecture?: string; device?: string; description?: string };

/** The WebGPU adapter the browser gives (vendor, architecture, device, description; SwiftShader on a machine with no GPU). */
async function webGpuAdapter(): Promise<Record<string, string>> {
  const gpu = (globalThis.navigator as (Navigator & { gpu?: { requestAdapter(): Promise<{ info?: GpuInfo } | null> } }) | undefined)?.gpu;
  const info: GpuInfo = (await gpu?.requestAdapter())?.info ?? {};
  // (GPUAdapterInfo's fields are getters on its prototype, so they are read by name)
  const fields = { vendor: info.vendor, architecture: info.architecture, device: info.device, description: info.description };
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => typeof v === 'string' && v !== '')) as Record<string, string>;
}

/** WebGL's unmasked renderer and version strings, from the context tfjs's WebGL backend draws with. */
function webGlAdapter(): Record<string, string> {
  const gl = (tf.backend() as unknown as { gpgpu?: { gl?: WebGL2RenderingContext } }).gpgpu?.gl;
  if (!gl) return {};
  const ext = gl.getExtension('WEBGL_debug_renderer_info');
  return {
    renderer: String(gl.getParameter(ext ? ext.UNMASKED_RENDERER_WEBGL : gl.RENDERER)),
    vendor: String(gl.getParameter(ext ? ext.UNMASKED_VENDOR_WEBGL : gl.VENDOR)),
    version: String(gl.getParameter(gl.VERSION)),
  };
}

/** What the bench records of the active backend and the context it runs in (the worker). */
export async function benchEnvironment(): Promise<BenchEnvironment> {
  const backend = tf.getBackend();
  const nav = globalThis.navigator as Navigator | undefined;
  const env: BenchEnvironment = {
    backend,
    adapter: backend === 'webgpu' ? await webGpuAdapter() : backend === 'webgl' ? webGlAdapter() : {},
    crossOriginIsolated: (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true,
    hardwareConcurrency: nav?.hardwareConcurrency ?? 0,
    userAgent: nav?.userAgent ?? '',
  };
  if (backend === 'wasm') {
    const { getThreadsCount } = await import('@tensorflow/tfjs-backend-wasm');
    env.wasm = { simd: (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) === true, threads: getThreadsCount() };
  }
  return env;
}
