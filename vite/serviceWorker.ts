import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { transformWithOxc, type Plugin } from 'vite';
import { precacheManifest, SERVICE_WORKER_FILE, type Precache } from './precache.ts';

const SOURCE = fileURLToPath(new URL('../src/sw/sw.ts', import.meta.url));

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? listFiles(join(dir, e.name)) : [join(dir, e.name)]));
}

/** Writes OUT_DIR/sw.js for the files now in OUT_DIR (the built app and the copied public/data). */
export async function writeServiceWorker(outDir: string): Promise<Precache> {
  const built = listFiles(outDir).map((f) => ({ path: relative(outDir, f).split(sep).join('/'), bytes: readFileSync(f) }));
  const manifest = precacheManifest(built);
  const { code } = await transformWithOxc(readFileSync(SOURCE, 'utf8'), SOURCE, { lang: 'ts' });
  // a classic script (module service workers are missing from some browsers): no import or export left
  const withManifest = code.replace(/^(import|export) .*$/gm, '').replace('__PRECACHE__', JSON.stringify(manifest));
  if (withManifest.includes('__PRECACHE__')) throw new Error('src/sw/sw.ts: the __PRECACHE__ placeholder was not replaced');
  writeFileSync(join(outDir, SERVICE_WORKER_FILE), withManifest);
  return manifest;
}

/** Emits sw.js once the whole build (public/ included) is on disk. */
export function serviceWorker(): Plugin {
  let outDir = '';
  return {
    name: 'playground-service-worker',
    apply: 'build',
    configResolved(config) {
      outDir = resolve(config.root, config.build.outDir);
    },
    async closeBundle() {
      await writeServiceWorker(outDir);
    },
  };
}
