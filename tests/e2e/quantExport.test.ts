import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { unzipSync } from 'fflate';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { baseUrl, fillSettings, openDrawer, openPlayground, screenshot, trainMnistBriefly, useBrowser } from './browser';
import { expectSameModel, loadInPlain, plainPage, type Served } from './plainTfjs';
import { realMnist } from '../unit/mnist';
import type { EngineClient } from '../../src/worker/client';
import type { VariantOutputs } from '../../src/engine/config/compress';

const browser = useBrowser();
type Which = 'images' | 'text';

/** Ten real test digits, 0..1 floats, [10, 28, 28, 1]. */
const DIGITS = { input: Array.from(realMnist().test.images.subarray(0, 10 * 784), (v) => v / 255), shape: [10, 28, 28, 1] };
/** A [2, 12] batch of character ids (the default corpus has 94 characters). */
const CHARS = { input: Array.from({ length: 24 }, (_, i) => (i * 37) % 90), shape: [2, 12] };

const rows = (page: Page, which: Which) => page.locator(`[data-testid=variants-${which}] tbody tr`).count();
const dataBytes = async (page: Page, testId: string) =>
  Number(await page.locator(`[data-testid="${testId}"] td[data-bytes]`).getAttribute('data-bytes'));

/** Every download of the page, saved to a temporary folder. */
function downloadsOf(page: Page): { name: string; path: string }[] {
  const dir = mkdtempSync(join(tmpdir(), 'quant-export-'));
  const list: { name: string; path: string }[] = [];
  page.on('download', async (d) => {
    const path = join(dir, d.suggestedFilename());
    await d.saveAs(path);
    list.push({ name: d.suggestedFilename(), path });
  });
  return list;
}

/** Through the page's engine (test hook): the variant's outputs and weight hashes, or its export files. */
const outputsOf = (page: Page, which: Which, id: number, x: { input: number[]; shape: number[] }) =>
  page.evaluate(
    ([w, i, input, shape]) =>
      (globalThis as unknown as { playgroundEngine: EngineClient }).playgroundEngine.variantOutputs(w, i, input, shape) as Promise<VariantOutputs>,
    [which, id, x.input, x.shape] as const,
  );
const filesOf = async (page: Page, which: Which, id: number): Promise<Served[]> =>
  (
    await page.evaluate(
      async ([w, i]) =>
        (await (globalThis as unknown as { playgroundEngine: EngineClient }).playgroundEngine.exportVariant(w, i)).map((f) => ({
          name: f.name,
          bytes: Array.from(f.bytes),
        })),
      [which, id] as const,
    )
  ).map((f) => ({ name: f.name, bytes: Uint8Array.from(f.bytes) }));

/** Quantizes the source variant with the form as it stands (after `choose`), waits for the new row; its id. */
async function quantize(page: Page, which: Which, label: string, choose: () => Promise<unknown> = async () => {}): Promise<number> {
  const before = await rows(page, which);
  await choose();
  await page.getByTestId(`quantize-${which}`).click();
  await expect.poll(() => rows(page, which), { timeout: 120_000 }).toBe(before + 1);
  expect(await page.getByTestId(`variant-row-${before}`).textContent()).toContain(label);
  return before;
}

/**
 * The panel's defaults as a new user meets them: Quantize, then Export quantized weights. The dialog lists model.json and
 * its weights (no .nnq) with their sizes, stock tfjs among their loaders and the page's metric; the two files, downloaded,
 * load in a fresh page with stock tfjs over HTTP with a uint8 quantization entry for every kernel, into the page's weights.
 */
async function defaultExport(page: Page, which: Which, x: { input: number[]; shape: number[] }): Promise<void> {
  await openDrawer(page, 'compress');
  await page.getByTestId(`compress-start-${which}`).click();
  await expect.poll(() => rows(page, which), { timeout: 120_000 }).toBe(1);
  expect(await page.getByTestId(`quant-export-${which}`).textContent()).toMatch(
    /stock tfjs: uint8 codes, [\d.]+ kB \(no \.nnq needed\) \(the portable default\)/,
  );
  const id = await quantize(page, which, 'int8 affine per tensor');
  expect(await page.getByTestId(`variant-export-${id}`).textContent()).toMatch(/^stock tfjs: uint8 codes, [\d.]+ kB \(no \.nnq needed\)$/);
  const metric = Number(await page.getByTestId(`variant-metric-${id}`).getAttribute('data-value'));

  const downloads = downloadsOf(page);
  await page.getByTestId(`export-variant-${id}`).click();
  const dialog = page.getByTestId(`export-dialog-${which}`);
  await expect.poll(() => dialog.isVisible(), { timeout: 60_000 }).toBe(true);
  const names = await dialog.locator('tbody tr td:first-child').allTextContents();
  expect(names).toHaveLength(2);
  const [json, bin] = [names.find((n) => n.endsWith('.json'))!, names.find((n) => n.endsWith('.weights.bin'))!];
  expect(await page.getByTestId(`export-file-${json}`).textContent()).toContain('stock tfjs (tf.loadLayersModel)');
  expect(await page.getByTestId(`export-file-${bin}`).textContent()).toContain('weights: uint8 codes');
  const shown = which === 'images' ? `${(metric * 100).toFixed(2)}%` : metric.toFixed(3);
  expect(await page.getByTestId(`export-metric-${which}`).textContent()).toContain(shown);
  expect(await page.getByTestId(`export-file-${bin}`).textContent()).toContain(shown);
  expect(await page.getByTestId(`export-snippet-${which}`).textContent()).toContain(`await tf.loadLayersModel('${json}')`);
  const sizes = { [json]: await dataBytes(page, `export-file-${json}`), [bin]: await dataBytes(page, `export-file-${bin}`) };
  await page.getByTestId(`export-download-${which}`).click();
  await expect.poll(() => downloads.length, { timeout: 30_000 }).toBe(2);
  expect(await dialog.isVisible()).toBe(false);
  const served = downloads.map((d) => ({ name: d.name, bytes: readFileSync(d.path) }));
  expect(Object.fromEntries(served.map((f) => [f.name, f.bytes.length]))).toEqual(sizes); // the sizes the dialog showed

  const manifest = JSON.parse(served.find((f) => f.name === json)!.bytes.toString('utf8'));
  const entries = manifest.weightsManifest[0].weights as { shape: number[]; quantization?: { dtype: string; scale: number; min: number } }[];
  const kernels = entries.filter((w) => w.shape.length >= 2);
  expect(kernels.length).toBeGreaterThanOrEqual(2);
  expect(
    kernels.every((w) => w.quantization?.dtype === 'uint8' && Number.isFinite(w.quantization.scale) && Number.isFinite(w.quantization.min)),
  ).toBe(true);
  expect(entries.filter((w) => w.shape.length < 2).every((w) => w.quantization === undefined)).toBe(true); // biases stay float32

  const plain = await plainPage(browser(), served);
  const loaded = await loadInPlain(plain, { url: `${new URL(baseUrl()).origin}/plain/${json}` }, x.input, x.shape);
  expectSameModel(loaded, await outputsOf(page, which, id, x), `${which}: the default export in stock tfjs`);
  await plain.context().close();
}

/** Each variant's .nnq, fetched over HTTP by nnq-loader.js in a fresh page with stock tfjs only, is the page's variant. */
async function nnqLoads(page: Page, which: Which, ids: number[], x: { input: number[]; shape: number[] }): Promise<Served[]> {
  const files: Served[] = [];
  for (const id of ids) {
    const nnq = (await filesOf(page, which, id)).find((f) => f.name.endsWith('.nnq'));
    expect(nnq, `variant #${id} has a .nnq`).toBeDefined();
    files.push({ ...nnq!, name: `${id}-${nnq!.name}` });
  }
  const plain = await plainPage(browser(), files);
  for (const [k, id] of ids.entries()) {
    const loaded = await loadInPlain(plain, { url: `${new URL(baseUrl()).origin}/plain/${files[k].name}` }, x.input, x.shape);
    expectSameModel(loaded, await outputsOf(page, which, id, x), `${which} #${id} ${files[k].name} through nnq-loader.js`);
  }
  await plain.context().close();
  return files;
}

/** The playground on wasm with nothing stored, the panel's settings as a new user gets them. */
async function fresh(): Promise<Page> {
  const { page } = await openPlayground(browser(), '?backend=wasm');
  await expect.poll(() => page.getByTestId('active-backend').textContent(), { timeout: 60_000 }).toBe('wasm');
  return page;
}

describe('quantized export: stock tfjs by default, nnq-loader.js for the rest', () => {
  it('MLP: the default export loads in stock tfjs; per-channel, 4-bit and pruned .nnq files load with the loader, alone or from the .zip; damaged ones get its message', async () => {
    const page = await fresh();
    await trainMnistBriefly(page, 3000, 1);
    await defaultExport(page, 'images', DIGITS);

    // every other scheme the page writes
    const channel = await quantize(page, 'images', 'int8 affine per channel', () =>
      page.getByTestId('quant-granularity-images').selectOption('channel'),
    );
    expect(await page.getByTestId(`variant-export-${channel}`).textContent()).toMatch(
      /^stock tfjs: float32 fallback, 204 kB; compact \.nnq: 5\d kB$/,
    );
    const fourBit = await quantize(page, 'images', '4-bit symmetric per channel', async () => {
      await page.getByTestId('quant-bits-images').selectOption('4');
      await page.getByTestId('quant-scheme-images').selectOption('symmetric');
    });
    const fourTensor = await quantize(page, 'images', '4-bit symmetric per tensor', () =>
      page.getByTestId('quant-granularity-images').selectOption('tensor'),
    );
    await page.getByTestId('prune-images').click(); // 90 %, global, one-shot
    await expect.poll(() => rows(page, 'images'), { timeout: 60_000 }).toBe(fourTensor + 2);
    await page.getByTestId('compress-source-images').selectOption(String(fourTensor + 1));
    const pruned = await quantize(page, 'images', 'pruned 90% global (one-shot) + int8 symmetric per channel', async () => {
      await page.getByTestId('quant-bits-images').selectOption('8');
      await page.getByTestId('quant-granularity-images').selectOption('channel');
    });
    const nnqs = await nnqLoads(page, 'images', [channel, fourBit, fourTensor, pruned], DIGITS);
    await zipExport(page, channel);
    await damaged(nnqs[0]);
  }, 900_000);

  it('CNN: the default export loads in stock tfjs; per-channel and 4-bit .nnq files load with the loader', async () => {
    const page = await fresh();
    await page.getByTestId('kind-cnn').check();
    await trainMnistBriefly(page, 1000, 1);
    await defaultExport(page, 'images', DIGITS);
    expect(Number(await page.getByTestId('variant-raw-0').getAttribute('data-bytes'))).toBe(4 * 61_706); // the default CNN's parameters
    const channel = await quantize(page, 'images', 'int8 affine per channel', () =>
      page.getByTestId('quant-granularity-images').selectOption('channel'),
    );
    const fourBit = await quantize(page, 'images', '4-bit affine per channel', () => page.getByTestId('quant-bits-images').selectOption('4'));
    await nnqLoads(page, 'images', [channel, fourBit], DIGITS);
  }, 900_000);

  it('char-LSTM: the default export loads in stock tfjs; per-channel and 4-bit .nnq files load with the loader', async () => {
    const page = await fresh();
    await page.getByTestId('tab-text').click();
    await expect.poll(() => page.getByTestId('corpus-name').textContent(), { timeout: 120_000 }).toContain('State of the Union');
    await fillSettings(page, { 'text-rounds': '1', 'text-eval-every': '5' });
    await page.getByTestId('start').click();
    await expect.poll(() => page.getByTestId('train-state').textContent(), { timeout: 240_000 }).toBe('finished');
    await defaultExport(page, 'text', CHARS);
    expect(Number(await page.getByTestId('variant-raw-0').getAttribute('data-bytes'))).toBe(4 * 87_870); // the small preset over 94 characters
    const channel = await quantize(page, 'text', 'int8 affine per channel', () => page.getByTestId('quant-granularity-text').selectOption('channel'));
    const fourBit = await quantize(page, 'text', '4-bit affine per channel', () => page.getByTestId('quant-bits-text').selectOption('4'));
    await nnqLoads(page, 'text', [channel, fourBit], CHARS);
  }, 600_000);
});

/** The .zip from the dialog holds the variant's three files and nnq-loader.js, the very file the build serves. */
async function zipExport(page: Page, id: number): Promise<void> {
  const downloads = downloadsOf(page);
  await page.getByTestId(`export-variant-${id}`).click();
  await expect.poll(() => page.getByTestId('export-dialog-images').isVisible(), { timeout: 60_000 }).toBe(true);
  const loaderLink = page.getByTestId('export-loader-images');
  expect(await loaderLink.getAttribute('download')).toBe('nnq-loader.js');
  const served = new Uint8Array(await (await fetch(`${baseUrl()}nnq-loader.js`)).arrayBuffer());
  expect(await dataBytes(page, 'export-file-nnq-loader.js')).toBe(served.length);
  const snippet = (await page.getByTestId('export-snippet-images').textContent())!.split('\n');
  expect(snippet).toHaveLength(5);
  expect(snippet[1]).toBe("import { loadCompactModel } from './nnq-loader.js';");
  expect(snippet[2]).toMatch(/^const model = await loadCompactModel\('.*\.nnq'\);$/);
  await screenshot(page, 'export-dialog');
  await page.getByTestId('export-zip-images').click();
  await expect.poll(() => downloads.length, { timeout: 30_000 }).toBe(1);
  expect(downloads[0].name).toMatch(/\.zip$/);
  const zip = unzipSync(readFileSync(downloads[0].path));
  const names = Object.keys(zip).sort();
  expect(names.map((n) => n.replace(/^.*?(\.weights\.bin|\.json|\.nnq|nnq-loader\.js)$/, '$1'))).toEqual(
    ['.json', '.nnq', '.weights.bin', 'nnq-loader.js'].sort(),
  );
  expect(zip['nnq-loader.js']).toEqual(served);
  expect(String.fromCharCode(...zip[names.find((n) => n.endsWith('.nnq'))!].subarray(0, 4))).toBe('NNQ1');
}

/** Damaged .nnq files, loaded by nnq-loader.js in a fresh page, are refused with the loader's message. */
async function damaged(nnq: Served): Promise<void> {
  const bytes = nnq.bytes;
  const length = new DataView(bytes.buffer, bytes.byteOffset + 4, 4).getUint32(0, true);
  const header = new TextDecoder().decode(bytes.subarray(8, 8 + length));
  const v2 = new TextEncoder().encode(header.replace('"version":1', '"version":2'));
  const cases: [string, Uint8Array, string | RegExp][] = [
    [
      'short.nnq',
      bytes.subarray(0, bytes.length - 100),
      /^short\.nnq is short or damaged: weight .* needs \d+ bytes at offset \d+, the data holds \d+\.$/,
    ],
    ['cut.nnq', bytes.subarray(0, 60), /^cut\.nnq is truncated: its header says \d+ bytes but the file has 52 after the magic\.$/],
    [
      'magic.nnq',
      Uint8Array.from([0x50, 0x4b, 3, 4, ...bytes.subarray(4)]),
      'magic.nnq is not a compact model (.nnq) of nn-playground: it does not start with NNQ1.',
    ],
    [
      'v2.nnq',
      Uint8Array.from([...bytes.subarray(0, 8), ...v2, ...bytes.subarray(8 + length)]),
      'v2.nnq is compact format version 2; this loader reads version 1 only.',
    ],
    ['header.nnq', Uint8Array.from(bytes, (b, i) => (i === 9 ? 0x7d : b)), /^header\.nnq has a damaged header \(/],
  ];
  expect(header).toContain('"version":1');
  const plain = await plainPage(
    browser(),
    cases.map(([name, b]) => ({ name, bytes: b })),
  );
  const origin = new URL(baseUrl()).origin;
  for (const [name, , message] of cases) {
    const loaded = await loadInPlain(plain, { url: `${origin}/plain/${name}` }, DIGITS.input, DIGITS.shape);
    expect(loaded.error, name).toMatch(typeof message === 'string' ? new RegExp(`^${message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`) : message);
  }
  const missing = await loadInPlain(plain, { url: `${origin}/plain/missing.nnq` }, DIGITS.input, DIGITS.shape);
  expect(missing.error).toBe(`${origin}/plain/missing.nnq could not be fetched: HTTP 404.`);
  await plain.context().close();
}
