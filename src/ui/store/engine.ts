import { EngineClient, EngineWorker, startEngineWorker } from '../../worker/client';

/** The engine worker's typed API: set by startEngine() at boot (and at a restart), before any action calls it. */
export let engine: EngineClient;
let worker: EngineWorker | null = null;

/** Starts the worker (ending one started before); `onCrash` hears about errors that escape every call. */
export function startEngine(onCrash: (message: string) => void): EngineClient {
  worker?.terminate();
  worker = startEngineWorker(onCrash);
  engine = worker.api;
  // the typed engine API, for the console and for npm run bench (scripts/bench.ts)
  (globalThis as { playgroundEngine?: EngineClient }).playgroundEngine = engine;
  return engine;
}
