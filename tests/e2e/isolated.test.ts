import { describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import type { Page } from 'playwright-core';
import { baseUrl, fillSettings, trainCharLstmBriefly, trainMnistBriefly, useBrowser } from './browser';

// The build served cross-origin isolated (COOP/COEP), where tfjs picks its threaded SIMD WASM binary, and the
// same build served plainly with isolation added by our service worker (hosts that cannot set headers).
const browser = useBrowser();

async function open(url: string): Promise<{ page: Page; problems: string[] }> {
  const context = await browser().newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error' || /worker sent an error/.test(m.text())) problems.push(m.text());
  });
  await page.goto(url);
  return { page, problems };
}

const threadsShown = (page: Page) => page.getByTestId('wasm-threads').textContent();
const cores = (page: Page) => page.evaluate(() => navigator.hardwareConcurrency);

/** Offline after the first visit, the page stays isolated (the service worker's cached responses keep the headers) and trains. */
async function offlineStillIsolated(page: Page): Promise<void> {
  await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null), { timeout: 60_000 }).toBe(true);
  await page.context().setOffline(true);
  try {
    await page.reload();
    await expect.poll(() => page.evaluate(() => crossOriginIsolated).catch(() => false), { timeout: 60_000 }).toBe(true);
    await expect.poll(() => page.getByTestId('active-backend').textContent(), { timeout: 60_000 }).toBe('wasm');
    expect(await threadsShown(page)).toBe(`WASM threads: ${await cores(page)}`);
    await page.getByTestId('tab-images').click(); // the reload keeps the tab and model kind that were chosen
    await page.getByTestId('kind-mlp').check();
    await trainMnistBriefly(page, 640, 1);
    expect(parseFloat((await page.getByTestId('test-accuracy').textContent())!)).toBeGreaterThan(50);
  } finally {
    await page.context().setOffline(false);
  }
}

describe('served cross-origin isolated (COOP/COEP)', () => {
  it('trains the MLP, the CNN and the char-LSTM on WASM with one thread per core, with no worker error, keeps the runs, and works offline', async () => {
    const { page, problems } = await open(`${inject('isolatedUrl')}?backend=wasm`);
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    await expect.poll(() => page.getByTestId('active-backend').textContent(), { timeout: 60_000 }).toBe('wasm');
    expect(await threadsShown(page)).toBe(`WASM threads: ${await cores(page)}`);
    const started = Date.now();
    await fillSettings(page, { 'train-limit': '640', epochs: '1' });
    await page.getByTestId('start').click();
    await expect.poll(async () => Number(await page.getByTestId('loss-chart').getAttribute('data-points')), { timeout: 60_000 }).toBeGreaterThan(0);
    expect(Date.now() - started).toBeLessThan(15_000); // Start to the first chart point, generously (the bench has the real figure)
    await expect.poll(() => page.getByTestId('train-state').textContent(), { timeout: 120_000 }).toBe('finished');
    await expect.poll(() => page.getByTestId('test-accuracy').textContent(), { timeout: 60_000 }).toMatch(/%$/);
    expect(parseFloat((await page.getByTestId('test-accuracy').textContent())!)).toBeGreaterThan(50);

    await page.getByTestId('kind-cnn').check();
    await trainMnistBriefly(page, 256, 1);
    await trainCharLstmBriefly(page, { 'text-sample-length': '10' });
    expect(Number(await page.getByTestId('nats-chart').getAttribute('data-points'))).toBe(3);
    await expect.poll(() => page.getByTestId('run-row').count(), { timeout: 30_000 }).toBeGreaterThanOrEqual(3);
    expect(await page.getByTestId('notices').textContent()).not.toContain('engine worker stopped');
    expect(problems.filter((p) => /is not defined|ErrorEvent|SharedArrayBuffer/.test(p))).toEqual([]);
    await offlineStillIsolated(page);
  });
});

describe('served plainly, isolated by the service worker', () => {
  it('turns WASM threads on with one reload, then trains on all cores, online and offline', async () => {
    const { page, problems } = await open(`${baseUrl()}?backend=wasm`);
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(false);
    await expect.poll(() => page.getByTestId('active-backend').textContent(), { timeout: 60_000 }).toBe('wasm');
    expect(await threadsShown(page)).toBe('WASM threads: 1');
    await page.getByTestId('wasm-threads-toggle').click(); // the page reloads to get its new headers;
    await expect.poll(() => page.evaluate(() => crossOriginIsolated).catch(() => false), { timeout: 120_000 }).toBe(true);
    await expect.poll(() => page.getByTestId('active-backend').textContent(), { timeout: 60_000 }).toBe('wasm');
    expect(await threadsShown(page)).toBe(`WASM threads: ${await cores(page)}`);
    await trainMnistBriefly(page, 640, 1);
    expect(parseFloat((await page.getByTestId('test-accuracy').textContent())!)).toBeGreaterThan(50);
    await offlineStillIsolated(page);
    // and off again: one more reload, plain
    await page.getByTestId('wasm-threads-toggle').click();
    await expect.poll(() => page.evaluate(() => crossOriginIsolated).catch(() => true), { timeout: 60_000 }).toBe(false);
    expect(problems.filter((p) => /is not defined|ErrorEvent/.test(p))).toEqual([]);
  });
});
