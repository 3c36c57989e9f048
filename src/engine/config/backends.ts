/** Backend names and what starting one reports; apart from the tfjs code so the page can use them without loading tfjs. */
export type BackendName = 'webgpu' | 'webgl' | 'wasm' | 'cpu';
/** Preference order on a machine with a real GPU: the first that starts is used unless the user picks another. */
export const BACKEND_ORDER: BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];

export function parseBackendName(value: string | null | undefined): BackendName | undefined {
  return BACKEND_ORDER.find((b) => b === value);
}

export interface BackendState {
  active: BackendName;
  /** Why each backend that was tried and failed could not start (shown in the page). */
  failures: Partial<Record<BackendName, string>>;
  /** Why the page started on `active` without being asked for it (the best guess), shown in the backend panel. */
  guess?: string;
}

/** What a WebGPU adapter says about itself (GPUAdapterInfo, plus the older adapter-level fallback flag). */
export interface AdapterFacts {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
  isFallbackAdapter?: boolean;
}

const SOFTWARE = /swiftshader|llvmpipe|lavapipe|softpipe|software|basic render|warp/i;

/** The name of the software rasteriser behind an adapter or a WebGL renderer string, or null for real hardware. */
export function softwareAdapter(facts: AdapterFacts | string | null | undefined): string | null {
  if (!facts) return null;
  if (typeof facts === 'string') return SOFTWARE.exec(facts)?.[0] ?? null;
  const text = [facts.vendor, facts.architecture, facts.device, facts.description].filter(Boolean).join(' ');
  const match = SOFTWARE.exec(text)?.[0];
  if (match) return match;
  return facts.isFallbackAdapter ? 'a fallback (CPU) adapter' : null;
}

/**
 * The best guess before anything is measured: a GPU backend first when it runs on a real GPU; a GPU backend that
 * renders in software is the CPU in disguise, so WASM (threads and SIMD where the page allows) goes before it.
 */
export function guessOrder(software: Partial<Record<BackendName, string>>): BackendName[] {
  const hardware = BACKEND_ORDER.filter((b) => !software[b] && b !== 'cpu');
  const soft = BACKEND_ORDER.filter((b) => software[b]);
  const gpus = hardware.filter((b) => b === 'webgpu' || b === 'webgl');
  return [...gpus, 'wasm', ...soft, 'cpu'];
}

/** How much faster a measured backend must be before the page moves a model kind to it (at the next Start). */
export const CLEARLY_FASTER = 1.2;

export interface Timing {
  backend: BackendName;
  itemsPerSec?: number;
}

/**
 * The backend to train on given what was measured: the fastest, but only if it beats the active one by
 * CLEARLY_FASTER (a measurement within noise never moves a run); the active one when it was not measured wins
 * nothing by default, so the fastest measured is taken.
 */
export function clearlyFastest(timings: Timing[], active: BackendName): BackendName {
  const timed = timings.filter((t) => t.itemsPerSec !== undefined && t.itemsPerSec > 0);
  if (!timed.length) return active;
  const best = timed.reduce((a, b) => (b.itemsPerSec! > a.itemsPerSec! ? b : a));
  const current = timed.find((t) => t.backend === active)?.itemsPerSec;
  if (current === undefined) return best.backend;
  return best.itemsPerSec! >= CLEARLY_FASTER * current ? best.backend : active;
}
