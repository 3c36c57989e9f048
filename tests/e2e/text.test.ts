import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { docShots, fillSettings, openPlayground, screenshot, useBrowser } from './browser';
import { sotuBytes } from '../unit/mnist';

const browser = useBrowser();

const speech = Buffer.from(sotuBytes('1962_john_f_kennedy_d.txt'));
const speechText = speech.toString('utf8');
const allowed = new Set([...speechText, '\uFFFD']);

async function openText(query = ''): Promise<Page> {
  const { page } = await openPlayground(browser(), query);
  await page.getByTestId('tab-text').click();
  await expect.poll(() => page.getByTestId('corpus-name').textContent(), { timeout: 120_000 }).toContain('State of the Union');
  return page;
}

async function upload(page: Page, name: string, buffer: Buffer) {
  await page.getByTestId('text-input').setInputFiles({ name, mimeType: 'text/plain', buffer });
}

describe('char-LSTM in the page (WebGPU on SwiftShader)', () => {
  it('uploads a text, trains briefly on webgpu, streams generated text made of vocabulary characters, saves and reloads the model', async () => {
    const page = await openText('?backend=webgpu');
    expect(await page.getByTestId('active-backend').textContent()).toBe('webgpu');
    expect(Number((await page.getByTestId('corpus-chars').textContent())!.replace(/,/g, ''))).toBeGreaterThan(1_000_000);

    await upload(page, 'jfk-1962.txt', speech);
    // the service worker may be precaching the build (16 MB) right now, sharing the CPU: allow more than 1 s
    await expect.poll(() => page.getByTestId('corpus-name').textContent(), { timeout: 30_000 }).toBe('jfk-1962.txt');
    expect(Number((await page.getByTestId('corpus-chars').textContent())!.replace(/,/g, ''))).toBe([...speechText].length);
    expect(Number(await page.getByTestId('corpus-vocab').textContent())).toBe(allowed.size);

    // a small model so SwiftShader trains it in seconds
    await fillSettings(page, {
      'char-units': '16',
      'char-window': '8',
      'text-batch-size': '16',
      'text-rounds': '2',
      'text-eval-every': '3',
      'text-sample-length': '20',
      'text-learning-rate': '0.02',
    });
    await page.getByTestId('start').click();
    await expect.poll(() => page.getByTestId('train-state').textContent(), { timeout: 240_000 }).toBe('finished');
    expect(await page.getByTestId('nats-chart').getAttribute('data-points')).toBe('6');
    expect(await page.getByTestId('bits-chart').getAttribute('data-val-points')).toBe('2');
    expect(await page.getByTestId('perplexity-chart').getAttribute('data-val-points')).toBe('2');
    const natsSummary = (await page.getByTestId('nats-chart-summary').textContent())!;
    const bitsSummary = (await page.getByTestId('bits-chart-summary').textContent())!;
    const valNats = Number(/validation ([\d.]+)/.exec(natsSummary)![1]);
    const valBits = Number(/validation ([\d.]+)/.exec(bitsSummary)![1]);
    expect(valBits).toBeCloseTo(valNats / Math.LN2, 2);
    expect(valNats).toBeLessThan(Math.log(allowed.size)); // better than uniform guessing
    expect(await page.locator('[data-testid=text-samples] pre').count()).toBe(2);
    expect(Number((await page.getByTestId('samples-per-sec').textContent())!.replace(/,/g, ''))).toBeGreaterThan(0);

    await page.getByTestId('gen-length').fill('40');
    await page.getByTestId('seed-text').fill('The 😀 ');
    await page.getByTestId('generate').click();
    await expect.poll(() => page.getByTestId('generate-state').textContent(), { timeout: 120_000 }).toBe('idle');
    const generated = (await page.getByTestId('generated').textContent())!;
    expect(generated.startsWith('The 😀 ')).toBe(true);
    const continuation = [...generated].slice([...'The 😀 '].length);
    expect(continuation).toHaveLength(40);
    expect(continuation.every((c) => allowed.has(c))).toBe(true);
    await screenshot(page, 'text-trained');
    await docShots(page, 'screenshot-text');

    // save: two downloads, model json and weights
    const downloads: { name: string; path: string }[] = [];
    const dir = mkdtempSync(join(tmpdir(), 'charlstm-'));
    page.on('download', async (d) => {
      const path = join(dir, d.suggestedFilename());
      await d.saveAs(path);
      downloads.push({ name: d.suggestedFilename(), path });
    });
    await page.getByTestId('export-char-model').click();
    await expect.poll(() => downloads.length, { timeout: 30_000 }).toBe(2);
    const json = downloads.find((d) => d.name.endsWith('.json'))!;
    const manifest = JSON.parse(readFileSync(json.path, 'utf8'));
    expect(manifest.format).toBe('layers-model');
    expect(manifest.userDefinedMetadata.vocab).toHaveLength(allowed.size);

    // load it into a fresh page: the same seed and sampling seed give the same text
    const fresh = await openText('?backend=webgpu');
    await fresh.getByTestId('import-char-model').setInputFiles(downloads.map((d) => d.path));
    await expect.poll(() => fresh.getByTestId('char-file-message').textContent(), { timeout: 60_000 }).toContain('jfk-1962.txt');
    await fresh.getByTestId('gen-length').fill('40');
    await fresh.getByTestId('seed-text').fill('The 😀 ');
    await fresh.getByTestId('generate').click();
    await expect.poll(() => fresh.getByTestId('generate-state').textContent(), { timeout: 120_000 }).toBe('idle');
    expect(await fresh.getByTestId('generated').textContent()).toBe(generated);

    // a weights file from another model is refused and the loaded model stays
    writeFileSync(join(dir, 'short.weights.bin'), Buffer.alloc(100));
    await fresh.getByTestId('import-char-model').setInputFiles([json.path, join(dir, 'short.weights.bin')]);
    await expect.poll(() => fresh.getByTestId('char-file-error').textContent()).toContain('The weights are 100 bytes but model.json describes');
    expect(await fresh.getByTestId('char-model-ready').textContent()).toContain('jfk-1962.txt');
  }, 600_000);

  it('each bad text file shows its message and the current corpus stays', async () => {
    const page = await openText('?backend=cpu');
    const cases: [string, Buffer, string][] = [
      ['empty.txt', Buffer.alloc(0), 'empty.txt is empty.'],
      ['image.png', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]), 'looks binary (it contains NUL bytes)'],
      ['latin1.txt', Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x20, 0x61]), 'is not valid UTF-8 text'],
      ['same.txt', Buffer.from('a'.repeat(3000)), 'has 1 distinct character'],
      ['short.txt', Buffer.from('Too short to train on.'), 'has only 22 characters; at least 500'],
    ];
    for (const [name, buffer, message] of cases) {
      await upload(page, name, buffer);
      await expect.poll(() => page.getByTestId('text-error').textContent(), { timeout: 30_000 }).toContain(message);
      expect(await page.getByTestId('corpus-name').textContent()).toContain('State of the Union');
    }
    // over the size limit: a 65 MB file from disk
    const big = join(mkdtempSync(join(tmpdir(), 'big-')), 'big.txt');
    writeFileSync(big, Buffer.alloc(65 * 1024 * 1024, 'ab'));
    await page.getByTestId('text-input').setInputFiles(big);
    await expect.poll(() => page.getByTestId('text-error').textContent(), { timeout: 60_000 }).toContain('the limit is 64 MB');
    expect(await page.getByTestId('corpus-name').textContent()).toContain('State of the Union');
    await screenshot(page, 'text-bad-file');
  });
});
