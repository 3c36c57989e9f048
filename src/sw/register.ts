/** Registers the service worker of a production build (offline use after the first visit); dev has none. */
export function registerServiceWorker(): void {
  if (!import.meta.env.PROD || !('serviceWorker' in navigator)) return;
  const register = () =>
    navigator.serviceWorker.register(new URL('sw.js', document.baseURI)).catch((e: unknown) => {
      console.warn(`Offline use is unavailable (the service worker did not register: ${e instanceof Error ? e.message : String(e)}).`);
    });
  // the scope is the page's folder, so it works under any sub-path
  if (document.readyState === 'complete') void register();
  else window.addEventListener('load', () => void register(), { once: true });
}
