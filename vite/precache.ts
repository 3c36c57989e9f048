import { createHash } from 'node:crypto';

/** What the service worker caches: every file of one build, and a version that changes with any byte of it. */
export interface Precache {
  version: string;
  /** Paths relative to the page's folder ('./' is the page itself). */
  files: string[];
}

export const SERVICE_WORKER_FILE = 'sw.js';

/** version = first 16 hex digits of sha256 over every (path, bytes) pair, in path order. */
export function precacheManifest(built: { path: string; bytes: Uint8Array }[]): Precache {
  const files = built.filter((f) => f.path !== SERVICE_WORKER_FILE).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const hash = createHash('sha256');
  for (const f of files) {
    hash.update(f.path + '\0');
    hash.update(f.bytes);
  }
  const paths = files.map((f) => f.path);
  // the page is reached as its folder ('./') far more often than as index.html; cache both
  return { version: hash.digest('hex').slice(0, 16), files: paths.includes('index.html') ? ['./', ...paths] : paths };
}
