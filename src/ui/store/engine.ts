import { EngineClient, startEngineWorker } from '../../worker/client';

/** The engine worker's typed API: set once by startEngine() at boot, before any action calls it. */
export let engine: EngineClient;

/** Starts the worker; `onCrash` hears about errors that escape every call. */
export function startEngine(onCrash: (message: string) => void): EngineClient {
  engine = startEngineWorker(onCrash);
  // the typed engine API, for the console and for npm run bench (scripts/bench.ts)
  (globalThis as { playgroundEngine?: EngineClient }).playgroundEngine = engine;
  return engine;
}
