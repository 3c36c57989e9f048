import * as tf from '@tensorflow/tfjs';

import { type AdapterFacts, BACKEND_ORDER, BackendName, guessOrder, softwareAdapter } from '../config/backends';
import { chooseGpuMatMul } from '../kernels/matmul/webgpu';
import { OWN_MATMUL } from '../kernels/names';
import type { BackendState } from '../config/backends';

export type { BackendName };

/** Why WebGPU cannot be used here, or null when an adapter is available. */
async function webGpuProblem(): Promise<string | null> {
  const gpu = (globalThis.navigator as (Navigator & { gpu?: { requestAdapter(): Promise<unknown> } }) | undefined)?.gpu;
  if (!gpu) return 'this browser does not expose WebGPU (navigator.gpu is missing)';
  try {
    const adapter = await gpu.requestAdapter();
    return adapter ? null : 'the browser found no WebGPU adapter (GPU blocked or disabled)';
  } catch (e) {
    return `requesting a WebGPU adapter failed: ${(e as Error).message}`;
  }
}

/** Switches to `name`; returns null on success or the reason it failed (tfjs only logs it, so we capture that). */
export async function trySetBackend(name: BackendName): Promise<string | null> {
  if (name === 'webgpu') {
    const problem = await webGpuProblem();
    if (problem) return problem;
  }
  if (!tf.findBackendFactory(name)) return `the ${name} backend is not registered in this build`;
  const warnings: string[] = [];
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    warnings.push(args.map((a) => (a instanceof Error ? a.message : String(a))).join(' '));
    warn(...args);
  };
  try {
    const ok = await tf.setBackend(name);
    await tf.ready();
    if (ok && tf.getBackend() === name) {
      tf.tidy(() => tf.add(tf.scalar(1), tf.scalar(1)).dataSync()); // a first kernel proves the backend really runs
      if (name === 'webgpu' && tf.getKernel(OWN_MATMUL, 'webgpu')) await chooseGpuMatMul();
      return null;
    }
    return warnings.join(' ') || `the ${name} backend did not start`;
  } catch (e) {
    return (e as Error).message || String(e);
  } finally {
    console.warn = warn;
  }
}

/** Which GPU backends here render in software (SwiftShader, llvmpipe, a fallback adapter), with the renderer's name. */
async function softwareRenderers(): Promise<Partial<Record<BackendName, string>>> {
  const out: Partial<Record<BackendName, string>> = {};
  const gpu = (globalThis.navigator as (Navigator & { gpu?: { requestAdapter(): Promise<unknown> } }) | undefined)?.gpu;
  try {
    const adapter = (await gpu?.requestAdapter()) as { info?: AdapterFacts; isFallbackAdapter?: boolean } | null | undefined;
    const info = adapter?.info; // GPUAdapterInfo's fields are getters on its prototype: read each (a spread copies none)
    const facts = info && { vendor: info.vendor, architecture: info.architecture, device: info.device, description: info.description };
    const soft = adapter ? softwareAdapter({ ...facts, isFallbackAdapter: adapter.isFallbackAdapter || info?.isFallbackAdapter }) : null;
    if (soft) out.webgpu = soft;
  } catch {
    // no adapter: starting WebGPU fails and says why
  }
  try {
    const gl = typeof OffscreenCanvas === 'undefined' ? null : new OffscreenCanvas(1, 1).getContext('webgl2');
    const debug = gl?.getExtension('WEBGL_debug_renderer_info');
    const soft = gl ? softwareAdapter(String(gl.getParameter(debug ? debug.UNMASKED_RENDERER_WEBGL : gl.RENDERER))) : null;
    if (soft) out.webgl = soft;
    gl?.getExtension('WEBGL_lose_context')?.loseContext();
  } catch {
    // no WebGL: starting it fails and says why
  }
  return out;
}

const LABEL: Record<BackendName, string> = { webgpu: 'WebGPU', webgl: 'WebGL', wasm: 'WASM', cpu: 'CPU' };

/**
 * Starts the preferred backend, else the best guess (see guessOrder): the first that works. Nothing is timed here,
 * so training can start at once; the page measures the others later, when idle.
 */
export async function selectBackend(preferred?: BackendName): Promise<BackendState> {
  const failures: BackendState['failures'] = {};
  const software = preferred ? {} : await softwareRenderers();
  const order = preferred ? [preferred, ...BACKEND_ORDER.filter((b) => b !== preferred)] : guessOrder(software);
  for (const name of order) {
    const problem = await trySetBackend(name);
    if (!problem) return { active: name, failures, ...(preferred === name ? {} : { guess: why(name, software, failures) }) };
    failures[name] = problem;
  }
  throw new Error(
    `No tfjs backend could start: ${Object.entries(failures)
      .map(([k, v]) => `${k}: ${v}`)
      .join('; ')}`,
  );
}

/** One sentence on why the guess is `name`. */
function why(name: BackendName, software: Partial<Record<BackendName, string>>, failures: BackendState['failures']): string {
  const soft = Object.entries(software).map(([b, r]) => `${LABEL[b as BackendName]} renders in software here (${r}), not on a GPU`);
  if (name === 'webgpu' || name === 'webgl') return `${LABEL[name]} runs on a GPU here`;
  const lost = Object.keys(failures).map((b) => `${LABEL[b as BackendName]} could not start`);
  const reasons = [...soft, ...lost].join('; ');
  return `${reasons ? `${reasons}: ` : ''}${name === 'wasm' ? 'WASM is the CPU default' : 'the plain CPU backend is the last resort'}`;
}
