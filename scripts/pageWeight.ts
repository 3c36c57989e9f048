// npm run bench:page: how heavy the first screen is and how soon it answers, in headless Chromium (the e2e launcher).
// Initial JavaScript: the files index.html loads before the page runs, gzipped (zlib level 6, as static hosts serve
// them). Time to interactive: first contentful paint, then the end of the last main-thread long task before 5 s
// without one; also when the first click (the Text tab) takes effect, when the engine worker has its backend and
// when MNIST is ready, so the figures show whether the page answers before tfjs and the data finish loading.
// Usage: npm run bench:page [-- --runs 3 --dist dist --skip-build]
import { build, preview } from 'vite';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import type { Browser } from 'playwright-core';
import { launch } from '../tests/e2e/browser';
import { initialAssets, timeToInteractive, type LongTask } from './pageMetrics';

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '3' }, dist: { type: 'string', default: 'dist' }, 'skip-build': { type: 'boolean', default: false } },
});
const dist = values.dist!;

const kB = (bytes: number) => Math.round(bytes / 100) / 10;
const gz = (file: string) => gzipSync(readFileSync(join(dist, file))).length;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function weigh() {
  const { scripts, styles } = initialAssets(readFileSync(join(dist, 'index.html'), 'utf8'));
  const local = (u: string) => u.replace(/^\.?\//, '').replace(/^.*?assets\//, 'assets/');
  const assets = readdirSync(join(dist, 'assets'));
  const worker = assets.filter((f) => f.startsWith('playground.worker-')).map((f) => `assets/${f}`);
  const mainJs = scripts.map(local);
  return {
    initialJsGzipKB: kB(mainJs.reduce((n, f) => n + gz(f), 0)),
    initialJsRawKB: kB(mainJs.reduce((n, f) => n + readFileSync(join(dist, f)).length, 0)),
    initialCssGzipKB: kB(styles.map(local).reduce((n, f) => n + gz(f), 0)),
    workerJsGzipKB: kB(worker.reduce((n, f) => n + gz(f), 0)),
    // a kernel name from tfjs-core's registry: present wherever tfjs-core is bundled
    tfjsInInitialJs: mainJs.some((f) => readFileSync(join(dist, f), 'utf8').includes('Conv2DBackpropFilter')),
    files: mainJs,
  };
}

interface PageTimes {
  fcp: number;
  longTasks: LongTask[];
  firstClickAt: number;
  backendAt: number;
  mnistAt: number;
}

async function measure(browser: Browser, url: string): Promise<PageTimes & { tti: number }> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } }); // a first visit: empty caches
  const page = await context.newPage();
  // tsx compiles this file with keepNames, which wraps named functions in __name(); the page has no such helper
  await page.addInitScript({ content: 'globalThis.__name = (f) => f;' });
  await page.addInitScript(() => {
    const w = globalThis as unknown as { times: Partial<PageTimes> & { longTasks: LongTask[] } };
    w.times = { longTasks: [] };
    new PerformanceObserver((l) => l.getEntries().forEach((e) => w.times.longTasks.push({ start: e.startTime, duration: e.duration }))).observe({
      type: 'longtask',
      buffered: true,
    });
    new PerformanceObserver((l) => l.getEntries().forEach((e) => e.name === 'first-contentful-paint' && (w.times.fcp = e.startTime))).observe({
      type: 'paint',
      buffered: true,
    });
    const q = (id: string) => document.querySelector<HTMLElement>(`[data-testid=${id}]`);
    let clicked = false;
    new MutationObserver(() => {
      const tab = q('tab-text');
      if (tab && !clicked) {
        clicked = true;
        tab.click(); // the first moment a control exists, press it; it counts once React has applied it
      }
      if (w.times.firstClickAt === undefined && tab?.getAttribute('aria-selected') === 'true') {
        w.times.firstClickAt = performance.now();
        q('tab-images')?.click();
      }
      const backend = q('active-backend')?.textContent;
      if (w.times.backendAt === undefined && backend && backend !== 'starting…') w.times.backendAt = performance.now();
      if (w.times.mnistAt === undefined && q('dataset-info')?.textContent?.includes('55,000')) w.times.mnistAt = performance.now();
    }).observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
  });
  await page.goto(url);
  const times = () => page.evaluate(() => (globalThis as unknown as { times: PageTimes }).times);
  await page
    .waitForFunction(() => (globalThis as unknown as { times: PageTimes }).times.mnistAt !== undefined, null, { timeout: 30_000 })
    .catch(async (e: unknown) => {
      throw new Error(`MNIST was not ready within 30 s (${String(e)}); page times so far: ${JSON.stringify(await times())}`);
    });
  await page.waitForTimeout(5500); // TTI needs 5 s without long tasks after the last one seen
  const final = await times();
  await context.close();
  return { ...final, tti: timeToInteractive(final.fcp, final.longTasks) };
}

execFileSync('node', ['scripts/prepare-data.mjs'], { stdio: 'inherit' });
if (!values['skip-build']) {
  process.env.NODE_ENV = 'production'; // React's production build, as shipped
  await build({ logLevel: 'warn', mode: 'production', build: { outDir: dist } });
}
const weight = weigh();
const server = await preview({ base: '/playground/', build: { outDir: dist }, preview: { port: 0, host: '127.0.0.1' }, logLevel: 'warn' });
const port = (server.httpServer.address() as { port: number }).port;
const browser = await launch();
const runs: (PageTimes & { tti: number })[] = [];
for (let i = 0; i < Number(values.runs); i++) runs.push(await measure(browser, `http://127.0.0.1:${port}/playground/?backend=wasm`));
await browser.close();
server.httpServer.close();

const ms = (k: 'fcp' | 'tti' | 'firstClickAt' | 'backendAt' | 'mnistAt') => Math.round(median(runs.map((r) => r[k])));
const result = {
  date: new Date().toISOString(),
  machine: `${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}`,
  ...weight,
  medianOf: runs.length,
  fcpMs: ms('fcp'),
  ttiMs: ms('tti'),
  firstClickMs: ms('firstClickAt'),
  backendReadyMs: ms('backendAt'),
  mnistReadyMs: ms('mnistAt'),
  longestTaskMs: Math.round(Math.max(0, ...runs.flatMap((r) => r.longTasks.map((t) => t.duration)))),
  runs: runs.map((r) => ({
    fcp: Math.round(r.fcp),
    tti: Math.round(r.tti),
    firstClick: Math.round(r.firstClickAt),
    backend: Math.round(r.backendAt),
    mnist: Math.round(r.mnistAt),
    longTasks: r.longTasks.length,
  })),
};
mkdirSync('bench-results', { recursive: true });
writeFileSync('bench-results/page.json', JSON.stringify(result, null, 2));
console.log(JSON.stringify(result, null, 2));
