import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { transformWithOxc, type Plugin } from 'vite';

const SOURCE = fileURLToPath(new URL('../src/engine/io/compactLoader.ts', import.meta.url));

/** What plain tfjs users download beside a .nnq file: the loader, beside index.html. */
const COMPACT_LOADER_FILE = 'nnq-loader.js';

/**
 * src/engine/io/compactLoader.ts as a plain ES module: the types stripped, nothing bundled. It imports only
 * '@tensorflow/tfjs' (a dependency-cruiser rule keeps it so), which a bundler or an import map resolves.
 */
async function compactLoaderSource(): Promise<string> {
  const { code } = await transformWithOxc(readFileSync(SOURCE, 'utf8'), SOURCE, { lang: 'ts' });
  const imports = [...code.matchAll(/^import .* from ['"]([^'"]+)['"];?$/gm)].map((m) => m[1]);
  if (imports.join() !== '@tensorflow/tfjs') throw new Error(`${SOURCE} must import only @tensorflow/tfjs, it imports: ${imports.join(', ')}`);
  return code;
}

/** Writes nnq-loader.js into the build (before the service worker lists it) and serves it in `vite dev`. */
export function compactLoader(): Plugin {
  return {
    name: 'playground-compact-loader',
    async generateBundle() {
      this.emitFile({ type: 'asset', fileName: COMPACT_LOADER_FILE, source: await compactLoaderSource() });
    },
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        if (!req.url?.split('?')[0].endsWith(`/${COMPACT_LOADER_FILE}`)) return next();
        compactLoaderSource().then((code) => {
          res.setHeader('Content-Type', 'text/javascript');
          res.end(code);
        }, next);
      });
    },
  };
}
