// npm run bench:hosting: what serving mode changes, in the built page in headless Chromium (the e2e launcher).
// 1. Start to the first loss point on the chart: a first visit (fresh context, automatic backend choice on), the
//    default model of each kind with the page's defaults, timed from the click on Start to the chart's first point;
//    served plain and cross-origin isolated (COOP/COEP).
// 2. WASM training speed with 1 thread (plain page) against navigator.hardwareConcurrency threads (isolated page):
//    the default MLP, CNN and char-LSTM through the page's own bench calls (the same step loop as training).
// Usage: npm run bench:hosting [-- --runs 3 --skip-build --out docs/results/hosting.json]
import { build, preview, type PreviewServer } from 'vite';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { launch } from '../tests/e2e/browser';
import type { EngineClient } from '../src/worker/client';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    'skip-build': { type: 'boolean', default: false },
    out: { type: 'string', default: 'docs/results/hosting.json' },
  },
});
const runs = Math.max(1, Number(values.runs));
const ISOLATION = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function serve(headers: Record<string, string>): Promise<{ url: string; server: PreviewServer }> {
  const server = await preview({ preview: { port: 0, host: '127.0.0.1', headers }, logLevel: 'warn' });
  const address = server.httpServer.address();
  if (!address || typeof address === 'string') throw new Error('preview server has no port');
  return { url: `http://127.0.0.1:${address.port}/`, server };
}

async function open(browser: Browser, url: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } }); // a first visit
  const page = await context.newPage();
  await page.addInitScript({ content: 'globalThis.__name = (f) => f;' }); // tsx's keepNames helper
  await page.goto(url);
  return page;
}

const ready = (page: Page, testId: string, text: string) =>
  page.waitForFunction(([id, t]) => document.querySelector(`[data-testid=${id}]`)?.textContent?.includes(t), [testId, text], { timeout: 180_000 });

/** Milliseconds from the click on Start to the first point on the loss chart, and the backend it trained on. */
async function startToFirstPoint(browser: Browser, url: string, kind: 'mlp' | 'cnn' | 'charLstm') {
  const tab = kind === 'charLstm' ? '?tab=text' : kind === 'cnn' ? '?model=cnn' : '';
  const page = await open(browser, `${url}${tab}`);
  if (kind === 'charLstm') await ready(page, 'corpus-info', 'characters');
  else await ready(page, 'dataset-info', '55,000 train');
  const chart = kind === 'charLstm' ? 'nats-chart' : 'loss-chart';
  const ms = await page.evaluate(
    ([chartId, startId]) =>
      new Promise<number>((resolve) => {
        const el = document.querySelector(`[data-testid=${chartId}]`)!;
        const t0 = performance.now();
        const seen = new MutationObserver(() => {
          if (el.getAttribute('data-points') !== '0') {
            seen.disconnect();
            resolve(performance.now() - t0);
          }
        });
        seen.observe(el, { attributes: true, attributeFilter: ['data-points'] });
        (document.querySelector(`[data-testid=${startId}]`) as HTMLButtonElement).click();
      }),
    [chart, 'start'],
  );
  const backend = await page.getByTestId('active-backend').textContent();
  await page.context().close();
  return { ms: Math.round(ms), backend };
}

declare global {
  // eslint-disable-next-line no-var
  var playgroundEngine: EngineClient;
}

/** The page's own training-speed calls on WASM: samples/s (MLP, CNN) and characters/s (char-LSTM). */
async function wasmSpeeds(browser: Browser, url: string) {
  const page = await open(browser, `${url}?backend=wasm&storage=off`);
  await ready(page, 'dataset-info', '55,000 train');
  const r = await page.evaluate(async () => {
    const e = globalThis.playgroundEngine;
    const mlp = await e.benchImageSpeed('mlp', 'ours', 150);
    const cnn = await e.benchImageSpeed('cnn', 'ours', 20);
    // the default corpus loads after MNIST (on the Images tab its panel is not shown): wait for the engine to have it
    let lstm: Awaited<ReturnType<typeof e.benchTextSpeed>> | undefined;
    for (let i = 0; i < 180 && !lstm; i++)
      lstm = await e.benchTextSpeed('ours', 20).catch(() => new Promise<undefined>((resolve) => setTimeout(resolve, 1000)));
    if (!lstm) throw new Error('the default corpus did not load in 3 minutes');
    return {
      isolated: crossOriginIsolated,
      threads: crossOriginIsolated ? navigator.hardwareConcurrency : 1,
      mlp: mlp.samplesPerSec,
      cnn: cnn.samplesPerSec,
      lstm: lstm.charsPerSec,
    };
  });
  await page.context().close();
  return r;
}

const gitCommit = () => {
  const head = execFileSync('git', ['rev-parse', 'HEAD']).toString().trim();
  const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no']).toString().trim() !== '';
  return dirty ? `${head} (with uncommitted changes)` : head;
};

async function main() {
  const loadBefore = loadavg()[0]!;
  if (!values['skip-build']) {
    execFileSync('node', ['scripts/prepare-data.mjs'], { stdio: 'inherit' });
    await build({ logLevel: 'warn', mode: 'production' });
  }
  const plain = await serve({});
  const isolated = await serve(ISOLATION);
  const browser = await launch();
  const modes = { plain: plain.url, isolated: isolated.url };
  const firstPoint: Record<string, Record<string, { medianMs: number; runsMs: number[]; backend: string | null }>> = {};
  const threads: Record<string, { threads: number; mlp: number[]; cnn: number[]; lstm: number[] }> = {};
  try {
    for (const [mode, url] of Object.entries(modes)) {
      firstPoint[mode] = {};
      for (const kind of ['mlp', 'cnn', 'charLstm'] as const) {
        const times = [];
        for (let i = 0; i < runs; i++) times.push(await startToFirstPoint(browser, url, kind));
        firstPoint[mode][kind] = { medianMs: median(times.map((t) => t.ms)), runsMs: times.map((t) => t.ms), backend: times[0]!.backend };
        console.log(`start to first point, ${mode}, ${kind}: ${JSON.stringify(firstPoint[mode][kind])}`);
      }
    }
    // alternate plain and isolated so a slow spell of the shared VM hits both
    for (let i = 0; i < runs; i++)
      for (const [mode, url] of Object.entries(modes)) {
        const r = await wasmSpeeds(browser, url);
        const row = (threads[mode] ??= { threads: r.threads, mlp: [], cnn: [], lstm: [] });
        row.mlp.push(Math.round(r.mlp));
        row.cnn.push(Math.round(r.cnn));
        row.lstm.push(Math.round(r.lstm));
        console.log(`wasm ${mode} (${r.threads} thread(s), isolated ${r.isolated}): ${JSON.stringify(r)}`);
      }
  } finally {
    await browser.close();
    await Promise.all([plain, isolated].map(({ server }) => new Promise<void>((resolve) => server.httpServer.close(() => resolve()))));
  }
  const chromium = execFileSync('/usr/bin/chromium', ['--version']).toString().trim();
  const result = {
    command: `npm run bench:hosting -- --runs ${runs}`,
    date: new Date().toISOString(),
    commit: gitCommit(),
    loadAverage: { before: loadBefore, after: loadavg()[0]! }, // 1-minute load average: about 0 on a quiet machine
    machine: `${cpus().length} x ${cpus()[0]?.model ?? 'unknown CPU'}, no GPU`,
    browser: chromium,
    startToFirstPoint: firstPoint,
    wasmThreads: Object.fromEntries(
      Object.entries(threads).map(([mode, r]) => [
        mode,
        { threads: r.threads, mlpSamplesPerSec: median(r.mlp), cnnSamplesPerSec: median(r.cnn), lstmCharsPerSec: median(r.lstm), rounds: r },
      ]),
    ),
  };
  mkdirSync(dirname(values.out!), { recursive: true });
  writeFileSync(values.out!, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`written ${values.out}`);
}

await main();
