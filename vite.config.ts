import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { serviceWorker } from './vite/serviceWorker.ts';
import { contentSecurityPolicy, SECURITY_HEADERS } from './vite/csp.ts';
import { wasmThreads } from './vite/wasmThreads.ts';
import { compactLoader } from './vite/compactLoader.ts';

// base './' makes every asset URL relative, so dist/ works when served from any sub-path
// (e.g. https://example.org/playground/); PLAYGROUND_BASE=/repo/ pins an absolute one (the Pages workflow).
// Bundled data lives in public/data (made by scripts/prepare-data.mjs). nnq-loader.js (vite/compactLoader.ts) is
// written beside index.html for plain tfjs users of the compact .nnq files.
export default defineConfig({
  base: process.env.PLAYGROUND_BASE || './',
  plugins: [react(), compactLoader(), serviceWorker(), contentSecurityPolicy()],
  // the engine worker is its own build: threaded WASM's pthread scripts are emitted there (vite/wasmThreads.ts)
  worker: { format: 'es', plugins: () => [wasmThreads()] },
  build: {
    target: 'es2022',
    chunkSizeWarningLimit: 4096,
  },
  optimizeDeps: { exclude: ['@tensorflow/tfjs-backend-wasm'] },
  preview: { headers: SECURITY_HEADERS },
});
