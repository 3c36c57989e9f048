import { build, preview, type PreviewServer } from 'vite';
import { execFileSync } from 'node:child_process';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    baseUrl: string;
  }
}

let server: PreviewServer | undefined;

/** Builds the static site and serves it under a sub-path, as a host would, for every e2e test file. */
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
  server = await preview({ base: '/playground/', preview: { port: 0, host: '127.0.0.1', strictPort: false }, logLevel: 'warn' });
  const address = server.httpServer.address();
  if (!address || typeof address === 'string') throw new Error('preview server has no port');
  project.provide('baseUrl', `http://127.0.0.1:${address.port}/playground/`);
  return async () => {
    await new Promise<void>((resolve) => server!.httpServer.close(() => resolve()));
  };
}
