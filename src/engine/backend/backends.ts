import * as tf from '@tensorflow/tfjs';

import { BACKEND_ORDER, BackendName } from '../config/backends';
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

/** Starts the preferred backend, else the first in BACKEND_ORDER that works. */
export async function selectBackend(preferred?: BackendName): Promise<BackendState> {
  const failures: BackendState['failures'] = {};
  const order = preferred ? [preferred, ...BACKEND_ORDER.filter((b) => b !== preferred)] : BACKEND_ORDER;
  for (const name of order) {
    const problem = await trySetBackend(name);
    if (!problem) return { active: name, failures };
    failures[name] = problem;
  }
  throw new Error(
    `No tfjs backend could start: ${Object.entries(failures)
      .map(([k, v]) => `${k}: ${v}`)
      .join('; ')}`,
  );
}
