import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build, preview, type PreviewServer } from 'vite';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { fillSettings, useBrowser } from './browser';
import { writeServiceWorker } from '../../vite/serviceWorker';
import { initialAssets } from '../../scripts/pageMetrics';

// What the GitHub Pages workflow does: PLAYGROUND_BASE=/<repo>/ npm run build, served under that sub-path.
const BASE = '/nn-playground/';
const browser = useBrowser();
let outDir = '';
let server: PreviewServer | undefined;
let siteUrl = '';

beforeAll(async () => {
  outDir = mkdtempSync(join(tmpdir(), 'playground-subpath-'));
  const saved = { base: process.env.PLAYGROUND_BASE, nodeEnv: process.env.NODE_ENV };
  process.env.PLAYGROUND_BASE = BASE; // read by vite.config.ts, as in the workflow
  process.env.NODE_ENV = 'production';
  try {
    await build({ logLevel: 'warn', mode: 'production', build: { outDir, emptyOutDir: true } });
  } finally {
    process.env.PLAYGROUND_BASE = saved.base;
    process.env.NODE_ENV = saved.nodeEnv;
  }
  server = await preview({ base: BASE, build: { outDir }, preview: { port: 0, host: '127.0.0.1', strictPort: false }, logLevel: 'warn' });
  const address = server.httpServer.address();
  if (!address || typeof address === 'string') throw new Error('preview server has no port');
  siteUrl = `http://127.0.0.1:${address.port}${BASE}`;
});

afterAll(async () => {
  if (server) await new Promise<void>((resolve) => server!.httpServer.close(() => resolve()));
  if (outDir) rmSync(outDir, { recursive: true, force: true });
});

const cacheNames = (page: Page) => page.evaluate(() => caches.keys());

/** The built page's text files: index.html and every script under assets/. */
const builtTexts = () =>
  [
    'index.html',
    ...readdirSync(join(outDir, 'assets'))
      .filter((f) => f.endsWith('.js'))
      .map((f) => `assets/${f}`),
  ].map((f) => readFileSync(join(outDir, f), 'utf8'));

/**
 * What a dynamic import preloads (the charts' chunks): Vite puts the chunks' paths in one list at the top of the
 * importing chunk, `const __vite__mapDeps=(i,m=__vite__mapDeps,d=(m.f||(m.f=[...])))=>i.map(i=>d[i]);`. With an
 * absolute base they are written from the base without it ("assets/X.js"): the preload helper prepends the base
 * when it runs (node_modules/vite, getPreloadCode: `assetsURL = function(dep) { return <base>+dep }`).
 * Returns the list's paths and the text with the list cut out.
 */
function preloadList(text: string): { deps: string[]; rest: string } {
  const list = /^const __vite__mapDeps=\(i,m=__vite__mapDeps,d=\(m\.f\|\|\(m\.f=(\[[^\]]*\])\)\)\)=>i\.map\(i=>d\[i\]\);\n/.exec(text);
  return list ? { deps: JSON.parse(list[1]) as string[], rest: text.slice(list[0].length) } : { deps: [], rest: text };
}
const preloadedChunks = () => [...new Set(builtTexts().flatMap((t) => preloadList(t).deps))];

/** The preload helper's assetsURL, as minified: `function(e){return`<base>`+e}`, then its `seen` map and isCssPreloadUrl. */
const PRELOAD_HELPER = /function\((\w+)\)\{return(["'`])([^"'`]*)\2\+\1\},\w+=\{\},\w+=function\((\w+)\)\{return \4\.pathname\.endsWith\(/g;

describe('a build under a sub-path, offline after the first visit', () => {
  it('emits every asset URL (page, worker, wasm, preloaded chunks) under the base', () => {
    const texts = builtTexts().map(preloadList);
    // the preload lists: paths of files of this build, from the base, which the one preload helper prepends
    const deps = texts.flatMap((t) => t.deps);
    expect(deps.length).toBeGreaterThanOrEqual(3); // the charts' chunks (recharts) and what they import
    expect(deps.filter((d) => !/^assets\/[\w.-]+\.(?:js|css)$/.test(d) || !existsSync(join(outDir, d)))).toEqual([]);
    expect(texts.flatMap((t) => [...t.rest.matchAll(PRELOAD_HELPER)].map((m) => m[3]))).toEqual([BASE]);
    // every other URL is written with the base
    const prefixes = texts.flatMap((t) => [...t.rest.matchAll(/["'`]([^"'`\s]*?)assets\/[\w.-]+\.(?:js|css|wasm)["'`]/g)].map((m) => m[1]));
    // the page's script and style, the worker, and the three wasm binaries at least
    expect(prefixes.length).toBeGreaterThanOrEqual(6);
    expect(prefixes.filter((p) => p !== BASE)).toEqual([]);
  });

  it('keeps the JS loaded before the page runs within its budget of 208 kB gzipped', () => {
    const { scripts } = initialAssets(readFileSync(join(outDir, 'index.html'), 'utf8'));
    const files = scripts.map((u) => join(outDir, u.slice(u.indexOf('assets/'))));
    expect(files.length).toBeGreaterThanOrEqual(1);
    // zlib level 6, as static hosts serve it (the figure in docs/performance.md)
    const gzipped = files.reduce((n, f) => n + gzipSync(readFileSync(f), { level: 6 }).length, 0);
    expect(gzipped).toBeLessThanOrEqual(208_000);
  });

  it('keeps tfjs out of the page bundle: only the worker carries it', () => {
    const assets = readdirSync(join(outDir, 'assets'));
    const read = (prefix: string) =>
      readFileSync(
        join(
          outDir,
          'assets',
          assets.find((f) => f.startsWith(prefix) && f.endsWith('.js'))!,
        ),
        'utf8',
      );
    // a kernel name from tfjs-core's kernel registry, present wherever tfjs-core is bundled
    expect(read('playground.worker-')).toContain('Conv2DBackpropFilter');
    expect(read('index-')).not.toContain('Conv2DBackpropFilter');
  });

  it('loads and trains under the sub-path, then loads MNIST and the corpus and trains again with the network off', async () => {
    const context = await browser().newContext({ viewport: { width: 1440, height: 900 } });
    const requests: string[] = [];
    context.on('request', (r) => requests.push(r.url()));
    const fetchedByPage = new Map<string, number>(); // URL -> status, of what the page (not the service worker) fetched
    context.on('response', (r) => {
      if (!r.request().serviceWorker()) fetchedByPage.set(r.url(), r.status());
    });
    const page = await context.newPage();
    await page.goto(`${siteUrl}?backend=wasm`);
    await expect.poll(() => page.getByTestId('dataset-info').textContent(), { timeout: 120_000 }).toContain('55,000 train');
    // the charts' chunks, fetched once the page is idle: the preload helper put a modulepreload link under the base
    // for every chunk its lists name (index.html has the others), and the page fetched each from there
    const preloaded = preloadedChunks().map((d) => `${siteUrl}${d}`);
    const modulePreloads = () => page.evaluate(() => [...document.querySelectorAll<HTMLLinkElement>('link[rel=modulepreload]')].map((l) => l.href));
    await expect
      .poll(
        async () => {
          const links = new Set(await modulePreloads());
          return preloaded.filter((u) => !links.has(u));
        },
        { timeout: 60_000 },
      )
      .toEqual([]);
    expect((await modulePreloads()).filter((u) => !u.startsWith(`${siteUrl}assets/`))).toEqual([]);
    await expect.poll(() => preloaded.filter((u) => fetchedByPage.get(u) !== 200), { timeout: 60_000 }).toEqual([]);
    await expect.poll(() => page.locator('[data-testid=loss-chart] .recharts-wrapper').count(), { timeout: 60_000 }).toBe(1);
    // the service worker controls the page once it is active, and install waits until every file is cached
    await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller?.scriptURL ?? null), { timeout: 60_000 }).toBe(`${siteUrl}sw.js`);
    await expect.poll(() => cacheNames(page), { timeout: 60_000 }).toHaveLength(1);
    const [firstCache] = await cacheNames(page);
    const cached = await page.evaluate(async (name) => (await (await caches.open(name)).keys()).map((r) => r.url), firstCache);
    expect(cached).toContain(`${siteUrl}data/mnist-train-images.idx.gz`);
    expect(cached).toContain(`${siteUrl}data/sotu.txt.gz`);
    expect(requests.filter((u) => !u.startsWith(siteUrl) && !u.startsWith('blob:') && !u.startsWith('data:'))).toEqual([]);

    await context.setOffline(true);
    await page.reload();
    await expect.poll(() => page.getByTestId('dataset-info').textContent(), { timeout: 120_000 }).toContain('55,000 train');
    expect(await page.getByTestId('active-backend').textContent()).toBe('wasm');
    await fillSettings(page, { 'train-limit': '640', epochs: '1' });
    await page.getByTestId('start').click();
    await expect.poll(() => page.getByTestId('train-state').textContent(), { timeout: 120_000 }).toBe('finished');
    await expect.poll(() => page.getByTestId('test-accuracy').textContent(), { timeout: 60_000 }).toMatch(/%$/);
    expect(parseFloat((await page.getByTestId('test-accuracy').textContent())!)).toBeGreaterThan(50); // chance is 10 %
    // the charts' chunks came from the cache too
    expect(Number(await page.getByTestId('loss-chart').getAttribute('data-points'))).toBe(10);
    await page.getByTestId('tab-text').click();
    await expect.poll(() => page.getByTestId('corpus-name').textContent(), { timeout: 60_000 }).toContain('State of the Union');
    expect(Number((await page.getByTestId('corpus-chars').textContent())!.replace(/,/g, ''))).toBeGreaterThan(1_000_000);

    // a new build (one changed byte in index.html) gets a new cache, and the old one is deleted
    await context.setOffline(false);
    writeFileSync(join(outDir, 'index.html'), readFileSync(join(outDir, 'index.html'), 'utf8') + '<!-- build 2 -->\n');
    const next = await writeServiceWorker(outDir);
    expect(`nn-playground-${next.version}`).not.toBe(firstCache);
    await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.update());
    await expect.poll(() => cacheNames(page), { timeout: 60_000 }).toEqual([`nn-playground-${next.version}`]);
  });
});
