import type { Plugin } from 'vite';

/**
 * The page's Content-Security-Policy: our own origin only, no inline script, no eval. WebAssembly needs
 * 'wasm-unsafe-eval' (compiling a module is not eval of JS); workers come from our own origin; img-src allows
 * data: for the empty favicon and blob: for nothing but what the page itself draws.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data: blob:",
  "style-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'none'",
].join('; ');

/** Headers can say more than a meta tag (frame-ancestors), and they also govern the worker's own script. */
export const SECURITY_HEADERS = {
  'Content-Security-Policy': `${CONTENT_SECURITY_POLICY}; frame-ancestors 'none'`,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

/** Puts the policy in the built index.html, so any static host serves it; `vite dev` (inline HMR preamble) is left alone. */
export function contentSecurityPolicy(): Plugin {
  return {
    name: 'content-security-policy',
    apply: 'build',
    transformIndexHtml: () => [
      { tag: 'meta', attrs: { 'http-equiv': 'Content-Security-Policy', content: CONTENT_SECURITY_POLICY }, injectTo: 'head-prepend' },
    ],
  };
}
