import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pthreadScripts, rewriteBackendWasm } from '../../../vite/wasmThreads';

const require = createRequire(import.meta.url);
const backendWasm = readFileSync(require.resolve('@tensorflow/tfjs-backend-wasm/dist/backend_wasm.js'), 'utf8');

describe('threaded WASM: pthread scripts served from our own origin', () => {
  const scripts = pthreadScripts();

  it('rewrites both blob: sites of tfjs-backend-wasm to files beside the engine worker', () => {
    expect(backendWasm).toContain('wasmFactoryThreadedSimd.toString()');
    const out = rewriteBackendWasm(backendWasm, scripts);
    expect(out).not.toContain('wasmFactoryThreadedSimd.toString()');
    expect(out).not.toContain('createObjectURL');
    expect(out).toContain(`factoryConfig.mainScriptUrlOrBlob = new URL("${scripts.main.fileName}", self.location.href).href;`);
    expect(out).toContain(`return new URL("${scripts.worker.fileName}", self.location.href).href;`);
    // the rest of the module is untouched: the non-threaded path still builds its factory
    expect(out).toContain('wasm = wasmFactory(factoryConfig);');
  });

  it('refuses to build when tfjs changes its start-up (threads would silently break)', () => {
    expect(() => rewriteBackendWasm(backendWasm.replace('wasmFactoryThreadedSimd.toString()', 'x()'), scripts)).toThrow(/update the patterns/);
  });

  it('ships a main script that defines the factory by itself (no name from a bundle around it)', () => {
    const define = new Function(`${scripts.main.source}\nreturn typeof WasmBackendModuleThreadedSimd;`) as () => string;
    expect(define()).toBe('function');
    expect(scripts.main.fileName).toMatch(/^tfjs-wasm-threaded-main-[0-9a-f]{8}\.js$/);
  });

  it('ships the pthread worker as a parseable classic script that loads the main script it is sent', () => {
    expect(() => new Function(scripts.worker.source)).not.toThrow();
    expect(scripts.worker.source).toContain('importScripts(e.data.urlOrBlob)');
    expect(scripts.worker.fileName).toMatch(/^tfjs-wasm-pthread-[0-9a-f]{8}\.js$/);
  });
});
