// npm run quantization: per-tensor against per-channel int8 (and the other quantizations the Compress panel offers) on
// the default MLP, CNN and char-LSTM, trained with the page's defaults in the built page (headless Chromium, the e2e
// launcher). For each variant: the page's metric (test accuracy, validation nats per character), the weights' bytes
// and the exported files' sizes. The source of docs/quantization.md; writes bench-results/quantization.json.
// Usage: npm run quantization -- [--models mlp,cnn,lstm] [--backend wasm] [--epochs N (images; default: the page's)]
//        [--rounds N (char-LSTM; default: the page's)] [--reuse DIR: load the float32 models saved by an earlier run
//        instead of training] [--skip-build]
import { build, preview } from 'vite';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium, type Page } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS, fillSettings } from '../tests/e2e/browser';
import type { EngineClient } from '../src/worker/client';
import type { QuantSpec, VariantInfo } from '../src/engine/config/compress';

const { values } = parseArgs({
  options: {
    models: { type: 'string', default: 'mlp,cnn,lstm' },
    backend: { type: 'string', default: 'wasm' },
    epochs: { type: 'string' },
    rounds: { type: 'string' },
    reuse: { type: 'string' },
    'skip-build': { type: 'boolean', default: false },
  },
});

type Kind = 'mlp' | 'cnn' | 'lstm';
const SAVED = 'bench-results/quantization-models';

/** The quantizations compared, the panel's first proposal first. */
const SPECS: QuantSpec[] = [
  { bits: 8, scheme: 'affine', granularity: 'tensor' },
  { bits: 8, scheme: 'affine', granularity: 'channel' },
  { bits: 8, scheme: 'symmetric', granularity: 'tensor' },
  { bits: 16, scheme: 'affine', granularity: 'tensor' },
  { bits: 4, scheme: 'affine', granularity: 'channel' },
];

const engine =
  (page: Page) =>
  <M extends keyof EngineClient>(method: M, ...args: unknown[]) =>
    page.evaluate(
      ([m, a]) =>
        (globalThis as unknown as Record<string, Record<string, (...x: unknown[]) => unknown>>).playgroundEngine[m as string](...(a as unknown[])),
      [method, args] as const,
    );

/** Polls until the predicate holds, failing with the page's error text when one shows. */
async function until(page: Page, what: string, minutes: number, done: () => Promise<boolean>, errorId?: string): Promise<void> {
  const end = Date.now() + minutes * 60_000;
  while (!(await done())) {
    const error = errorId
      ? await page
          .getByTestId(errorId)
          .textContent({ timeout: 100 })
          .catch(() => null)
      : null;
    if (error) throw new Error(`${what}: ${error}`);
    if (Date.now() > end) throw new Error(`${what}: not done after ${minutes} min`);
    await page.waitForTimeout(2000);
  }
}

/** Trains the kind with the page's defaults from the UI (or loads the saved float32 model); the training record. */
async function prepare(page: Page, kind: Kind): Promise<Record<string, unknown>> {
  const text = kind === 'lstm';
  if (text) {
    await page.getByTestId('tab-text').click();
    await until(page, 'corpus', 3, async () => ((await page.getByTestId('corpus-name').textContent()) ?? '').includes('State of the Union'));
  } else {
    await until(page, 'MNIST', 3, async () => ((await page.getByTestId('dataset-info').textContent()) ?? '').includes('55,000 train'));
  }
  if (values.reuse) {
    const stem = join(values.reuse, kind);
    await page.getByTestId(text ? 'import-char-model' : 'import-image-model').setInputFiles([`${stem}.json`, `${stem}.weights.bin`]);
    await until(page, 'loading', 5, async () => (await page.getByTestId(text ? 'char-file-message' : 'compress-message-images').count()) > 0);
    const trained = JSON.parse(readFileSync(`${stem}.training.json`, 'utf8')) as Record<string, unknown>;
    return { ...trained, loadedFrom: `${stem}.json` };
  }
  if (!text) await page.getByTestId(`kind-${kind}`).check();
  if (!text && values.epochs) await fillSettings(page, { epochs: values.epochs });
  if (text && values.rounds) await fillSettings(page, { 'text-rounds': values.rounds });
  const started = Date.now();
  await page.getByTestId('start').click();
  await until(page, 'training', 120, async () => (await page.getByTestId('train-state').textContent()) === 'finished', 'train-message');
  const seconds = (Date.now() - started) / 1000;
  const epochs = Number(await page.getByTestId(text ? 'text-rounds' : 'epochs').inputValue());
  const files = await page.evaluate(
    async (w) => {
      const f = await (globalThis as unknown as { playgroundEngine: EngineClient }).playgroundEngine.exportModel(w);
      return { modelJson: f.modelJson, weights: Array.from(f.weights) };
    },
    text ? ('text' as const) : ('images' as const),
  );
  mkdirSync(SAVED, { recursive: true });
  writeFileSync(join(SAVED, `${kind}.json`), files.modelJson);
  writeFileSync(join(SAVED, `${kind}.weights.bin`), Uint8Array.from(files.weights));
  const record = { [text ? 'rounds' : 'epochs']: epochs, trainingWallSeconds: seconds, trainedOn: new Date().toISOString() };
  writeFileSync(join(SAVED, `${kind}.training.json`), JSON.stringify(record));
  return record;
}

interface Measured {
  label: string;
  metric: number;
  rawBytes: number;
  gzipBytes: number;
  files: { name: string; bytes: number }[];
  layers: { name: string; shape: number[]; encoding: string; maxAbsError: number }[];
}

function measured(v: VariantInfo, files: { name: string; bytes: number }[]): Measured {
  const layers = v.layers.map((l) => ({ name: l.name, shape: l.shape, encoding: l.encoding, maxAbsError: l.maxAbsError }));
  return { label: v.label, metric: v.metric, rawBytes: v.rawBytes, gzipBytes: v.gzipBytes, files, layers };
}

async function exportSizes(page: Page, which: string, id: number): Promise<{ name: string; bytes: number }[]> {
  return page.evaluate(
    async ([w, i]) => {
      const api = (globalThis as unknown as { playgroundEngine: EngineClient }).playgroundEngine;
      return (await api.exportVariant(w as 'images' | 'text', i as number)).map((f) => ({ name: f.name, bytes: f.bytes.length }));
    },
    [which, id] as const,
  );
}

/** The float32 original and every quantization of SPECS, measured by the page. */
async function measure(page: Page, kind: Kind): Promise<Measured[]> {
  const which = kind === 'lstm' ? 'text' : 'images';
  const call = engine(page);
  const state = (await call('compressStart', which)) as { variants: VariantInfo[] };
  const out = [measured(state.variants[0], await exportSizes(page, which, 0))];
  for (const spec of SPECS) {
    const v = (await call('quantizeVariant', which, 0, spec)) as VariantInfo;
    out.push(measured(v, await exportSizes(page, which, v.id)));
  }
  return out;
}

function report(kind: Kind, rows: Measured[]): void {
  const base = rows[0];
  const lstm = kind === 'lstm';
  for (const r of rows) {
    const change = lstm ? `${(r.metric - base.metric).toFixed(4)} nats` : `${((r.metric - base.metric) * 100).toFixed(2)} pt`;
    const metric = lstm ? `${r.metric.toFixed(4)} nats/char` : `${(r.metric * 100).toFixed(2)} %`;
    const files = r.files.map((f) => `${f.name.replace(/^.*\./, '.')} ${f.bytes}`).join(', ');
    console.log(`${kind} ${r.label}: ${metric} (${change}), raw ${r.rawBytes} B, gzip ${r.gzipBytes} B; files ${files}`);
  }
}

execFileSync('node', ['scripts/prepare-data.mjs'], { stdio: 'inherit' });
if (!values['skip-build'] || !existsSync('dist/index.html')) await build({ logLevel: 'warn' });
const server = await preview({ base: '/playground/', preview: { port: 0, host: '127.0.0.1' }, logLevel: 'warn' });
const port = (server.httpServer.address() as { port: number }).port;
const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--headless=new', ...CHROMIUM_ARGS] });
const results: Record<string, unknown>[] = [];
let backend = '';
try {
  for (const kind of values.models!.split(',') as Kind[]) {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.goto(`http://127.0.0.1:${port}/playground/?backend=${values.backend}`);
    await until(page, 'backend', 2, async () => (await page.getByTestId('active-backend').textContent()) === values.backend);
    backend = values.backend!;
    const training = await prepare(page, kind);
    const variants = await measure(page, kind);
    report(kind, variants);
    results.push({ model: kind, training, variants });
    await page.close();
  }
} finally {
  await browser.close();
  server.httpServer.close();
}
const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD']).toString().trim();
const out = {
  date: new Date().toISOString(),
  command: `npm run quantization -- ${process.argv.slice(2).join(' ')}`.trim(),
  backend,
  cores: cpus().length,
  cpu: cpus()[0]?.model,
  commit,
  results,
};
mkdirSync('bench-results', { recursive: true });
writeFileSync('bench-results/quantization.json', JSON.stringify(out, null, 2));
console.log('wrote bench-results/quantization.json');
