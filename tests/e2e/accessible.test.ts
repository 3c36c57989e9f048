import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { baseUrl, fillSettings, openDrawer, openPlayground, screenshot, useBrowser } from './browser';

const browser = useBrowser();
// axe's source, evaluated through the DevTools protocol: the page's Content-Security-Policy rightly refuses an
// injected inline <script>
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface Violation {
  id: string;
  impact: string | null;
  targets: string[];
}

/** axe-core's WCAG 2.x A/AA rules on the page as it is now; only serious and critical findings. */
async function seriousViolations(page: Page): Promise<Violation[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE);
  return page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: { run(c: Document, o: object): Promise<{ violations: { id: string; impact: string | null; nodes: { target: string[] }[] }[] }> };
      }
    ).axe;
    const { violations } = await axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
      resultTypes: ['violations'],
    });
    return violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => ({ id: v.id, impact: v.impact, targets: v.nodes.map((n) => n.target.join(' ')) }));
  });
}

/** Horizontal overflow: how far the page is wider than the viewport (0 = fits). */
const overflow = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
const chartWidth = (page: Page) => page.locator('[data-testid=loss-chart] .recharts-wrapper').evaluate((e) => e.getBoundingClientRect().width);

describe('accessible on any screen', () => {
  it('has no serious or critical axe violations, before and after a short run, on both tabs', async () => {
    const { page } = await openPlayground(browser(), '?backend=cpu');
    await expect.poll(() => page.getByTestId('dataset-info').textContent(), { timeout: 120_000 }).toContain('55,000 train');
    expect(await page.getByTestId('guide').isVisible()).toBe(true);
    expect(await seriousViolations(page)).toEqual([]);
    await fillSettings(page, { 'train-limit': '640', epochs: '1' });
    await page.getByTestId('start').click();
    await expect.poll(() => page.getByTestId('test-accuracy').textContent(), { timeout: 120_000 }).toMatch(/%$/);
    // the charts' text summary gives their latest values in words
    expect(await page.getByTestId('loss-chart-summary').textContent()).toMatch(
      /latest train \d\.\d{3} \(smoothed\) at step 10; validation \d\.\d{3} after epoch 1/,
    );
    expect(await seriousViolations(page)).toEqual([]);

    // a digit drawn with the keyboard alone: pen down, a vertical stroke, pen up classifies it
    await page.getByTestId('draw-pad').focus();
    await page.keyboard.press('Space');
    for (let i = 0; i < 10; i++) await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Space');
    await expect.poll(() => page.getByTestId('draw-guess').textContent(), { timeout: 30_000 }).toMatch(/^[0-9]$/);
    const probs = await page.locator('[data-testid=draw-probabilities] meter').evaluateAll((ms) => ms.map((m) => (m as HTMLMeterElement).value));
    expect(probs.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 3);
    const ink = await page.getByTestId('draw-pad').evaluate((c) => {
      const data = (c as HTMLCanvasElement).getContext('2d')!.getImageData(0, 0, 280, 280).data;
      let n = 0;
      for (let i = 3; i < data.length; i += 4) n += data[i] > 0 ? 1 : 0;
      return n;
    });
    expect(ink).toBeGreaterThan(22 * 140 * 0.9); // a 22 px wide stroke 140 px long
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByTestId('tab-text').click();
    await expect.poll(() => page.getByTestId('corpus-name').textContent(), { timeout: 60_000 }).toContain('State of the Union');
    expect(await seriousViolations(page)).toEqual([]);
  });

  it('has no serious or critical axe violations in the dark theme (colour contrast included), with each view of the third column', async () => {
    const { page } = await openPlayground(browser(), '?backend=cpu&theme=dark&limit=640&epochs=1');
    await expect.poll(() => page.getByTestId('dataset-info').textContent(), { timeout: 120_000 }).toContain('55,000 train');
    // the dark colours are in use: the page's background is dark, its text light
    const [bg, fg] = await page.evaluate(() => [getComputedStyle(document.documentElement).backgroundColor, getComputedStyle(document.body).color]);
    expect(bg).toBe('rgb(11, 17, 32)');
    expect(fg).toBe('rgb(229, 231, 235)');
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByTestId('start').click();
    await expect.poll(() => page.getByTestId('test-accuracy').textContent(), { timeout: 120_000 }).toMatch(/%$/);
    expect(await seriousViolations(page)).toEqual([]);
    for (const tool of ['settings', 'runs', 'compress'] as const) {
      await openDrawer(page, tool);
      expect(await seriousViolations(page)).toEqual([]);
    }
    await openDrawer(page, 'result');
    await page.getByTestId('tab-text').click();
    await expect.poll(() => page.getByTestId('corpus-name').textContent(), { timeout: 60_000 }).toContain('State of the Union');
    expect(await seriousViolations(page)).toEqual([]);
  });

  it('works by keyboard in a visible focus order: the tabs with arrow keys, every stop outlined, Start reachable', async () => {
    const { page } = await openPlayground(browser(), '?backend=cpu');
    await expect.poll(() => page.getByTestId('dataset-info').textContent(), { timeout: 120_000 }).toContain('55,000 train');
    const stops: { testId: string | null; tag: string; outline: number; top: number }[] = [];
    for (let i = 0; i < 60 && !stops.some((s) => s.testId === 'start'); i++) {
      await page.keyboard.press('Tab');
      stops.push(
        await page.evaluate(() => {
          const e = document.activeElement as HTMLElement;
          const style = getComputedStyle(e);
          return {
            testId: e.dataset.testid ?? null,
            tag: e.tagName,
            outline: style.outlineStyle === 'none' ? 0 : parseFloat(style.outlineWidth),
            top: e.getBoundingClientRect().top + window.scrollY,
          };
        }),
      );
    }
    const ids = stops.map((s) => s.testId);
    // header, guide, tabs, data, model (its layers open in Settings), then the settings' summary and Start, as they read on the page
    expect(ids.indexOf('backend-select')).toBeGreaterThanOrEqual(0);
    expect(ids.indexOf('backend-select')).toBeLessThan(ids.indexOf('guide-dismiss'));
    expect(ids.indexOf('guide-dismiss')).toBeLessThan(ids.indexOf('tab-images'));
    expect(ids.indexOf('tab-images')).toBeLessThan(ids.indexOf('idx-input'));
    expect(ids.indexOf('idx-input')).toBeLessThan(ids.indexOf('edit-architecture'));
    expect(ids.indexOf('edit-architecture')).toBeLessThan(ids.indexOf('change-settings'));
    expect(ids.indexOf('change-settings')).toBeLessThan(ids.indexOf('start'));
    expect(ids).not.toContain('tab-text'); // one tab stop for the tab list
    expect(stops.filter((s) => s.outline < 2)).toEqual([]);

    await page.getByTestId('tab-images').focus();
    await page.keyboard.press('ArrowRight');
    expect(await page.getByTestId('tab-text').getAttribute('aria-selected')).toBe('true');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('tab-text');
    expect(await page.getByTestId('corpus-panel').count()).toBe(1);
    await page.keyboard.press('Home');
    expect(await page.getByTestId('tab-images').getAttribute('aria-selected')).toBe('true');
  });

  it('explains each hyperparameter with its default, and shows the three-step guide until it is dismissed', async () => {
    const { page } = await openPlayground(browser(), '?backend=cpu');
    const describedBy = async (testId: string) =>
      page.getByTestId(testId).evaluate((e) =>
        (e.getAttribute('aria-describedby') ?? '')
          .split(' ')
          .map((id) => document.getElementById(id)?.textContent ?? '')
          .join(' '),
      );
    expect(await describedBy('learning-rate')).toContain('Default 0.001.');
    expect(await describedBy('epochs')).toContain('Default 15.');
    expect(await describedBy('optimizer')).toContain('Default adam.');
    const steps = await page.locator('[data-testid=guide] li').allTextContents();
    expect(steps.map((s) => s.split(':')[0])).toEqual(['Pick data', 'Pick a model', 'Train']);
    await page.locator('[data-testid=guide] a', { hasText: 'Train' }).click();
    expect(new URL(page.url()).hash).toBe('#train-panel');
    await page.getByTestId('guide-dismiss').click();
    expect(await page.getByTestId('guide').count()).toBe(0);
    await page.reload();
    await expect.poll(() => page.getByTestId('active-backend').textContent(), { timeout: 60_000 }).toBe('cpu');
    expect(await page.getByTestId('guide').count()).toBe(0);
  });

  it('holds each chart\'s place with a "Loading chart" placeholder while recharts loads; the chart then takes it without moving the page', async () => {
    const context = await browser().newContext({ viewport: { width: 1440, height: 900 } });
    // the live charts' chunk is held back until the placeholders are checked
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    await context.route(/\/assets\/MetricChart-[\w-]+\.js$/, async (route) => {
      await held;
      await route.continue();
    });
    const page = await context.newPage();
    await page.goto(`${baseUrl()}?backend=cpu`);
    const panel = page.getByTestId('charts-panel');
    const placeholders = panel.locator('figure[aria-busy=true]');
    await expect.poll(() => placeholders.count(), { timeout: 60_000 }).toBe(2);
    expect(await placeholders.locator('figcaption').allTextContents()).toEqual(['Loss', 'Accuracy']);
    expect(await placeholders.locator('.chart-loading').allTextContents()).toEqual(['Loading chart…', 'Loading chart…']);
    const waiting = (await panel.boundingBox())!.height;
    expect(await seriousViolations(page)).toEqual([]);
    release();
    await expect.poll(() => panel.locator('.recharts-wrapper').count(), { timeout: 60_000 }).toBe(2);
    expect(await placeholders.count()).toBe(0);
    expect(await page.getByTestId('loss-chart').getAttribute('data-points')).toBe('0');
    expect(Math.abs((await panel.boundingBox())!.height - waiting)).toBeLessThan(2);
  });

  it('fits 360 px to desktop: no sideways scrolling, one column on a phone, charts resize; screenshots at 390x844 and 1440x900', async () => {
    const { page } = await openPlayground(browser(), '?backend=cpu&limit=640&epochs=1', { width: 1440, height: 900 });
    await expect.poll(() => page.getByTestId('dataset-info').textContent(), { timeout: 120_000 }).toContain('55,000 train');
    await page.getByTestId('guide-dismiss').click();
    await page.getByTestId('start').click();
    await expect.poll(() => page.getByTestId('test-accuracy').textContent(), { timeout: 120_000 }).toMatch(/%$/);
    const wide = await chartWidth(page);
    const dataBox = (await page.getByTestId('data-panel').boundingBox())!;
    const trainBox = (await page.getByTestId('train-panel').boundingBox())!;
    expect(trainBox.x).toBeGreaterThan(dataBox.x + dataBox.width - 1); // two columns side by side
    expect(await overflow(page)).toBe(0);
    await screenshot(page, 'desktop-1440x900');

    for (const width of [390, 360]) {
      await page.setViewportSize({ width, height: 844 });
      await expect.poll(() => chartWidth(page)).toBeLessThan(width);
      expect(await overflow(page)).toBe(0);
      const model = (await page.getByTestId('model-panel').boundingBox())!;
      const train = (await page.getByTestId('train-panel').boundingBox())!;
      expect(train.y).toBeGreaterThan(model.y + model.height - 1); // one column: training below the model
      if (width === 390) await screenshot(page, 'phone-390x844');
    }
    expect(wide).toBeGreaterThan(600);
    await page.getByTestId('tab-text').click();
    await expect.poll(() => page.getByTestId('corpus-name').textContent(), { timeout: 60_000 }).toContain('State of the Union');
    expect(await overflow(page)).toBe(0);
    await screenshot(page, 'phone-360x844-text');
  });
});
