/** Backend names and what starting one reports; apart from the tfjs code so the page can use them without loading tfjs. */
export type BackendName = 'webgpu' | 'webgl' | 'wasm' | 'cpu';
/** Preference order: the first that starts is used unless the user picks another. */
export const BACKEND_ORDER: BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];

export function parseBackendName(value: string | null | undefined): BackendName | undefined {
  return BACKEND_ORDER.find((b) => b === value);
}

export interface BackendState {
  active: BackendName;
  /** Why each backend that was tried and failed could not start (shown in the page). */
  failures: Partial<Record<BackendName, string>>;
}
