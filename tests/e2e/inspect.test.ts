import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { fillSettings, openDrawer, openPlayground, trainCharLstmBriefly, useBrowser } from './browser';

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
    await fillSettings(page, { 'train-limit': '1280', epochs: '3' });
    await page.getByTestId('start').click();
    await expect.poll(() => page.locator('[data-testid=inspect-units] canvas').count(), { timeout: 60_000 }).toBe(64);
    // the 64 canvases paint in short tasks after the view's render
    await expect.poll(async () => (await unitPixels(page)).every((u) => u.inked > 0.5), { timeout: 10_000 }).toBe(true);
    const first = await unitPixels(page);
    // training health is recorded in the worker as the run goes: a line per weighted layer, the probed step growing
    const latest = page.locator('[data-testid=inspect-health-images] [data-testid=inspect-health-latest] li');
    const latestStep = async () => Number(/\(step (\d+)\)$/.exec((await latest.first().textContent()) ?? '')?.[1] ?? NaN);
    await expect.poll(() => latest.count(), { timeout: 30_000 }).toBe(2);
    const firstStep = await latestStep();
    // random initial weights on a diverging map: nearly every pixel is coloured, none of the 64 canvases is blank
    expect(first.every((u) => u.inked > 0.5)).toBe(true);
    // while training goes on, the next refreshes draw different images
    await expect
      .poll(async () => (await unitPixels(page)).filter((u, i) => u.sum !== first[i].sum).length, { timeout: 120_000, interval: 1000 })
      .toBeGreaterThan(32);
    await expect.poll(() => page.getByTestId('train-state').textContent(), { timeout: 180_000 }).toBe('finished');
    // 3 epochs of 1280 / 64 = 20 steps, one probed in ten: steps 1, 11, ..., 51; a histogram at the start and each epoch
    await expect.poll(latestStep, { timeout: 10_000 }).toBe(51);
    expect(firstStep).toBeLessThan(51);
    await expect
      .poll(() => page.locator('[data-testid=inspect-health-images] [data-testid=inspect-histogram-checkpoint] option').allTextContents(), {
        timeout: 10_000,
      })
      .toEqual(['start (step 0)', 'epoch 1 (step 20)', 'epoch 2 (step 40)', 'epoch 3 (step 60)']);
    expect(await latest.allTextContents()).toEqual([
      expect.stringMatching(/update\/weight ratio .* weight norm \d+\.\d{3} \(step 51\)$/),
      expect.stringMatching(/update\/weight ratio .* weight norm \d+\.\d{3} \(step 51\)$/),
    ]);
    // drawn in a task after the view's render (canvases paint off React's commit): poll until it is
    await expect
      .poll(
        () =>
          page.locator('[data-testid=inspect-health-images] [data-testid=inspect-health-chart]').evaluate((c) => {
            const canvas = c as HTMLCanvasElement;
            const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
            let n = 0;
            for (let i = 0; i < data.length; i += 4) if (data[i] < 200 || data[i + 1] < 200 || data[i + 2] < 200) n++;
            return n;
          }),
        { timeout: 10_000 },
      )
      .toBeGreaterThan(200);
    await page.locator('[data-testid=inspect-health-images] [data-testid=inspect-histogram-now]').click();
    await expect
      .poll(() => page.locator('[data-testid=inspect-health-images] [data-testid=inspect-histogram-checkpoint] option').count(), { timeout: 10_000 })
      .toBe(5);
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
    // and where its output goes: one weight per class, strongest first
    const outgoing = await page.locator('[data-testid=inspect-unit-outgoing] li').allTextContents();
    expect(outgoing).toHaveLength(10);
    const weights = outgoing.map((t) => Number(/: ([+-][\d.]+)$/.exec(t)![1]));
    expect(weights).toEqual([...weights].sort((a, b) => b - a));
    expect(new Set(outgoing.map((t) => /^class (\d)/.exec(t)![1])).size).toBe(10);
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
    // the guess follows the stroke before the pen lifts
    await expect.poll(() => page.getByTestId('draw-guess').textContent(), { timeout: 30_000 }).toMatch(/^[0-9]$/);
    await page.mouse.up();
    await page.locator('[data-testid=inspect-digit] > summary').click();
    // the saliency explains the guess of the finished drawing (the last classification, after the pen lifted)
    const guessAndSaliency = async () => [
      await page.getByTestId('draw-guess').textContent(),
      await page.getByTestId('inspect-saliency-class').textContent(),
    ];
    await expect.poll(async () => ((g) => g[0] === g[1] && /^[0-9]$/.test(g[0] ?? ''))(await guessAndSaliency()), { timeout: 30_000 }).toBe(true);
    await expect
      .poll(
        () =>
          page.getByTestId('inspect-saliency').evaluate((c) => {
            const canvas = c as HTMLCanvasElement;
            const data = canvas.getContext('2d')!.getImageData(0, 0, 28, 28).data;
            let n = 0;
            for (let i = 0; i < data.length; i += 4) if (data[i] - data[i + 1] > 40) n++;
            return n;
          }),
        { timeout: 10_000 },
      )
      .toBeGreaterThan(5);
    expect(await page.getByTestId('inspect-digit-source').textContent()).toBe('Your drawing');
    expect(Number.parseFloat((await page.getByTestId('inspect-digit-probability').textContent())!)).toBeGreaterThan(10);
    await docShot(page, 'inspect-digit', 'inspect-saliency');
    // another saliency method for the same digit: integrated gradients, named in the caption
    await page.getByTestId('inspect-saliency-method').selectOption('integrated');
    await expect
      .poll(() => page.locator('[data-testid=inspect-digit] figcaption').first().textContent(), { timeout: 30_000 })
      .toContain('Saliency (integrated gradients)');

    // a misclassified test digit from the Evaluate gallery: its guess is the one the gallery shows, explained the same way
    const wrong = page.getByTestId('misclassified-inspect').first();
    await expect.poll(() => wrong.count(), { timeout: 60_000 }).toBe(1);
    const predicted = /predicted (\d)$/.exec((await wrong.getAttribute('aria-label'))!)![1];
    await wrong.click();
    await expect
      .poll(() => page.getByTestId('inspect-digit-source').textContent(), { timeout: 30_000 })
      .toMatch(/^Test digit #\d+ \(true \d, predicted \d\)$/);
    await expect.poll(() => page.getByTestId('inspect-saliency-class').textContent(), { timeout: 30_000 }).toBe(predicted);
    expect(await page.getByTestId('draw-guess').textContent()).toBe(predicted);
  });

  it('colours a passage by surprise after a short char-LSTM run, with the top-5 per character', async () => {
    const { page } = await openPlayground(browser(), '?backend=webgpu');
    await trainCharLstmBriefly(page, { 'text-rounds': '2', 'text-sample-length': '20', 'text-learning-rate': '0.02' });

    await openDrawer(page, 'inspect');
    await page.locator('[data-testid=inspect-text] > summary').click();
    await page.getByTestId('inspect-text-run').click();
    const spans = page.locator('[data-testid=inspect-passage] span');
    const passage = 'The state of our union is strong.\nAnd we say: "Let us begin."';
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
    await expect
      .poll(
        () =>
          page.getByTestId('inspect-pca').evaluate((c) => {
            const canvas = c as HTMLCanvasElement;
            const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
            let n = 0;
            for (let i = 0; i < data.length; i += 4) if (data[i] < 200) n++;
            return n;
          }),
        { timeout: 10_000 },
      )
      .toBeGreaterThan(50);

    // one LSTM cell along the same passage: the one most correlated with being inside quotes, then one by number
    await page.getByTestId('inspect-cell-run').click();
    const cellSpans = page.locator('[data-testid=inspect-cell-passage] span');
    await expect.poll(() => cellSpans.count(), { timeout: 30_000 }).toBe(passage.length);
    expect(await page.getByTestId('inspect-cell-caption').textContent()).toMatch(
      /^Layer 1 of 1, cell \d+ of 16: the most correlated with inside quotes \(r = -?\d\.\d\d\)/,
    );
    const cellColours = await cellSpans.evaluateAll((els) => els.map((e) => getComputedStyle(e).backgroundColor));
    expect(new Set(cellColours).size).toBeGreaterThan(3);
    expect(await cellSpans.nth(0).getAttribute('aria-label')).toMatch(/^T: c = -?\d+\.\d\d$/);
    await page.getByTestId('inspect-cell-mode').selectOption('unit');
    await page.getByTestId('inspect-cell-unit').fill('3');
    await page.getByTestId('inspect-cell-run').click();
    await expect.poll(() => page.getByTestId('inspect-cell-unit-shown').textContent(), { timeout: 30_000 }).toBe('3');
    // training health of the text run: embedding, LSTM and output layers, histograms at the start and each round
    const latest = page.locator('[data-testid=inspect-health-text] [data-testid=inspect-health-latest] li');
    await expect.poll(() => latest.count(), { timeout: 30_000 }).toBe(3);
    const options = await page.locator('[data-testid=inspect-health-text] [data-testid=inspect-histogram-checkpoint] option').allTextContents();
    expect(options[0]).toBe('start (step 0)');
    expect(options.length).toBe(3);
    // one point per layer and series is marked even before there is a line to draw
    await expect
      .poll(
        () =>
          page.locator('[data-testid=inspect-health-text] [data-testid=inspect-health-chart]').evaluate((c) => {
            const canvas = c as HTMLCanvasElement;
            const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
            let n = 0;
            for (let i = 0; i < data.length; i += 4)
              if (Math.max(data[i], data[i + 1], data[i + 2]) - Math.min(data[i], data[i + 1], data[i + 2]) > 60) n++;
            return n;
          }),
        { timeout: 10_000 },
      )
      .toBeGreaterThan(6 * 8);
    await page.getByTestId('inspect-text').scrollIntoViewIfNeeded();
    await docShot(page, 'inspect-text', 'inspect-text');
    // a cell number out of range is refused with the range
    await page.getByTestId('inspect-cell-unit').fill('16');
    await page.getByTestId('inspect-cell-run').click();
    await expect
      .poll(() => page.locator('[data-testid=inspect-cells] [role=alert]').textContent(), { timeout: 30_000 })
      .toBe('Pick a cell from 0 to 15, got 16.');
  });
});
