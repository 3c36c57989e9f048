import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { openDrawer, openPlayground, useBrowser } from './browser';

const browser = useBrowser();

/** Per unit canvas: the share of pixels that are not white (a blank canvas is 0) and a checksum of its pixels. */
function unitPixels(page: Page): Promise<{ inked: number; sum: number }[]> {
  return page.locator('[data-testid=inspect-units] canvas').evaluateAll((canvases) =>
    canvases.map((c) => {
      const canvas = c as HTMLCanvasElement;
      const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      let inked = 0;
      let sum = 0;
      for (let i = 0; i < data.length; i += 4) {
        if (data[i + 3] > 0 && (data[i] < 250 || data[i + 1] < 250 || data[i + 2] < 250)) inked++;
        sum += data[i] * 3 + data[i + 1] * 5 + data[i + 2] * 7;
      }
      return { inked: inked / (data.length / 4), sum };
    }),
  );
}

async function docShot(page: Page, testId: string, name: string): Promise<void> {
  mkdirSync('docs/screenshots', { recursive: true });
  await page.getByTestId(testId).screenshot({ path: `docs/screenshots/${name}.png` });
}

describe('Inspect: inside the model (WebGPU on SwiftShader)', () => {
  it('shows first-layer unit images that are not blank and change as an MLP trains, with layer norms', async () => {
    const { page } = await openPlayground(browser(), '?backend=webgpu');
    await expect.poll(() => page.getByTestId('dataset-info').textContent(), { timeout: 120_000 }).toContain('55,000 train');
    // open Inspect (a view of the frame's third column) before the run: it refreshes itself every 2 s while open
    await openDrawer(page, 'inspect');
    await page.locator('[data-testid=inspect-images] > summary').click();
    await page.getByTestId('train-limit').fill('1280');
    await page.getByTestId('epochs').fill('3');
    await page.getByTestId('start').click();
    await expect.poll(() => page.locator('[data-testid=inspect-units] canvas').count(), { timeout: 60_000 }).toBe(64);
    const first = await unitPixels(page);
    // random initial weights on a diverging map: nearly every pixel is coloured, none of the 64 canvases is blank
    expect(first.every((u) => u.inked > 0.5)).toBe(true);
    // while training goes on, the next refreshes draw different images
    await expect
      .poll(async () => (await unitPixels(page)).filter((u, i) => u.sum !== first[i].sum).length, { timeout: 120_000, interval: 1000 })
      .toBeGreaterThan(32);
    await expect.poll(() => page.getByTestId('train-state').textContent(), { timeout: 180_000 }).toBe('finished');
    await page.getByTestId('inspect-images-refresh').click();
    await expect.poll(async () => (await unitPixels(page)).filter((u, i) => u.sum !== first[i].sum).length, { timeout: 10_000 }).toBeGreaterThan(48);
    expect((await unitPixels(page)).every((u) => u.inked > 0.5)).toBe(true);
    // one norm per weighted layer (two Dense layers), each a positive number
    const norms = await page.locator('[data-testid=inspect-norms] td').allTextContents();
    expect(norms).toHaveLength(2);
    expect(norms.every((n) => Number(n) > 0)).toBe(true);
    // each unit has a text alternative; a click shows it up close with the same words
    const button = page.locator('[data-testid=inspect-units] button').nth(12);
    const description = (await button.getAttribute('aria-label'))!;
    expect(description).toMatch(/^unit 12 responds most to strokes at the (top|middle|bottom|centre)/);
    await button.click();
    expect(await button.getAttribute('aria-pressed')).toBe('true');
    expect(await page.getByTestId('inspect-unit-text').textContent()).toBe(description);
    await page.getByTestId('inspect-images').scrollIntoViewIfNeeded();
    await docShot(page, 'inspect-images', 'inspect-images');

    // a drawn digit: the saliency of the guess over the drawing (the draw pad is in the Result view)
    await openDrawer(page, 'result');
    const pad = page.getByTestId('draw-pad');
    await pad.scrollIntoViewIfNeeded();
    const box = (await pad.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height * 0.15);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2, box.y + box.height * 0.85, { steps: 12 });
    await page.mouse.up();
    await expect.poll(() => page.getByTestId('draw-guess').textContent(), { timeout: 30_000 }).toMatch(/^[0-9]$/);
    await page.locator('[data-testid=inspect-digit] > summary').click();
    await expect
      .poll(() => page.getByTestId('inspect-saliency-class').textContent(), { timeout: 30_000 })
      .toBe(await page.getByTestId('draw-guess').textContent());
    const reddish = await page.getByTestId('inspect-saliency').evaluate((c) => {
      const canvas = c as HTMLCanvasElement;
      const data = canvas.getContext('2d')!.getImageData(0, 0, 28, 28).data;
      let n = 0;
      for (let i = 0; i < data.length; i += 4) if (data[i] - data[i + 1] > 40) n++;
      return n;
    });
    expect(reddish).toBeGreaterThan(5);
    await docShot(page, 'inspect-digit', 'inspect-saliency');
  });

  it('colours a passage by surprise after a short char-LSTM run, with the top-5 per character', async () => {
    const { page } = await openPlayground(browser(), '?backend=webgpu');
    await page.getByTestId('tab-text').click();
    await expect.poll(() => page.getByTestId('corpus-name').textContent(), { timeout: 120_000 }).toContain('State of the Union');
    await page.getByTestId('char-units').fill('16');
    await page.getByTestId('char-window').fill('8');
    await page.getByTestId('text-batch-size').fill('16');
    await page.getByTestId('text-rounds').fill('2');
    await page.getByTestId('text-eval-every').fill('3');
    await page.getByTestId('text-sample-length').fill('20');
    await page.getByTestId('text-learning-rate').fill('0.02');
    await page.getByTestId('start').click();
    await expect.poll(() => page.getByTestId('train-state').textContent(), { timeout: 180_000 }).toBe('finished');

    await openDrawer(page, 'inspect');
    await page.locator('[data-testid=inspect-text] > summary').click();
    await page.getByTestId('inspect-text-run').click();
    const spans = page.locator('[data-testid=inspect-passage] span');
    const passage = 'The state of our union is strong.';
    await expect.poll(() => spans.count(), { timeout: 30_000 }).toBe(passage.length - 1);
    expect((await spans.allTextContents()).join('')).toBe(passage.slice(1));
    // every character is coloured by its surprise: a red with an alpha that is not all the same
    const alphas = await spans.evaluateAll((els) =>
      els.map((e) => {
        const m = /rgba?\(([^)]+)\)/.exec(getComputedStyle(e).backgroundColor);
        const parts = m ? m[1].split(',').map(Number) : [];
        return parts.length === 4 ? parts[3] : parts.length === 3 ? 1 : 0;
      }),
    );
    expect(alphas.some((a) => a > 0)).toBe(true);
    expect(new Set(alphas).size).toBeGreaterThan(1);
    const mean = Number(/([\d.]+) nats/.exec((await page.getByTestId('inspect-text-mean').textContent())!)![1]);
    expect(mean).toBeGreaterThan(0);
    // the top-5 next characters of a position, for hover and screen readers alike
    const label = (await spans.nth(3).getAttribute('aria-label'))!;
    expect(label).toMatch(/nats; expected (".*" \d+ %, ){4}".*" \d+ %$/s);
    // the character embeddings' PCA is drawn: some pixels are not white
    const inked = await page.getByTestId('inspect-pca').evaluate((c) => {
      const canvas = c as HTMLCanvasElement;
      const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      let n = 0;
      for (let i = 0; i < data.length; i += 4) if (data[i] < 200) n++;
      return n;
    });
    expect(inked).toBeGreaterThan(50);
    await page.getByTestId('inspect-text').scrollIntoViewIfNeeded();
    await docShot(page, 'inspect-text', 'inspect-text');
  });
});
