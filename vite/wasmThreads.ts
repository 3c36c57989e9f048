import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Plugin } from 'vite';

// tfjs's threaded WASM starts its pthread workers from two blob: scripts: the emscripten worker (kept as a
// string) and `wasmFactoryThreadedSimd.toString()`. Once bundled, that function's text names variables of
// the bundle around it (its `_scriptDir`, renamed `e` by the minifier), so every pthread died with
// "ReferenceError: e is not defined" as soon as the page was cross-origin isolated; and blob: workers need
// `worker-src blob:` in the policy. This plugin ships both scripts as files of our own origin instead:
// the unbundled emscripten glue as it is published, and the worker string written out. No blob:, no eval.

const require = createRequire(import.meta.url);
const WASM_OUT = '@tensorflow/tfjs-backend-wasm/wasm-out/';
/** The module that holds the two blob: sites (tfjs-backend-wasm 4.x, its ES build). */
const BACKEND_FILE = /@tensorflow\/tfjs-backend-wasm\/dist\/backend_wasm\.js$/;

const MAIN_BLOB =
  /factoryConfig\.mainScriptUrlOrBlob = new Blob\(\[`var WasmBackendModuleThreadedSimd = ` \+\s*wasmFactoryThreadedSimd\.toString\(\)\], \{ type: 'text\/javascript' \}\);/;
const WORKER_BLOB =
  /const response = wasmWorkerContents\.replace\(\/\\n\/g, '\\\\n'\);\s*const blob = new Blob\(\[response\], \{ type: 'application\/javascript' \}\);\s*return URL\.createObjectURL\(blob\);/;

export interface PthreadScripts {
  /** assets/ file names, hashed by content. */
  main: { fileName: string; source: string };
  worker: { fileName: string; source: string };
}

const hashed = (stem: string, source: string) => `${stem}-${createHash('sha256').update(source).digest('hex').slice(0, 8)}.js`;

/** The two scripts a pthread loads, as published by tfjs-backend-wasm (the worker string with its newlines escaped as tfjs does). */
export function pthreadScripts(): PthreadScripts {
  const main = readFileSync(require.resolve(`${WASM_OUT}tfjs-backend-wasm-threaded-simd.js`), 'utf8');
  const contents = (require(`${WASM_OUT}tfjs-backend-wasm-threaded-simd.worker.js`) as { wasmWorkerContents: string }).wasmWorkerContents;
  const worker = contents.replace(/\n/g, '\\n');
  return {
    main: { fileName: hashed('tfjs-wasm-threaded-main', main), source: main },
    worker: { fileName: hashed('tfjs-wasm-pthread', worker), source: worker },
  };
}

/** Rewrites the two blob: sites of backend_wasm.js to URLs beside the engine worker's own script (both live in assets/). */
export function rewriteBackendWasm(code: string, scripts: PthreadScripts): string {
  const url = (name: string) => `new URL(${JSON.stringify(name)}, self.location.href).href`;
  if (!MAIN_BLOB.test(code) || !WORKER_BLOB.test(code))
    throw new Error('vite/wasmThreads.ts: tfjs-backend-wasm changed its pthread start-up; update the patterns (threads would break when isolated).');
  return code
    .replace(MAIN_BLOB, `factoryConfig.mainScriptUrlOrBlob = ${url(scripts.main.fileName)};`)
    .replace(WORKER_BLOB, `return ${url(scripts.worker.fileName)};`);
}

export function wasmThreads(): Plugin {
  const scripts = pthreadScripts();
  return {
    name: 'playground-wasm-threads',
    apply: 'build',
    transform(code, id) {
      if (!BACKEND_FILE.test(id.split('?')[0])) return null;
      return { code: rewriteBackendWasm(code, scripts), map: null };
    },
    generateBundle() {
      for (const s of [scripts.main, scripts.worker]) this.emitFile({ type: 'asset', fileName: `assets/${s.fileName}`, source: s.source });
    },
  };
}
