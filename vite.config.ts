import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { contentSecurityPolicy, SECURITY_HEADERS } from './vite/csp.ts';

// base './' makes every asset URL relative, so dist/ works when served from any sub-path
// (e.g. https://example.org/playground/). Bundled data lives in public/data (made by scripts/prepare-data.mjs).
export default defineConfig({
  base: './',
  plugins: [react(), contentSecurityPolicy()],
  worker: { format: 'es' },
  build: { target: 'es2022', chunkSizeWarningLimit: 4096 },
  optimizeDeps: { exclude: ['@tensorflow/tfjs-backend-wasm'] },
  preview: { headers: SECURITY_HEADERS },
});
