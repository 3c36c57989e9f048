import { build, preview, type PreviewServer } from 'vite';
import { execFileSync } from 'node:child_process';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    baseUrl: string;
    /** The same build served cross-origin isolated (COOP/COEP), as hosts that unlock threaded WebAssembly do. */
    isolatedUrl: string;
  }
}

let servers: PreviewServer[] = [];

export const ISOLATION_HEADERS = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

async function serve(headers: Record<string, string> = {}): Promise<string> {
  const server = await preview({ base: '/playground/', preview: { port: 0, host: '127.0.0.1', strictPort: false, headers }, logLevel: 'warn' });
  servers.push(server);
  const address = server.httpServer.address();
  if (!address || typeof address === 'string') throw new Error('preview server has no port');
  return `http://127.0.0.1:${address.port}/playground/`;
}

/** Builds the static site and serves it under a sub-path, as a host would (plain and isolated), for every e2e test file. */
export default async function setup(project: TestProject) {
  execFileSync('node', ['scripts/prepare-data.mjs'], { stdio: 'inherit' });
  // vitest sets NODE_ENV=test, which would make Vite bundle React's development build: test what ships
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({ logLevel: 'warn', mode: 'production' });
  } finally {
    process.env.NODE_ENV = nodeEnv;
  }
  // two servers of one build: plain (as GitHub Pages serves it) and cross-origin isolated (vite.config's headers + COOP/COEP)
  project.provide('baseUrl', await serve());
  project.provide('isolatedUrl', await serve(ISOLATION_HEADERS));
  return async () => {
    await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.httpServer.close(() => resolve()))));
    servers = [];
  };
}
