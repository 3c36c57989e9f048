// The page's side of service-worker isolation (see src/sw/sw.ts): the choice is kept where the service worker
// reads it (a one-entry cache), and the page reloads once so that its new response carries COOP/COEP.

const ISOLATION_CACHE = 'nn-playground:settings';
const KEY = 'isolation';

const keyUrl = () => new URL(KEY, document.baseURI).href;

/** Where isolation by service worker can work: a production build with service workers, not already isolated by the host. */
export function isolationOffered(): boolean {
  return import.meta.env.PROD && 'serviceWorker' in navigator && 'caches' in globalThis;
}

/** Keeps the choice, waits until the service worker controls the page, and reloads it once. */
export async function chooseIsolation(on: boolean): Promise<void> {
  if (on) await (await caches.open(ISOLATION_CACHE)).put(keyUrl(), new Response('on'));
  else await caches.delete(ISOLATION_CACHE);
  await navigator.serviceWorker.ready;
  if (!navigator.serviceWorker.controller) {
    await new Promise<void>((resolve) => navigator.serviceWorker.addEventListener('controllerchange', () => resolve(), { once: true }));
  }
  navigator.serviceWorker.controller?.postMessage({ type: 'isolation-changed' });
  location.reload();
}
