import * as Comlink from 'comlink';
import type { PlaygroundApi } from '../engine/config/api';

export type EngineClient = Comlink.Remote<PlaygroundApi>;

export interface EngineWorker {
  api: EngineClient;
  /** Ends the worker (its calls in flight never answer): for a restart after a crash. */
  terminate(): void;
}

/** Starts the engine worker; `onCrash` hears about errors that escape every call (e.g. a failed import). */
export function startEngineWorker(onCrash: (message: string) => void): EngineWorker {
  const worker = new Worker(new URL('./playground.worker.ts', import.meta.url), { type: 'module', name: 'engine' });
  worker.addEventListener('error', (e) => onCrash(e.message || 'the engine worker failed to start'));
  return { api: Comlink.wrap<PlaygroundApi>(worker), terminate: () => worker.terminate() };
}

export const callback = Comlink.proxy;
