import { chromium, type Browser, type Page } from 'playwright-core';
import { existsSync, mkdirSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, expect, inject } from 'vitest';

/** The flags from shared/GUIDE.md: WebGPU through SwiftShader on a machine with no GPU and no network. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--enable-unsafe-webgpu',
  '--enable-features=Vulkan',
  '--use-vulkan=swiftshader',
  '--use-webgpu-adapter=swiftshader',
  '--use-angle=swiftshader',
];

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export async function launch(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install chromium (see README).`);
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--headless=new', ...CHROMIUM_ARGS] });
}

export const baseUrl = () => inject('baseUrl');

/**
 * One browser per test file: launched before the first test, closed after the last; each test's pages are
 * closed when it ends, so a finished test's page never competes with the next for the CPU.
 */
export function useBrowser(): () => Browser {
  let browser: Browser | undefined;
  beforeAll(async () => {
    browser = await launch();
  });
  afterEach(async () => {
    await Promise.all(browser?.contexts().map((c) => c.close()) ?? []);
  });
  afterAll(async () => {
    await browser?.close();
  });
  return () => {
    if (!browser) throw new Error('The browser is not launched yet.');
    return browser;
  };
}

export interface OpenedPage {
  page: Page;
  /** Every request URL the page made, for the same-origin assertion. */
  requests: string[];
  consoleErrors: string[];
}

export async function openPlayground(browser: Browser, query = '', viewport = { width: 1440, height: 900 }): Promise<OpenedPage> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const requests: string[] = [];
  const consoleErrors: string[] = [];
  context.on('request', (r) => requests.push(r.url()));
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => consoleErrors.push(e.message));
  await page.goto(baseUrl() + query);
  return { page, requests, consoleErrors };
}

/** Waits for MNIST, trains the current model on `limit` images for `epochs` epochs and waits for its test accuracy. */
export async function trainMnistBriefly(page: Page, limit: number, epochs: number): Promise<void> {
  await expect.poll(() => page.getByTestId('dataset-info').textContent(), { timeout: 120_000 }).toContain('55,000 train');
  await fillSettings(page, { 'train-limit': String(limit), epochs: String(epochs) });
  await page.getByTestId('start').click();
  await expect.poll(() => page.getByTestId('train-state').textContent(), { timeout: 240_000 }).toBe('finished');
  await expect.poll(() => page.getByTestId('test-accuracy').textContent(), { timeout: 120_000 }).toMatch(/%$/);
}

/**
 * On the Text tab, waits for the default corpus and trains a small char-LSTM (16 units, window 8, batch 16) one round
 * of 3 steps, with `changes` to those settings (settings test ids to values).
 */
export async function trainCharLstmBriefly(page: Page, changes: Record<string, string> = {}): Promise<void> {
  await page.getByTestId('tab-text').click();
  await expect.poll(() => page.getByTestId('corpus-name').textContent(), { timeout: 120_000 }).toContain('State of the Union');
  await fillSettings(page, {
    'char-units': '16',
    'char-window': '8',
    'text-batch-size': '16',
    'text-rounds': '1',
    'text-eval-every': '3',
    ...changes,
  });
  await page.getByTestId('start').click();
  await expect.poll(() => page.getByTestId('train-state').textContent(), { timeout: 240_000 }).toBe('finished');
}

export async function screenshot(page: Page, name: string): Promise<void> {
  const dir = 'tests/e2e/screenshots';
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: `${dir}/${name}.png`, fullPage: true });
}

type Drawer = 'result' | 'settings' | 'runs' | 'compress' | 'inspect';

/**
 * Shows one view of the frame's third column (result, settings, runs, compress, inspect): a view's controls can be used
 * only while it is shown.
 */
export async function openDrawer(page: Page, id: Drawer): Promise<void> {
  const tab = page.getByTestId(`drawer-${id}`);
  if ((await tab.getAttribute('aria-expanded')) !== 'true') await tab.click();
}

/**
 * Sets fields of the full hyperparameter form (by test id, in order; a select gets the option's value): opens the
 * Settings view of the third column, fills them, then shows again the view that was open before.
 */
export async function fillSettings(page: Page, values: Record<string, string>): Promise<void> {
  const before = ((await page.locator('.drawer-tabs [aria-expanded="true"]').getAttribute('data-testid')) ?? 'drawer-result').slice(7) as Drawer;
  await openDrawer(page, 'settings');
  for (const [testId, value] of Object.entries(values)) {
    const field = page.getByTestId(testId);
    if (await field.evaluate((e) => e.tagName === 'SELECT')) await field.selectOption(value);
    else await field.fill(value);
  }
  await openDrawer(page, before);
}

/**
 * The README's and guide's screenshots, in both themes (`docs/<name>.png`, `docs/<name>-dark.png`), written only when
 * DOCS_SCREENSHOTS=1: `DOCS_SCREENSHOTS=1 npx vitest run --project e2e tests/e2e/workbench.test.ts` (and text, compress).
 */
export async function docShots(page: Page, name: string): Promise<void> {
  if (!process.env.DOCS_SCREENSHOTS) return;
  const before = await page.evaluate(() => document.documentElement.dataset.theme ?? null);
  for (const [theme, suffix] of [
    ['light', ''],
    ['dark', '-dark'],
  ] as const) {
    await page.evaluate((t) => (document.documentElement.dataset.theme = t), theme);
    await page.screenshot({ path: `docs/${name}${suffix}.png` });
  }
  await page.evaluate((t) => {
    if (t === null) delete document.documentElement.dataset.theme;
    else document.documentElement.dataset.theme = t;
  }, before);
}
