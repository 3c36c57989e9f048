import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { openPlayground, useBrowser } from './browser';

const browser = useBrowser();

/** How far (px) an element's box sticks out of the viewport: 0 when it lies wholly inside. */
async function outside(page: Page, testId: string): Promise<number> {
  const box = await page.getByTestId(testId).boundingBox();
  if (!box) return Infinity;
  const { width, height } = page.viewportSize() ?? { width: 0, height: 0 };
  return Math.max(0, -box.x, -box.y, box.x + box.width - width, box.y + box.height - height);
}

describe('the workbench', () => {
  it('keeps Start, the loss chart and the progress on screen at 1440x900 and 1280x720, on both tabs', async () => {
    const { page } = await openPlayground(browser(), '?backend=cpu&limit=640&epochs=1&theme=dark');
    await expect.poll(() => page.getByTestId('dataset-info').textContent(), { timeout: 120_000 }).toContain('55,000 train');
    // the theme comes from the link and goes back into it
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    await page.getByTestId('theme-toggle').click(); // dark -> system
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBeUndefined();
    await expect.poll(() => new URL(page.url()).searchParams.get('theme')).toBeNull();
    await page.getByTestId('theme-toggle').click(); // system -> light
    await expect.poll(() => new URL(page.url()).searchParams.get('theme')).toBe('light');
    for (const viewport of [
      { width: 1440, height: 900 },
      { width: 1280, height: 720 },
    ]) {
      await page.setViewportSize(viewport);
      expect(await outside(page, 'start')).toBe(0);
      expect(await outside(page, 'train-summary')).toBe(0);
      await expect.poll(() => outside(page, 'loss-chart'), { timeout: 60_000 }).toBe(0);
    }
    expect(await page.getByTestId('train-summary').textContent()).toContain('1 epoch · 640 samples');
    await page.getByTestId('start').click();
    await expect.poll(() => page.getByTestId('progress').count(), { timeout: 120_000 }).toBe(1);
    expect(await outside(page, 'progress')).toBe(0);
    await expect.poll(() => page.getByTestId('train-state').textContent(), { timeout: 240_000 }).toBe('finished');
    expect(await outside(page, 'start')).toBe(0);

    // the readout gives the values at a step: at the last step, the smoothed loss the caption reports
    const summary = (await page.getByTestId('loss-chart-summary').textContent()) ?? '';
    const [, latest, lastStep] = /latest train (\S+) \(smoothed\) at step (\d+)/.exec(summary) ?? [];
    expect(latest).toBeDefined();
    await page.getByTestId('loss-chart-step').focus();
    await page.keyboard.press('Home');
    expect(await page.getByTestId('loss-chart-readout').textContent()).toMatch(/^step \d+: /);
    await page.keyboard.press('End');
    const readout = await page.getByTestId('loss-chart-readout').textContent();
    expect(readout).toContain(`step ${lastStep}: `);
    expect(readout).toContain(`smoothed ${latest}`);
    // a log scale redraws the curve (powers of ten on the axis)
    await page.getByTestId('loss-chart-log').check();
    await expect
      .poll(() => page.locator('[data-testid=loss-chart] .smoothed-series').getAttribute('d'), { timeout: 10_000 })
      .toMatch(/^M[\d.]+,[\d.]+L/);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('loss-chart-csv').click()]);
    expect(download.suggestedFilename()).toBe('loss-chart.csv');

    await page.getByTestId('tab-text').click();
    await expect.poll(() => page.getByTestId('corpus-name').textContent(), { timeout: 60_000 }).toContain('State of the Union');
    for (const viewport of [
      { width: 1280, height: 720 },
      { width: 1440, height: 900 },
    ]) {
      await page.setViewportSize(viewport);
      expect(await outside(page, 'start')).toBe(0);
      expect(await outside(page, 'text-train-summary')).toBe(0);
      await expect.poll(() => outside(page, 'nats-chart'), { timeout: 60_000 }).toBe(0);
    }
  });

  it('keeps Start on the 1440x900 screen; Space starts the run, "?" lists the shortcuts', async () => {
    const { page } = await openPlayground(browser(), '?backend=cpu');
    await expect.poll(() => page.getByTestId('dataset-info').textContent(), { timeout: 120_000 }).toContain('55,000 train');
    await page.getByTestId('train-limit').fill('640');
    await page.getByTestId('epochs').fill('1');
    expect(await outside(page, 'start')).toBe(0);

    // shortcuts act only when focus is not in a field
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.keyboard.press('?');
    expect(await page.getByTestId('shortcuts').textContent()).toContain('Space');
    await page.keyboard.press('Escape');
    expect(await page.getByTestId('shortcuts').count()).toBe(0);

    await page.keyboard.press('Space');
    await expect.poll(() => page.getByTestId('train-state').textContent(), { timeout: 240_000 }).toMatch(/running|finished/);
  });
});
