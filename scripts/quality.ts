// Trains a default model on full MNIST in the built page (headless Chromium, same launcher as the e2e tests)
// and prints test accuracy, epochs, backend and wall time: the source of the quality figures in README.
// Usage: npm run quality -- --model mlp|cnn [--epochs N (default: the app's)] [--backend wasm] [--limit N] [--batch N] [--lr X]
import { build, preview } from 'vite';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS } from '../tests/e2e/browser';
import { DEFAULT_TRAIN } from '../src/engine/train/config';

const { values } = parseArgs({
  options: {
    model: { type: 'string', default: 'mlp' },
    epochs: { type: 'string', default: String(DEFAULT_TRAIN.epochs) },
    backend: { type: 'string', default: 'wasm' },
    limit: { type: 'string', default: '0' },
    batch: { type: 'string' },
    lr: { type: 'string' },
    'skip-build': { type: 'boolean', default: false },
  },
});

execFileSync('node', ['scripts/prepare-data.mjs'], { stdio: 'inherit' });
if (!values['skip-build']) await build({ logLevel: 'warn' });
const server = await preview({ base: '/playground/', preview: { port: 0, host: '127.0.0.1' }, logLevel: 'warn' });
const port = (server.httpServer.address() as { port: number }).port;
const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--headless=new', ...CHROMIUM_ARGS] });
try {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  await page.goto(`http://127.0.0.1:${port}/playground/?backend=${values.backend}`);
  await page.getByTestId('dataset-info').filter({ hasText: 'MNIST' }).waitFor({ timeout: 120_000 });
  const backend = await page.getByTestId('active-backend').textContent();
  await page.getByTestId(`kind-${values.model}`).check();
  await page.getByTestId('epochs').fill(values.epochs!);
  await page.getByTestId('train-limit').fill(values.limit!);
  if (values.batch) await page.getByTestId('batch-size').fill(values.batch);
  if (values.lr) await page.getByTestId('learning-rate').fill(values.lr);
  const started = Date.now();
  await page.getByTestId('start').click();
  let last = '';
  for (;;) {
    await page.waitForTimeout(15_000);
    const state = await page.getByTestId('train-state').textContent();
    const progress = (await page.getByTestId('progress').textContent().catch(() => '')) ?? '';
    const val = await page.getByTestId('accuracy-chart-summary').textContent();
    if (progress !== last) console.log(`[${((Date.now() - started) / 1000).toFixed(0)} s] ${state}: ${progress} |${val}`);
    last = progress;
    if (state !== 'running') break;
  }
  await page.getByTestId('test-accuracy').waitFor({ timeout: 300_000 });
  const result = {
    date: new Date().toISOString(),
    model: values.model,
    backend,
    epochs: Number(values.epochs),
    trainLimit: Number(values.limit),
    testAccuracy: await page.getByTestId('test-accuracy').textContent(),
    testLoss: await page.getByTestId('test-loss').textContent(),
    trainingSeconds: Number(await page.getByTestId('train-seconds').textContent()),
    validation: await page.getByTestId('accuracy-chart-summary').textContent(),
    wallSeconds: (Date.now() - started) / 1000,
    state: await page.getByTestId('train-state').textContent(),
    message: await page.getByTestId('train-message').textContent().catch(() => null),
  };
  console.log(JSON.stringify(result, null, 2));
  mkdirSync('bench-results', { recursive: true });
  writeFileSync(`bench-results/quality-${values.model}-${backend}.json`, JSON.stringify(result, null, 2));
  mkdirSync('tests/e2e/screenshots', { recursive: true });
  await page.screenshot({ path: `tests/e2e/screenshots/quality-${values.model}.png`, fullPage: true });
} finally {
  await browser.close();
  server.httpServer.close();
}
