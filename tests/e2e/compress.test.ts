import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { baseUrl, docShots, openDrawer, openPlayground, screenshot, trainMnistBriefly, useBrowser } from './browser';
import { realMnist } from '../unit/mnist';

const browser = useBrowser();

/** Stock TensorFlow.js as a user gets it from npm: nothing of ours in it. */
const plainTfjs = join(dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs/package.json')), 'dist', 'tf.min.js');

/** Ten real test digits, 0..1 floats, row-major [10, 28, 28, 1]. */
function digits(): number[] {
  const { test } = realMnist();
  return Array.from(test.images.subarray(0, 10 * 784), (v) => v / 255);
}

async function rowCount(page: Page): Promise<number> {
  return page.locator('[data-testid=variants-images] tbody tr').count();
}

const metricOf = async (page: Page, id: number) => Number(await page.getByTestId(`variant-metric-${id}`).getAttribute('data-value'));
const bytesOf = async (page: Page, kind: 'raw' | 'gzip', id: number) =>
  Number(await page.getByTestId(`variant-${kind}-${id}`).getAttribute('data-bytes'));

describe('compression panel', () => {
  it('trains, quantizes, prunes, sweeps; the exported int8 files load in a fresh page with plain tfjs and predict what the page predicts', async () => {
    // wasm keeps the training part short; the WebGPU path is covered by the other suites
    const { page, requests } = await openPlayground(browser(), '?backend=wasm');
    await expect.poll(() => page.getByTestId('active-backend').textContent(), { timeout: 60_000 }).toBe('wasm');
    await trainMnistBriefly(page, 6000, 2);
    const accuracy = parseFloat((await page.getByTestId('test-accuracy').textContent())!) / 100;

    await openDrawer(page, 'compress');
    await page.getByTestId('compress-start-images').click();
    await expect.poll(() => rowCount(page), { timeout: 60_000 }).toBe(1);
    expect(await metricOf(page, 0)).toBeCloseTo(accuracy, 4);
    expect(await bytesOf(page, 'raw', 0)).toBe(4 * 50890);

    // int8, affine, per tensor: the variant plain tfjs holds as uint8 with scale and min
    await page.getByTestId('quant-granularity-images').selectOption('tensor');
    await page.getByTestId('quantize-images').click();
    await expect.poll(() => rowCount(page), { timeout: 60_000 }).toBe(2);
    expect(await page.getByTestId('variant-row-1').textContent()).toContain('int8 affine per tensor');
    expect(Math.abs((await metricOf(page, 1)) - accuracy)).toBeLessThan(0.01);
    expect(await bytesOf(page, 'raw', 1)).toBeLessThan(0.27 * 4 * 50890);
    await expect.poll(() => page.getByTestId('histogram-images').count()).toBe(1);
    expect(await page.locator('[data-testid=layers-images] tbody tr').count()).toBe(4); // 2 kernels, 2 biases

    // every quantization, then one-shot pruning and the sweep
    await page.getByTestId('quantize-all-images').click();
    await expect.poll(() => rowCount(page), { timeout: 120_000 }).toBe(11);
    await page.getByTestId('prune-sparsity-images').fill('90');
    await page.getByTestId('prune-images').click();
    await expect.poll(() => rowCount(page), { timeout: 60_000 }).toBe(12);
    expect(await page.getByTestId('variant-row-11').textContent()).toContain('pruned 90% global (one-shot)');
    expect(await page.getByTestId('variant-row-11').textContent()).toContain('90.0%');
    await page.getByTestId('sweep-button-images').click();
    await expect.poll(() => page.getByTestId('sweep-images').getAttribute('data-points'), { timeout: 120_000 }).toBe('8');
    expect(await page.getByTestId('tradeoff-images').getAttribute('data-points')).toBe('12');
    await screenshot(page, 'compress');
    await docShots(page, 'screenshot-compress');

    // export the int8 variant: two downloads, model.json with quantization entries and the uint8 weights
    const dir = mkdtempSync(join(tmpdir(), 'export-'));
    const downloads: { name: string; path: string }[] = [];
    page.on('download', async (d) => {
      const path = join(dir, d.suggestedFilename());
      await d.saveAs(path);
      downloads.push({ name: d.suggestedFilename(), path });
    });
    await page.getByTestId('export-variant-1').click();
    await page.getByTestId('export-download-images').click();
    await expect.poll(() => downloads.length, { timeout: 30_000 }).toBe(2);
    const jsonFile = downloads.find((d) => d.name.endsWith('.json'))!;
    const binFile = downloads.find((d) => d.name.endsWith('.bin'))!;
    const manifest = JSON.parse(readFileSync(jsonFile.path, 'utf8'));
    expect(manifest.weightsManifest[0].paths).toEqual([binFile.name]);
    expect(manifest.weightsManifest[0].weights.filter((w: { quantization?: { dtype: string } }) => w.quantization?.dtype === 'uint8')).toHaveLength(
      2,
    );
    expect(readFileSync(binFile.path).length).toBe(784 * 64 + 64 * 10 + 4 * (64 + 10));

    // the page's own view of that variant: load the downloaded files back through "Load a model"
    await page.getByTestId('import-image-model').setInputFiles([jsonFile.path, binFile.path]);
    await expect.poll(() => page.getByTestId('compress-message-images').textContent(), { timeout: 60_000 }).toContain('50,890 parameters');
    const pixels = digits();
    const pagePredictions: number[][] = [];
    for (let i = 0; i < 10; i++) {
      pagePredictions.push(
        await page.evaluate(
          async (px) =>
            (globalThis as unknown as { playgroundEngine: { predict(p: Float32Array): Promise<number[]> } }).playgroundEngine.predict(
              Float32Array.from(px),
            ),
          pixels.slice(i * 784, (i + 1) * 784),
        ),
      );
    }

    // a fresh page with nothing of ours: stock tf.min.js, tf.loadLayersModel over HTTP from the same origin
    const context = await browser().newContext();
    const fresh = await context.newPage();
    const origin = new URL(baseUrl()).origin;
    await fresh.route(`${origin}/plain/**`, (route) => {
      const file = route.request().url().split('/').pop()!;
      if (file === 'index.html') return route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>plain tfjs</title>' });
      const hit = downloads.find((d) => d.name === decodeURIComponent(file));
      return hit ? route.fulfill({ body: readFileSync(hit.path) }) : route.fulfill({ status: 404, body: '' });
    });
    await fresh.goto(`${origin}/plain/index.html`);
    await fresh.addScriptTag({ path: plainTfjs });
    const plain = await fresh.evaluate(
      async ({ url, px }) => {
        const tf = (globalThis as unknown as { tf: typeof import('@tensorflow/tfjs') }).tf;
        await tf.setBackend('cpu');
        const model = await tf.loadLayersModel(url);
        const out = model.predict(tf.tensor4d(px, [10, 28, 28, 1])) as import('@tensorflow/tfjs').Tensor;
        return { version: tf.version.tfjs, probs: Array.from(await out.data()) };
      },
      { url: `${origin}/plain/${jsonFile.name}`, px: pixels },
    );
    expect(plain.version).toMatch(/^4\./);
    for (let i = 0; i < 10; i++) {
      const row = plain.probs.slice(i * 10, (i + 1) * 10);
      row.forEach((p, k) => expect(Math.abs(p - pagePredictions[i][k])).toBeLessThan(1e-4));
      expect(row.indexOf(Math.max(...row))).toBe(pagePredictions[i].indexOf(Math.max(...pagePredictions[i])));
    }
    await context.close();

    // a broken import keeps the model: the error is shown, the evaluation stays
    await page
      .getByTestId('import-image-model')
      .setInputFiles([{ name: 'model.json', mimeType: 'application/json', buffer: Buffer.from('{"modelTopology": 1') }]);
    await expect.poll(() => page.getByTestId('compress-error-images').textContent(), { timeout: 30_000 }).toContain('model.json is not valid JSON');
    expect(requests.every((u) => u.startsWith(origin) || u.startsWith('blob:') || u.startsWith('data:'))).toBe(true);
  });
});
