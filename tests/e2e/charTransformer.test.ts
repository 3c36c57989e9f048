import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fillSettings, openDrawer, openPlayground, screenshot, useBrowser } from './browser';
import { sotuBytes } from '../unit/mnist';

const browser = useBrowser();

const speech = Buffer.from(sotuBytes('1962_john_f_kennedy_d.txt'));
const allowed = new Set([...speech.toString('utf8'), '\uFFFD']);

async function openText(): Promise<Page> {
  const { page } = await openPlayground(browser(), '?backend=webgpu');
  await page.getByTestId('tab-text').click();
  await expect.poll(() => page.getByTestId('corpus-name').textContent(), { timeout: 120_000 }).toContain('State of the Union');
  return page;
}

async function generate(page: Page): Promise<string> {
  await page.getByTestId('gen-length').fill('40');
  await page.getByTestId('seed-text').fill('The ');
  await page.getByTestId('generate').click();
  await expect.poll(() => page.getByTestId('generate-state').textContent(), { timeout: 120_000 }).toBe('idle');
  return (await page.getByTestId('generated').textContent())!;
}

describe('char-Transformer in the page (WebGPU on SwiftShader)', () => {
  it('trains the tiny Transformer preset a few steps, generates, shows attention, saves and loads it', async () => {
    const page = await openText();
    expect(await page.getByTestId('active-backend').textContent()).toBe('webgpu');
    await page.getByTestId('text-input').setInputFiles({ name: 'jfk-1962.txt', mimeType: 'text/plain', buffer: speech });
    await expect.poll(() => page.getByTestId('corpus-name').textContent(), { timeout: 30_000 }).toBe('jfk-1962.txt');

    await page.getByTestId('char-family').selectOption('charTransformer');
    await page.getByTestId('gpt-preset').selectOption('tiny');
    await expect.poll(() => page.getByTestId('char-model-panel').textContent()).toContain('PreNormBlock');
    // a bad width names the rule, as the char-LSTM's form does
    await fillSettings(page, { 'gpt-width': '30' });
    await expect
      .poll(() => page.getByTestId('char-model-problems').textContent())
      .toContain('Width must be a multiple of the number of heads (4), got 30.');
    // back to the tiny preset (2 layers, 4 heads, width 64, context 64), in batches of 8 for SwiftShader
    await page.getByTestId('gpt-preset').selectOption('tiny');
    await expect.poll(() => page.getByTestId('char-model-problems').count()).toBe(0);
    expect(await page.getByTestId('gpt-width').inputValue()).toBe('64');
    await fillSettings(page, {
      'text-batch-size': '8',
      'text-rounds': '2',
      'text-eval-every': '3',
      'text-sample-length': '20',
      'text-learning-rate': '0.01',
    });
    await page.getByTestId('start').click();
    await expect.poll(() => page.getByTestId('train-state').textContent(), { timeout: 300_000 }).toBe('finished');
    expect(await page.getByTestId('bits-chart').getAttribute('data-val-points')).toBe('2');
    expect(await page.locator('[data-testid=text-samples] pre').count()).toBe(2);

    const generated = await generate(page);
    expect(generated.startsWith('The ')).toBe(true);
    expect([...generated].slice(4).every((c) => allowed.has(c))).toBe(true);

    await page.getByTestId('show-attention').click();
    const canvas = page.getByTestId('attention-canvas');
    await expect.poll(() => canvas.getAttribute('data-heads'), { timeout: 60_000 }).toBe('8'); // a row per head: 2 layers x 4 heads
    // head cells take the theme's accent (blue) by weight and the loss row its danger colour (red), on its surface:
    // the worker's numbers reached the canvas, drawn in a task after the render
    const paint = () =>
      canvas.evaluate((c: HTMLCanvasElement) => {
        const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
        const [cell, label, heads] = [12, 44, Number(c.dataset.heads)]; // AttentionPanel's CELL, LABEL; rows: heads, then loss
        const corner = [d[0], d[1], d[2]];
        const n = { blue: 0, red: 0, corner };
        for (let y = 0; y < (heads + 1) * cell; y++)
          for (let x = label; x < c.width; x++) {
            const i = 4 * (y * c.width + x);
            const [r, b] = [d[i], d[i + 2]];
            if (r === corner[0] && d[i + 1] === corner[1] && b === corner[2]) continue; // the surface: weight 0, gaps
            if (y < heads * cell && b > r) n.blue++;
            if (y >= heads * cell && r > b) n.red++;
          }
        return n;
      });
    await expect.poll(async () => (await paint()).blue).toBeGreaterThan(0);
    expect((await paint()).red).toBeGreaterThan(0);
    expect((await paint()).corner).toEqual([255, 255, 255]); // the light theme's --surface
    while ((await page.getByTestId('theme-toggle').textContent()) !== 'Theme: dark') await page.getByTestId('theme-toggle').click();
    await expect.poll(async () => (await paint()).corner).toEqual([17, 24, 39]); // the dark theme's --surface, #111827
    expect((await paint()).blue).toBeGreaterThan(0);
    expect((await paint()).red).toBeGreaterThan(0);
    // "system" follows the operating system's scheme live: the canvas redraws when it changes, with the same numbers
    await page.emulateMedia({ colorScheme: 'light' });
    await page.getByTestId('theme-toggle').click(); // dark -> system (light)
    await expect.poll(async () => (await paint()).corner).toEqual([255, 255, 255]);
    await page.emulateMedia({ colorScheme: 'dark' });
    await expect.poll(async () => (await paint()).corner).toEqual([17, 24, 39]);
    expect((await paint()).blue).toBeGreaterThan(0);
    expect(await canvas.getAttribute('data-position')).toBe('40'); // the default position, within the 44 generated characters
    await screenshot(page, 'transformer-attention');

    const downloads: { name: string; path: string }[] = [];
    const dir = mkdtempSync(join(tmpdir(), 'chargpt-'));
    page.on('download', async (d) => {
      const path = join(dir, d.suggestedFilename());
      await d.saveAs(path);
      downloads.push({ name: d.suggestedFilename(), path });
    });
    await page.getByTestId('export-char-model').click();
    await expect.poll(() => downloads.length, { timeout: 30_000 }).toBe(2);
    const json = downloads.find((d) => d.name.endsWith('.json'))!;
    expect(json.name).toMatch(/^char-gpt-/);
    expect(JSON.stringify(JSON.parse(readFileSync(json.path, 'utf8')).modelTopology)).toContain('"class_name":"CharGpt"');

    const fresh = await openText();
    await fresh.getByTestId('import-char-model').setInputFiles(downloads.map((d) => d.path));
    await expect.poll(() => fresh.getByTestId('char-file-message').textContent(), { timeout: 60_000 }).toContain('char-Transformer');
    expect(await generate(fresh)).toBe(generated);

    // Inspect, on the page that trained it: a passage of 150 characters coloured by surprise, read in windows of the
    // context 64 sliding by 32 (starts 0, 32, 64 and 85), the embedding PCA drawn, no cell view
    await openDrawer(page, 'inspect');
    await page.locator('[data-testid=inspect-text] > summary').click();
    await expect
      .poll(() => page.getByTestId('inspect-cells-none').textContent())
      .toBe("Cell activations are an LSTM view; the Transformer's attention is shown in the Attention panel.");
    expect(await page.getByTestId('inspect-cell-run').count()).toBe(0);
    await page.locator('[data-testid=inspect-text] textarea').fill(speech.toString('utf8').slice(0, 150));
    await page.getByTestId('inspect-text-run').click();
    const spans = page.locator('[data-testid=inspect-passage] span');
    await expect.poll(() => spans.count(), { timeout: 30_000 }).toBe(149);
    expect(await page.getByTestId('inspect-text-window').textContent()).toContain('read in 4 windows of 64 sliding by 32');
    expect(await spans.nth(20).getAttribute('aria-label')).toMatch(/nats; expected (".*" \d+ %, ){4}".*" \d+ %$/s);
    const inked = await page.getByTestId('inspect-pca').evaluate((c: HTMLCanvasElement) => {
      const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 0; i < data.length; i += 4) if (data[i] < 200) n++;
      return n;
    });
    expect(inked).toBeGreaterThan(50);
  }, 600_000);
});
