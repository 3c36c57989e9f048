/** Registers the service worker of a production build (offline use after the first visit); dev has none. */
export function registerServiceWorker(): void {
  if (!import.meta.env.PROD || !('serviceWorker' in navigator)) return;
  // after load, so precaching the build never delays the first screen; the scope is the page's folder
  window.addEventListener('load', () => {
    navigator.serviceWorker.register(new URL('sw.js', document.baseURI)).catch((e: unknown) => {
      console.warn(`Offline use is unavailable (the service worker did not register: ${e instanceof Error ? e.message : String(e)}).`);
    });
  });
}
