/// <reference lib="webworker" />
// The service worker: it precaches the whole build (page, worker, wasm, MNIST, corpus) in a cache named after
// the build's content hash, so a new build installs beside the old one and then deletes it.
// vite/serviceWorker.ts transpiles this file and replaces __PRECACHE__ with the build's file list.
import type { Precache } from '../../vite/precache';

declare const self: ServiceWorkerGlobalScope;
declare const __PRECACHE__: Precache;

const PREFIX = 'nn-playground-';
const { version, files } = __PRECACHE__;
const CACHE = PREFIX + version;
const inScope = (file: string) => new URL(file, self.registration.scope).href;

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      await cache.addAll(files.map(inScope));
      await self.skipWaiting(); // the new build takes over at once; its files are all cached already
    })(),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      const stale = (await caches.keys()).filter((k) => k.startsWith(PREFIX) && k !== CACHE);
      await Promise.all(stale.map((k) => caches.delete(k)));
      await self.clients.claim();
    })(),
  );
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET' || !request.url.startsWith(self.registration.scope)) return;
  event.respondWith(
    (async () => {
      const response = await (request.mode === 'navigate' ? pageNetworkFirst(request) : cacheFirst(request));
      if (request.mode === 'navigate') wanted = null; // each page load reads the choice afresh
      return (await isolationWanted()) ? isolated(response) : response;
    })(),
  );
});

/**
 * Cross-origin isolation for hosts that cannot set headers (GitHub Pages): when the page asked for it
 * (src/sw/isolation.ts keeps the choice in ISOLATION_CACHE), every response of ours gets COOP/COEP, so the
 * page and its workers may use SharedArrayBuffer and threaded WebAssembly. Everything the page loads is
 * same-origin, so COEP's require-corp blocks nothing of ours.
 */
const ISOLATION_CACHE = 'nn-playground:settings'; // not PREFIX: activate keeps it
const ISOLATION_KEY = 'isolation';
let wanted: Promise<boolean> | null = null;
self.addEventListener('message', (event) => {
  if ((event.data as { type?: string } | null)?.type === 'isolation-changed') wanted = null;
});

function isolationWanted(): Promise<boolean> {
  // caches.match with a cacheName never creates that cache: no choice made, no cache left behind
  wanted ??= caches
    .match(inScope(ISOLATION_KEY), { cacheName: ISOLATION_CACHE })
    .then(async (r) => (r ? (await r.text()) === 'on' : false))
    .catch(() => false);
  return wanted;
}

function isolated(response: Response): Response {
  if (response.type === 'opaque' || response.type === 'error' || response.headers.get('Cross-Origin-Embedder-Policy')) return response;
  const headers = new Headers(response.headers);
  headers.set('Cross-Origin-Opener-Policy', 'same-origin');
  headers.set('Cross-Origin-Embedder-Policy', 'require-corp');
  headers.set('Cross-Origin-Resource-Policy', 'same-origin');
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

/** The page itself: the network when it answers (a new build is seen at once), else the cached page. */
async function pageNetworkFirst(request: Request): Promise<Response> {
  try {
    return await fetch(request);
  } catch {
    const cache = await caches.open(CACHE);
    return (await cache.match(inScope('./'))) ?? (await cache.match(inScope('index.html'))) ?? Response.error();
  }
}

/** Hashed assets and bundled data never change under one build: the cache answers, else the network. */
async function cacheFirst(request: Request): Promise<Response> {
  const cache = await caches.open(CACHE);
  return (await cache.match(request, { ignoreVary: true })) ?? fetch(request);
}
