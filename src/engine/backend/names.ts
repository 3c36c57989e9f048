// Backend names live apart from the tfjs code so the page's main bundle can use them without loading tfjs.
export type BackendName = 'webgpu' | 'webgl' | 'wasm' | 'cpu';
/** Preference order: the first that starts is used unless the user picks another. */
export const BACKEND_ORDER: BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];

export function parseBackendName(value: string | null | undefined): BackendName | undefined {
  return BACKEND_ORDER.find((b) => b === value);
}
