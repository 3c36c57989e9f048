import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { fillSettings, openDrawer, openPlayground, useBrowser } from './browser';
import { mnistIdxPair } from '../unit/mnist';

const browser = useBrowser();

type Upload = { name: string; mimeType: string; buffer: Buffer };

/** SHA-256 of the page's current image model's weights (the layers format's weights file), read in the page. */
const weightsHash = (page: Page) =>
  page.evaluate(async () => {
    const engine = (globalThis as unknown as { playgroundEngine: { exportModel(w: string): Promise<{ weights: Uint8Array }> } }).playgroundEngine;
    const digest = await crypto.subtle.digest('SHA-256', (await engine.exportModel('images')).weights as Uint8Array<ArrayBuffer>);
    return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
  });

const valPoints = async (page: Page) => Number(await page.getByTestId('accuracy-chart').getAttribute('data-val-points'));
const state = (page: Page) => page.getByTestId('train-state').textContent();

async function startRun(page: Page, limit: number, epochs: number): Promise<void> {
  await fillSettings(page, { 'train-limit': String(limit), epochs: String(epochs) });
  await page.getByTestId('start').click();
}

/** A copy of an upload with its JSON edited. */
function editedJson(file: Upload, edit: (j: Record<string, unknown>) => void): Upload {
  const j = JSON.parse(file.buffer.toString('utf8'));
  edit(j);
  return { ...file, buffer: Buffer.from(JSON.stringify(j)) };
}

describe('a run moves to another browser', () => {
  it('exported after its first epoch, imported into a fresh context and resumed, it ends with the weights of an uninterrupted run; bad files of every kind are refused and the page goes on', async () => {
    // browser A: the reference run to the end, then the same run stopped after its first epoch and exported. Adam (the
    // default) on WASM, where tfjs's own update runs: its moments and step count travel in the export
    const { page: a } = await openPlayground(browser(), '?backend=wasm');
    await expect.poll(() => a.getByTestId('dataset-info').textContent(), { timeout: 120_000 }).toContain('55,000 train');
    await startRun(a, 6400, 4); // 100 steps an epoch
    await expect.poll(() => state(a), { timeout: 240_000 }).toBe('finished');
    const reference = await weightsHash(a);
    await a.getByTestId('start').click();
    // the new run has begun (its charts start empty), then has its first epoch checkpointed: pause it there, stop it
    await expect.poll(async () => `${await state(a)} ${await valPoints(a)}`, { timeout: 60_000 }).toBe('running 0');
    await expect.poll(() => valPoints(a), { timeout: 120_000 }).toBeGreaterThanOrEqual(1);
    await a.getByTestId('pause').click();
    await expect.poll(() => state(a), { timeout: 60_000 }).toBe('paused');
    await a.getByTestId('stop').click();
    await expect.poll(() => state(a), { timeout: 60_000 }).toBe('stopped');
    const v2 = a.locator('[data-testid=run-row][data-version="2"]');
    await expect.poll(() => v2.getAttribute('data-status'), { timeout: 10_000 }).toBe('stopped');
    const uploads: Upload[] = [];
    a.on('download', async (d) => {
      const path = await d.path();
      const { readFileSync } = await import('node:fs');
      uploads.push({ name: d.suggestedFilename(), mimeType: 'application/octet-stream', buffer: readFileSync(path) });
    });
    await openDrawer(a, 'runs');
    await v2.getByTestId('run-export').click();
    await expect.poll(() => uploads.length, { timeout: 30_000 }).toBe(3);
    await a.context().close();

    // browser B: a new context (no storage), opened from a link with a bad value
    const { page: b, consoleErrors } = await openPlayground(browser(), '?backend=wasm&epochs=abc');
    await expect.poll(() => b.getByTestId('notices').textContent(), { timeout: 60_000 }).toContain(`The link's epochs "abc" is not valid; using 15.`);
    expect(await b.getByTestId('run-row').count()).toBe(0);
    await expect.poll(() => b.getByTestId('dataset-info').textContent(), { timeout: 120_000 }).toContain('55,000 train');
    await b.getByTestId('run-import').setInputFiles(uploads);
    const row = b.locator('[data-testid=run-row][data-version="1"]');
    await expect.poll(() => row.getAttribute('data-status'), { timeout: 60_000 }).toBe('stopped');
    expect(await b.getByTestId('notices').textContent()).toMatch(/Imported run v1 "MLP on MNIST" \([\d,]+ of 400 steps\): resume it/);
    await openDrawer(b, 'runs');
    await row.getByTestId('run-resume').click();
    await expect.poll(() => state(b), { timeout: 240_000 }).toBe('finished');
    expect(await b.getByTestId('loss-chart').getAttribute('data-points')).toBe('400');
    expect(await weightsHash(b)).toBe(reference);
    await expect.poll(() => b.getByTestId('test-accuracy').textContent(), { timeout: 60_000 }).toMatch(/%$/);
    const accuracy = await b.getByTestId('test-accuracy').textContent();

    // one damaged file per reader: each refused with its reader's message, the model, data and runs as they were
    const [runJson, modelJson, weights] = ['.run.json', '.json', '.weights.bin'].map((end) =>
      uploads.find((u) => u.name.endsWith(end) && (end !== '.json' || !u.name.endsWith('.run.json')))!,
    );
    const nnq = {
      name: 'm.nnq',
      mimeType: 'application/octet-stream',
      buffer: Buffer.concat([Buffer.from('NNQ1'), Buffer.from([2, 0, 0, 0]), Buffer.from('{}')]),
    };
    const { images, labels } = mnistIdxPair(0, 100);
    const idx = [
      { name: 'images.idx', mimeType: 'application/octet-stream', buffer: Buffer.from(images.subarray(0, 5000)) },
      { name: 'labels.idx', mimeType: 'application/octet-stream', buffer: Buffer.from(labels) },
    ];
    const refusals: [string, Upload[], string, RegExp][] = [
      [
        'import-image-model',
        [editedJson(modelJson, (j) => ((j.weightsManifest as { weights: unknown }[])[0].weights = null)), weights],
        'compress-error-images',
        /^model\.json: weightsManifest\[0\]\.weights: expected an array, got null\.$/,
      ],
      ['import-image-model', [nnq], 'compress-error-images', /m\.nnq/],
      ['idx-input', idx, 'data-error', /images\.idx: truncated: the header promises 78,400 bytes of data/],
      [
        'run-import',
        [editedJson(runJson, (j) => ((j.train as { batchSize: unknown }).batchSize = '64')), modelJson, weights],
        'runs-error',
        /\.run\.json: train\.batchSize: expected a number, got "64"\.$/,
      ],
    ];
    for (const [input, files, errorId, message] of refusals) {
      await b.getByTestId(input).setInputFiles(files);
      await expect.poll(() => b.getByTestId(errorId).textContent(), { timeout: 30_000 }).toMatch(message);
    }
    expect(await weightsHash(b)).toBe(reference);
    expect(await b.getByTestId('test-accuracy').textContent()).toBe(accuracy);
    expect(await b.getByTestId('dataset-info').textContent()).toContain('55,000 train');
    expect(await b.getByTestId('run-row').count()).toBe(1);
    // and it trains on
    await startRun(b, 64, 1);
    await expect.poll(() => b.getByTestId('run-row').count(), { timeout: 60_000 }).toBe(2);
    await expect.poll(() => state(b), { timeout: 60_000 }).toBe('finished');
    expect(consoleErrors).toEqual([]);
  });
});
