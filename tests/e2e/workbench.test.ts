import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { docShots, fillSettings, openDrawer, openPlayground, useBrowser } from './browser';

const browser = useBrowser();
const SCREENS = [
  { width: 1440, height: 900 },
  { width: 1280, height: 720 },
];

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** How far (px) an element's box sticks out of the viewport: 0 when it lies wholly inside. */
async function outside(page: Page, testId: string): Promise<number> {
  const box = await page.getByTestId(testId).boundingBox();
  if (!box) return Infinity;
  const { width, height } = page.viewportSize() ?? { width: 0, height: 0 };
  return Math.max(0, -box.x, -box.y, box.x + box.width - width, box.y + box.height - height);
}

/** Each test id's element (a chart's plot area, a button) lies wholly in the viewport; the page itself does not scroll. */
async function expectOnScreen(page: Page, testIds: string[]): Promise<void> {
  for (const id of testIds) await expect.poll(() => outside(page, id), { timeout: 30_000, message: id }).toBe(0);
  expect(await page.evaluate(() => document.documentElement.scrollHeight - window.innerHeight)).toBeLessThanOrEqual(0);
}

/** The third column's five view tabs (Result, Settings, Runs, Compress, Inspect) lie in one row. */
async function expectTabsInOneRow(page: Page): Promise<void> {
  const tops = await page.locator('.drawer-tabs button').evaluateAll((bs) => bs.map((b) => Math.round(b.getBoundingClientRect().top)));
  expect(tops).toEqual(Array(5).fill(tops[0]));
  // none cut off: the row needs no more width than its column gives it
  expect(await page.locator('.drawer-tabs').evaluate((r) => r.scrollWidth - r.clientWidth)).toBeLessThanOrEqual(0);
}

const overlap = (a: Box, b: Box) =>
  Math.max(0, Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x)) *
  Math.max(0, Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y));

/** Pairs of a notice and a control (outside notices) whose visible boxes intersect. */
async function noticesOverControls(page: Page): Promise<string[]> {
  const notices = await page.locator('.notice').evaluateAll((ns) => ns.map((n) => n.getBoundingClientRect().toJSON() as Box));
  const controls = await page.locator('button, input, select, textarea, a[href], canvas[tabindex]').evaluateAll((cs) =>
    cs
      .filter((c) => !c.closest('.notice') && (c as HTMLElement).offsetParent !== null)
      .map((c) => {
        // what is seen of the control: its box clipped by every scrolling column around it
        let { left, top, right, bottom } = c.getBoundingClientRect();
        for (let a = c.parentElement; a; a = a.parentElement) {
          const style = getComputedStyle(a);
          if (style.overflowX === 'visible' && style.overflowY === 'visible') continue;
          const r = a.getBoundingClientRect();
          [left, top, right, bottom] = [Math.max(left, r.left), Math.max(top, r.top), Math.min(right, r.right), Math.min(bottom, r.bottom)];
        }
        return {
          id: (c as HTMLElement).dataset.testid ?? c.tagName,
          box: { x: left, y: top, width: Math.max(0, right - left), height: Math.max(0, bottom - top) },
        };
      }),
  );
  return notices.flatMap((n, i) => controls.filter((c) => overlap(n, c.box) > 0).map((c) => `notice ${i} over ${c.id}`));
}

/** The training values of a chart's CSV download, by step. */
async function csvOf(page: Page, chart: string): Promise<Map<number, number>> {
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId(`${chart}-csv`).click()]);
  expect(download.suggestedFilename()).toBe(`${chart}.csv`);
  const lines = readFileSync((await download.path())!, 'utf8')
    .trim()
    .split('\n');
  expect(lines[0]).toBe('step,train,train_smoothed,validation');
  return new Map(
    lines
      .slice(1)
      .map((l) => l.split(','))
      .filter((c) => c[1] !== '')
      .map((c) => [Number(c[0]), Number(c[1])]),
  );
}

describe('the workbench', () => {
  it('keeps Start, the progress and both charts on screen at 1440x900 and 1280x720, before and during a run; notices never cover a control', async () => {
    // an unknown setting in the link gives a notice that stays while the run goes on
    const { page } = await openPlayground(browser(), '?backend=cpu&theme=dark&legacy=1');
    await expect.poll(() => page.getByTestId('dataset-info').textContent(), { timeout: 120_000 }).toContain('55,000 train');
    expect(await page.getByTestId('notices').textContent()).toContain('"legacy" is unknown');
    // the theme comes from the link and goes back into it
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    await page.getByTestId('theme-toggle').click(); // dark -> system
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBeUndefined();
    await expect.poll(() => new URL(page.url()).searchParams.get('theme')).toBeNull();
    await page.getByTestId('theme-toggle').click(); // system -> light
    await expect.poll(() => new URL(page.url()).searchParams.get('theme')).toBe('light');

    // the full form is the Settings view of the third column: "change" in the summary opens it with focus in its first field
    await page.getByTestId('change-settings').click();
    expect(await page.getByTestId('drawer-settings').getAttribute('aria-expanded')).toBe('true');
    expect(await page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.testid)).toBe('optimizer');
    expect(await page.getByRole('region', { name: 'Settings' }).getByTestId('hyperparameters-panel').isVisible()).toBe(true);
    // filling it scrolls that column only: the view lies in the frame, Start and the charts stay where they are
    await page.getByTestId('train-limit').fill('12800');
    await page.getByTestId('epochs').fill('1');
    for (const screen of SCREENS) {
      await page.setViewportSize(screen);
      await expectOnScreen(page, ['start', 'train-summary', 'loss-chart-plot', 'accuracy-chart-plot', 'drawers', 'optimizer', 'drawer-inspect']);
      await expectTabsInOneRow(page);
      const frame = (await page.getByTestId('drawers').boundingBox())!;
      const view = (await page.getByTestId('drawer-view-settings').boundingBox())!;
      expect(view.x).toBeGreaterThanOrEqual(frame.x);
      expect(view.x + view.width).toBeLessThanOrEqual(frame.x + frame.width);
      expect(view.y).toBeLessThan(frame.y + frame.height);
    }
    await docShots(page, 'screenshot-settings');
    // closed with the keyboard (another view), the values stay: the summary and Start use them; reopened, the form shows them
    await page.getByTestId('drawer-result').focus();
    await page.keyboard.press('Enter');
    expect(await page.getByTestId('drawer-view-settings').isVisible()).toBe(false);
    expect(await page.getByTestId('draw-pad').isVisible()).toBe(true);
    expect(await page.getByTestId('train-summary').textContent()).toContain('1 epoch · 12,800 samples');
    await page.getByTestId('drawer-settings').focus();
    await page.keyboard.press('Enter');
    expect(await page.getByTestId('train-limit').isVisible()).toBe(true);
    expect([await page.getByTestId('train-limit').inputValue(), await page.getByTestId('epochs').inputValue()]).toEqual(['12800', '1']);
    await expectOnScreen(page, ['start']);
    await openDrawer(page, 'result');

    // shortcuts act when focus is not in a field: "?" lists them, Space starts, pauses and resumes
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.keyboard.press('?');
    expect(await page.getByTestId('shortcuts').textContent()).toContain('Space');
    await page.keyboard.press('Escape');
    expect(await page.getByTestId('shortcuts').count()).toBe(0);
    await page.keyboard.press('Space');
    await expect.poll(() => page.getByTestId('progress').count(), { timeout: 120_000 }).toBe(1);
    await page.keyboard.press('Space');
    await expect.poll(() => page.getByTestId('train-state').textContent(), { timeout: 60_000 }).toBe('paused');
    for (const screen of SCREENS) {
      await page.setViewportSize(screen);
      await expectOnScreen(page, ['start', 'progress', 'loss-chart-plot', 'accuracy-chart-plot', 'drawer-inspect']);
      await expectTabsInOneRow(page);
      expect(await page.getByTestId('notices').locator('.notice').count()).toBeGreaterThan(0);
      expect(await noticesOverControls(page)).toEqual([]);
    }
    await page.keyboard.press('Space');
    await expect.poll(() => page.getByTestId('train-state').textContent(), { timeout: 240_000 }).toBe('finished');
    await expectOnScreen(page, ['start', 'progress', 'loss-chart-plot', 'accuracy-chart-plot']);
    expect(await noticesOverControls(page)).toEqual([]);
    await expect.poll(() => page.getByTestId('test-accuracy').textContent(), { timeout: 120_000 }).toMatch(/%$/);
    await docShots(page, 'screenshot-1280x720');
    await page.setViewportSize(SCREENS[0]);
    await docShots(page, 'screenshot-1440x900');
    await docShots(page, 'screenshot');

    // Settings, Runs and Compress open in the third column of the same frame: Start and the charts stay in view
    const panelOf = { settings: 'hyperparameters-panel', runs: 'runs-panel', compress: 'compress-panel-images' };
    for (const tool of ['settings', 'runs', 'compress'] as const) {
      await openDrawer(page, tool);
      await expectOnScreen(page, ['start', 'loss-chart-plot', 'accuracy-chart-plot']);
      expect(await page.getByTestId(panelOf[tool]).isVisible()).toBe(true);
      expect(await page.getByTestId('draw-pad').isVisible()).toBe(false);
    }
    expect(await page.getByTestId('run-row').count()).toBe(1);
    await openDrawer(page, 'result');
    expect(await page.getByTestId('draw-pad').isVisible()).toBe(true);
  });

  it('reads the loss chart at a known step (keyboard and pointer), zooms to the last 50 steps, logs, and downloads CSV, SVG and PNG', async () => {
    const { page } = await openPlayground(browser(), '?backend=cpu&limit=6400&epochs=1', { width: 1280, height: 720 });
    await expect.poll(() => page.getByTestId('dataset-info').textContent(), { timeout: 120_000 }).toContain('55,000 train');
    await page.getByTestId('start').click();
    await expect.poll(() => page.getByTestId('train-state').textContent(), { timeout: 240_000 }).toBe('finished');
    expect(await page.getByTestId('loss-chart').getAttribute('data-points')).toBe('100');
    const loss = await csvOf(page, 'loss-chart');
    expect(loss.size).toBe(100);

    // keyboard: Home, then 37 steps right: the readout gives the CSV's value at step 37
    await page.getByTestId('loss-chart-step').focus();
    await page.keyboard.press('Home');
    for (let i = 0; i < 37; i++) await page.keyboard.press('ArrowRight');
    expect(await page.getByTestId('loss-chart-readout').textContent()).toContain(`step 37: train ${loss.get(37)!.toFixed(3)} · smoothed `);
    // End: the last step, with the smoothed value the caption reports
    await page.keyboard.press('End');
    const [, latest, lastStep] =
      /latest train (\S+) \(smoothed\) at step (\d+)/.exec((await page.getByTestId('loss-chart-summary').textContent()) ?? '') ?? [];
    expect(lastStep).toBe('100');
    expect(await page.getByTestId('loss-chart-readout').textContent()).toContain(`step 100: train ${loss.get(100)!.toFixed(3)} · smoothed ${latest}`);
    // pointer: over the plot at step 60 of 0..100 (the plot area starts after the 48 px y axis, ends 16 px before the right edge)
    const plot = (await page.getByTestId('loss-chart-plot').boundingBox())!;
    await page.mouse.move(plot.x + 48 + ((plot.width - 48 - 16) * 60) / 100, plot.y + plot.height / 2);
    expect(await page.getByTestId('loss-chart-readout').textContent()).toContain(`step 60: train ${loss.get(60)!.toFixed(3)}`);

    // the last 50 steps: the x axis runs 50..100, the curve starts at the plot's left edge
    expect(await page.getByTestId('loss-chart').getAttribute('data-x-range')).toBe('0,100');
    await page.getByTestId('loss-chart-zoom').selectOption('50');
    await expect.poll(() => page.getByTestId('loss-chart').getAttribute('data-x-range'), { timeout: 10_000 }).toBe('50,100');
    const smoothed = page.locator('[data-testid=loss-chart] .smoothed-series');
    await expect.poll(async () => ((await smoothed.getAttribute('d')) ?? '').split('L').length, { timeout: 10_000 }).toBe(51);
    // its first point (step 50) at the plot area's left edge (after the 48 px y axis), its last (step 100) at the right (16 px margin)
    const xs = ((await smoothed.getAttribute('d')) ?? '')
      .split(/[ML]/)
      .filter(Boolean)
      .map((p) => Number(p.split(',')[0]));
    const plotWidth = (await page.getByTestId('loss-chart-plot').boundingBox())!.width;
    expect(xs[0]).toBeCloseTo(48, 0);
    expect(xs[xs.length - 1]).toBeCloseTo(plotWidth - 16, 0);
    // a log scale redraws the curve (powers of ten on the axis)
    await page.getByTestId('loss-chart-log').check();
    await expect.poll(() => smoothed.getAttribute('d'), { timeout: 10_000 }).toMatch(/^M[\d.]+,[\d.]+L/);
    const path = await smoothed.getAttribute('d');

    // SVG: standalone, the theme's colours written in, the same curve, the drawing's size
    const drawn = async () => {
      const box = (await page.locator('[data-testid=loss-chart] svg.recharts-surface').boundingBox())!;
      return [Math.round(box.width), Math.round(box.height)];
    };
    const size = await drawn();
    const [svgFile] = await Promise.all([page.waitForEvent('download'), page.getByTestId('loss-chart-svg').click()]);
    expect(svgFile.suggestedFilename()).toBe('loss-chart.svg');
    const svg = readFileSync((await svgFile.path())!, 'utf8');
    expect(svg).toMatch(/^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svg).toContain('<title>Loss</title>');
    expect(svg).toContain(`d="${path}"`);
    expect(svg).not.toContain('var(');
    const accent = await page.evaluate(() => getComputedStyle(document.querySelector('[data-testid=loss-chart] .smoothed-series')!).stroke);
    expect(svg).toContain(`stroke:${accent}`);
    expect([Number(/ width="(\d+)"/.exec(svg)![1]), Number(/ height="(\d+)"/.exec(svg)![1])]).toEqual(size);
    // PNG: the drawing at twice its size (IHDR: width and height, big-endian, at bytes 16 and 20), the size read in
    // the same task as the click (the export reads it then), so no layout change can come between them
    const [pngFile, pngSize] = await Promise.all([
      page.waitForEvent('download'),
      page.evaluate(() => {
        const box = document.querySelector('[data-testid=loss-chart] svg.recharts-surface')!.getBoundingClientRect();
        document.querySelector<HTMLButtonElement>('[data-testid=loss-chart-png]')!.click();
        return [Math.round(box.width), Math.round(box.height)];
      }),
    ]);
    expect(pngSize[0]).toBe(size[0]);
    expect(pngFile.suggestedFilename()).toBe('loss-chart.png');
    const png = readFileSync((await pngFile.path())!);
    expect([...png.subarray(0, 8)]).toEqual([137, 80, 78, 71, 13, 10, 26, 10]);
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual(pngSize.map((n) => n * 2));
  });

  it('keeps Start, the progress and the three text charts on screen at 1280x720 and 1440x900, before and during a char-LSTM run', async () => {
    const { page } = await openPlayground(browser(), '?backend=cpu&tab=text', { width: 1280, height: 720 });
    await expect.poll(() => page.getByTestId('corpus-name').textContent(), { timeout: 120_000 }).toContain('State of the Union');
    const charts = ['nats-chart-plot', 'bits-chart-plot', 'perplexity-chart-plot'];
    for (const screen of SCREENS) {
      await page.setViewportSize(screen);
      await expectOnScreen(page, ['start', 'text-train-summary', ...charts]);
    }
    // the Text tab's Settings view (training, then the char model's sizes) lies in the frame too
    await openDrawer(page, 'settings');
    for (const screen of SCREENS) {
      await page.setViewportSize(screen);
      await expectOnScreen(page, ['start', 'drawers', 'text-optimizer', ...charts]);
    }
    expect(await page.getByTestId('char-architecture-panel').isVisible()).toBe(true);
    await fillSettings(page, { 'char-units': '16', 'char-window': '8', 'text-batch-size': '16', 'text-rounds': '100', 'text-eval-every': '3' });
    await page.getByTestId('start').click();
    await expect.poll(() => page.getByTestId('progress').count(), { timeout: 120_000 }).toBe(1);
    await page.getByTestId('pause').click();
    await expect.poll(() => page.getByTestId('train-state').textContent(), { timeout: 60_000 }).toBe('paused');
    for (const screen of SCREENS) {
      await page.setViewportSize(screen);
      await expectOnScreen(page, ['start', 'progress', ...charts]);
    }
    await page.getByTestId('stop').click();
    await expect.poll(() => page.getByTestId('train-state').textContent(), { timeout: 120_000 }).toBe('stopped');
  });

  it('on a 390x844 phone: step links, Start pinned in reach while scrolling, the charts reached and drawn', async () => {
    const { page } = await openPlayground(browser(), '?backend=cpu&limit=640&epochs=1', { width: 390, height: 844 });
    await expect.poll(() => page.getByTestId('dataset-info').textContent(), { timeout: 120_000 }).toContain('55,000 train');
    expect(await page.getByTestId('steps').isVisible()).toBe(true);
    expect(await outside(page, 'start')).toBe(0);
    // the Settings step shows that view and scrolls to it; Start stays in reach
    await page.getByTestId('step-settings').click();
    await expect.poll(() => outside(page, 'optimizer'), { timeout: 10_000 }).toBe(0);
    expect(await page.getByTestId('drawer-settings').getAttribute('aria-expanded')).toBe('true');
    expect(await outside(page, 'start')).toBe(0);
    // the view's tabs land below the sticky step links, not under them
    const stepsBox = (await page.getByTestId('steps').boundingBox())!;
    expect((await page.getByTestId('drawer-settings').boundingBox())!.y).toBeGreaterThanOrEqual(stepsBox.y + stepsBox.height - 1);
    await page.getByTestId('start').click();
    await expect.poll(() => page.getByTestId('train-state').textContent(), { timeout: 240_000 }).toBe('finished');
    await page.getByTestId('step-charts-panel').click();
    await expect.poll(() => outside(page, 'loss-chart-plot'), { timeout: 10_000 }).toBe(0);
    expect(await outside(page, 'start')).toBe(0);
    // the pinned run controls never cover the chart they sit under
    const bar = (await page.locator('.run-bar').boundingBox())!;
    expect(overlap(bar, (await page.getByTestId('loss-chart-plot').boundingBox())!)).toBe(0);
    expect(Number(await page.getByTestId('loss-chart').getAttribute('data-points'))).toBe(10);
    await docShots(page, 'screenshot-390x844');
    await page.getByTestId('step-tools').click();
    expect(await outside(page, 'start')).toBe(0);
    expect(await page.getByTestId('drawer-result').getAttribute('aria-expanded')).toBe('true'); // the Result step shows the result again
    await expect.poll(() => page.getByTestId('test-accuracy').textContent(), { timeout: 120_000 }).toMatch(/%$/);
    expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBe(0);
  });
});
