// Trains a default model on full MNIST in the built page (headless Chromium, same launcher as the e2e tests)
// and prints test accuracy, epochs, backend and wall time: the source of the quality figures in README. The JSON goes to
// docs/bench/<date>-quality-<model>-<backend>[-compress].json, with the machine and commit.
// Usage: npm run quality -- --model mlp|cnn [--epochs N (default: the app's)] [--backend wasm] [--limit N] [--batch N] [--lr X]
//        [--compress] [--prune-epochs N]: then, in the Compress panel, int8 per channel, 90% gradual pruning with
//        fine-tuning, and int8 on the pruned model; the figures of README's compression table.
import { build, preview } from 'vite';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { chromium, type Page } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS, fillSettings } from '../tests/e2e/browser';
import { DEFAULT_TRAIN } from '../src/engine/config/train';
import { commit, machine, resultPath } from './bench/machine';

const { values } = parseArgs({
  options: {
    model: { type: 'string', default: 'mlp' },
    epochs: { type: 'string', default: String(DEFAULT_TRAIN.epochs) },
    backend: { type: 'string', default: 'wasm' },
    limit: { type: 'string', default: '0' },
    batch: { type: 'string' },
    lr: { type: 'string' },
    'skip-build': { type: 'boolean', default: false },
    compress: { type: 'boolean', default: false },
    'prune-epochs': { type: 'string', default: '2' },
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
  await fillSettings(page, {
    epochs: values.epochs!,
    'train-limit': values.limit!,
    ...(values.batch ? { 'batch-size': values.batch } : {}),
    ...(values.lr ? { 'learning-rate': values.lr } : {}),
  });
  const started = Date.now();
  await page.getByTestId('start').click();
  let last = '';
  for (;;) {
    await page.waitForTimeout(15_000);
    const state = await page.getByTestId('train-state').textContent();
    const progress =
      (await page
        .getByTestId('progress')
        .textContent()
        .catch(() => '')) ?? '';
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
    message: await page
      .getByTestId('train-message')
      .textContent()
      .catch(() => null),
  };
  const compression = values.compress ? await compress(page) : null;
  console.log(JSON.stringify({ ...result, compression }, null, 2));
  mkdirSync('docs/bench', { recursive: true });
  const file = resultPath('docs/bench', `quality-${values.model}-${backend}${values.compress ? '-compress' : ''}`);
  const record = {
    command: `npm run quality -- ${process.argv
      .slice(2)
      .map((a) => (/^[\w.,=/:-]+$/.test(a) ? a : `'${a}'`))
      .join(' ')}`.trim(),
    commit: commit(),
    machine: machine(),
    chromium: browser.version(),
  };
  writeFileSync(file, JSON.stringify({ ...record, ...result, compression }, null, 2) + '\n');
  console.log(`written: ${file}`);
  mkdirSync('tests/e2e/screenshots', { recursive: true });
  await page.screenshot({ path: `tests/e2e/screenshots/quality-${values.model}${values.compress ? '-compress' : ''}.png`, fullPage: true });
} finally {
  await browser.close();
  server.httpServer.close();
}

/** The Compress panel, driven like a user: returns every variant's label, sizes and test accuracy. */
async function compress(page: Page) {
  const rows = () => page.locator('[data-testid=variants-images] tbody tr').count();
  const waitRows = async (n: number, minutes: number) => {
    const until = Date.now() + minutes * 60_000;
    while ((await rows()) < n) {
      const error = await page
        .getByTestId('compress-error-images')
        .textContent()
        .catch(() => null);
      if (error) throw new Error(error);
      if (Date.now() > until) throw new Error(`no variant #${n - 1} after ${minutes} min`);
      await page.waitForTimeout(2000);
    }
  };
  const t0 = Date.now();
  await page.getByTestId('compress-start-images').click();
  await waitRows(1, 5);
  await page.getByTestId('quant-bits-images').selectOption('8');
  await page.getByTestId('quant-scheme-images').selectOption('affine');
  await page.getByTestId('quant-granularity-images').selectOption('channel');
  await page.getByTestId('quantize-images').click();
  await waitRows(2, 5);
  await page.getByTestId('prune-sparsity-images').fill('90');
  await page.getByTestId('prune-scope-images').selectOption('global');
  await page.getByTestId('prune-mode-images').selectOption('gradual');
  await page.getByTestId('prune-epochs-images').fill(values['prune-epochs']!);
  const pruneStarted = Date.now();
  await page.getByTestId('prune-images').click();
  await waitRows(3, 120);
  const pruneSeconds = (Date.now() - pruneStarted) / 1000;
  await page.getByTestId('compress-source-images').selectOption('2');
  await page.getByTestId('quant-scheme-images').selectOption('symmetric');
  await page.getByTestId('quantize-images').click();
  await waitRows(4, 5);
  const variants = [];
  for (let id = 0; id < 4; id++) {
    const cells = await page.getByTestId(`variant-row-${id}`).locator('td').allTextContents();
    variants.push({
      id,
      label: cells[1],
      sparsity: cells[2],
      rawBytes: Number(await page.getByTestId(`variant-raw-${id}`).getAttribute('data-bytes')),
      gzipBytes: Number(await page.getByTestId(`variant-gzip-${id}`).getAttribute('data-bytes')),
      testAccuracy: Number(await page.getByTestId(`variant-metric-${id}`).getAttribute('data-value')),
    });
  }
  const base = variants[0];
  for (const v of variants)
    console.log(
      `#${v.id} ${v.label}: ${(v.testAccuracy * 100).toFixed(2)}% (${((v.testAccuracy - base.testAccuracy) * 100).toFixed(2)} pt), raw ${v.rawBytes} B (${(base.rawBytes / v.rawBytes).toFixed(2)}x), gzip ${v.gzipBytes} B (${(base.gzipBytes / v.gzipBytes).toFixed(2)}x)`,
    );
  return { variants, pruneEpochs: Number(values['prune-epochs']), pruneSeconds, seconds: (Date.now() - t0) / 1000 };
}
