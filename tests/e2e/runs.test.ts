import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { fillSettings, openDrawer, openPlayground, screenshot, useBrowser } from './browser';

const browser = useBrowser();

const points = async (page: Page, attr = 'data-points') =>
  Number(await page.getByTestId(attr === 'data-points' ? 'loss-chart' : 'accuracy-chart').getAttribute(attr));

async function startRun(page: Page, limit: number, epochs: number): Promise<void> {
  await expect.poll(() => page.getByTestId('dataset-info').textContent(), { timeout: 120_000 }).toContain('55,000 train');
  await fillSettings(page, { 'train-limit': String(limit), epochs: String(epochs) });
  await page.getByTestId('start').click();
}

describe('runs survive a reload', () => {
  it('offers to resume a run interrupted by a reload; the resumed run keeps its chart history and continues from the checkpoint', async () => {
    // wasm: the fastest backend here; 6,400 images = 100 steps per epoch, 6 epochs
    const { page, requests } = await openPlayground(browser(), '?backend=wasm');
    await startRun(page, 6400, 6);
    await expect.poll(() => points(page, 'data-val-points'), { timeout: 120_000 }).toBeGreaterThanOrEqual(2);
    await page.reload();

    const offer = page.getByTestId('resume-offer');
    await expect.poll(() => offer.count(), { timeout: 60_000 }).toBe(1);
    const text = (await offer.textContent())!;
    expect(text).toMatch(
      /Run v1 "MLP on MNIST" was interrupted at step [\d,]+ of 600\. Resume it from its last checkpoint \(step (200|300|400|500)\)\?/,
    );
    const checkpoint = Number(/checkpoint \(step (\d+)\)/.exec(text)![1]);
    expect(await page.locator('[data-testid=run-row][data-version="1"] [data-testid=run-status]').textContent()).toBe('interrupted');
    await expect.poll(() => page.getByTestId('dataset-info').textContent(), { timeout: 120_000 }).toContain('55,000 train');
    await page.getByTestId('resume-offered').click();
    // the chart history up to the checkpoint is drawn at once, before any new step
    await expect.poll(() => points(page), { timeout: 10_000 }).toBeGreaterThanOrEqual(checkpoint);
    expect(await points(page, 'data-val-points')).toBeGreaterThanOrEqual(checkpoint / 100);
    await expect.poll(() => page.getByTestId('train-state').textContent(), { timeout: 180_000 }).toBe('finished');
    // one loss point per step of all 6 epochs, none twice; one validation point per epoch
    expect(await points(page)).toBe(600);
    expect(await points(page, 'data-val-points')).toBe(6);
    expect(await page.getByTestId('progress').textContent()).toContain('step 600/600');
    await expect.poll(() => page.getByTestId('test-accuracy').textContent(), { timeout: 60_000 }).toMatch(/%$/);
    expect(parseFloat((await page.getByTestId('test-accuracy').textContent())!)).toBeGreaterThan(85);
    const row = page.locator('[data-testid=run-row][data-version="1"]');
    await expect.poll(() => row.getAttribute('data-status'), { timeout: 10_000 }).toBe('finished');
    expect(await row.getByTestId('run-metric').textContent()).toMatch(/^\d+\.\d\d %$/);

    // a second, short run; both on one comparison chart
    await fillSettings(page, { 'train-limit': '640', epochs: '2' });
    await page.getByTestId('start').click();
    await expect.poll(() => page.getByTestId('train-state').textContent(), { timeout: 120_000 }).toBe('finished');
    await expect.poll(() => page.getByTestId('run-row').count(), { timeout: 10_000 }).toBe(2);
    // the box ticks once the run's curve has loaded from storage (Runs: a view of the frame's third column)
    await openDrawer(page, 'runs');
    await page.locator('[data-testid=run-row][data-version="1"] [data-testid=run-compare]').click();
    await expect.poll(() => page.getByTestId('runs-overlay').getAttribute('data-runs'), { timeout: 10_000 }).toBe('1');
    await page.locator('[data-testid=run-row][data-version="2"] [data-testid=run-compare]').click();
    await expect.poll(() => page.getByTestId('runs-overlay').getAttribute('data-points'), { timeout: 10_000 }).toBe('6,2');
    expect(await page.locator('[data-testid=runs-overlay] .recharts-line').count()).toBe(2);
    // ... and over the tab's live charts, by step: one dashed path each, no dot per point, named in the legend and caption
    const loss = page.getByTestId('loss-chart');
    await expect.poll(() => loss.getAttribute('data-overlays'), { timeout: 10_000 }).toBe('2');
    expect(await loss.getAttribute('data-overlay-points')).toBe('6,2');
    expect(await page.getByTestId('accuracy-chart').getAttribute('data-overlay-points')).toBe('6,2');
    const overlayPaths = loss.locator('path.overlay-series');
    expect(await overlayPaths.count()).toBe(2);
    // 6 and 2 points: a path with 5 and 1 line segments after its first point
    expect((await overlayPaths.evaluateAll((ps) => ps.map((p) => (p.getAttribute('d') ?? '').split('L').length - 1))).sort()).toEqual([1, 5]);
    // the only dots are the live run's validation points
    expect(await loss.locator('circle').count()).toBe(Number(await loss.getAttribute('data-val-points')));
    expect(await loss.locator('.chart-legend li').allTextContents()).toEqual([
      'train',
      'smoothed',
      'validation',
      'v1 MLP on MNIST',
      'v2 MLP on MNIST',
    ]);
    const compared = (await page.getByTestId('accuracy-chart-overlays').textContent())!;
    expect(compared).toMatch(/^\. Compared: v1 MLP on MNIST: validation \d+\.\d% at step 600; v2 MLP on MNIST: validation \d+\.\d% at step 20\.$/);
    const v1Metric = parseFloat((await row.getByTestId('run-metric').textContent())!);
    expect(Number(/v1 MLP on MNIST: validation ([\d.]+)%/.exec(compared)![1])).toBeCloseTo(v1Metric, 0);
    expect(await page.getByTestId('loss-chart-overlays').textContent()).toMatch(
      /^\. Compared: v1 MLP on MNIST: validation \d\.\d{3} at step 600; v2 MLP on MNIST: validation \d\.\d{3} at step 20\.$/,
    );

    // a name with markup is shown as text, never parsed, and exported under a safe file name
    const evil = '<img src=x onerror="window.__pwned=1"> ../../v2';
    await page.locator('[data-testid=run-row][data-version="2"]').getByRole('button', { name: 'Rename' }).click();
    await page.getByTestId('rename-input').fill(evil);
    await page.getByTestId('rename-save').click();
    const v2 = page.locator('[data-testid=run-row][data-version="2"]');
    await expect.poll(() => v2.getByTestId('run-name').textContent(), { timeout: 10_000 }).toBe(evil);
    expect(await page.locator('[data-testid=runs-table] img').count()).toBe(0);
    expect(await page.evaluate(() => (window as { __pwned?: number }).__pwned)).toBeUndefined();
    const downloads: string[] = [];
    page.on('download', (d) => downloads.push(d.suggestedFilename()));
    await v2.getByTestId('run-export').click();
    await expect.poll(() => downloads.length, { timeout: 30_000 }).toBe(3);
    expect(downloads.sort()).toEqual([
      'img-src-x-onerror-window-__pwned-1-v2-v2.json',
      'img-src-x-onerror-window-__pwned-1-v2-v2.run.json',
      'img-src-x-onerror-window-__pwned-1-v2-v2.weights.bin',
    ]);
    await screenshot(page, 'runs');

    // reopening v1 shows its curves again; deleting v2 drops it from the list and the chart
    await page.locator('[data-testid=run-row][data-version="1"] [data-testid=run-open]').click();
    await expect.poll(() => points(page), { timeout: 30_000 }).toBe(600);
    await v2.getByTestId('run-delete').click();
    await expect.poll(() => page.getByTestId('run-row').count(), { timeout: 10_000 }).toBe(1);
    expect(await page.getByTestId('runs-overlay').getAttribute('data-points')).toBe('6');
    expect(await loss.getAttribute('data-overlay-points')).toBe('6');
    // unticking the last compared run takes its line off the live charts and its words off the caption
    await page.locator('[data-testid=run-row][data-version="1"] [data-testid=run-compare]').click();
    await expect.poll(() => loss.getAttribute('data-overlays'), { timeout: 10_000 }).toBe('0');
    expect(await loss.locator('.overlay-series').count()).toBe(0);
    expect(await page.getByTestId('loss-chart-overlays').count()).toBe(0);
    expect(await page.getByTestId('runs-overlay').count()).toBe(0);

    const origin = new URL(page.url()).origin;
    expect(requests.filter((u) => !u.startsWith(origin) && !u.startsWith('blob:') && !u.startsWith('data:'))).toEqual([]);
  });

  it('with storage off (as in a private window) says runs will not be kept, and trains', async () => {
    const { page } = await openPlayground(browser(), '?backend=wasm&storage=off');
    await expect
      .poll(() => page.getByTestId('notices').textContent(), { timeout: 60_000 })
      .toContain(
        'Runs will not be kept after this tab closes: keeping runs is turned off for this page (?storage=off). Training works as usual; export a run from the Runs panel to keep it.',
      );
    await startRun(page, 640, 1);
    await expect.poll(() => page.getByTestId('train-state').textContent(), { timeout: 120_000 }).toBe('finished');
    expect(await page.getByTestId('runs-storage').textContent()).toContain('Runs are kept only until this tab closes');
    await expect.poll(() => page.getByTestId('run-row').count(), { timeout: 10_000 }).toBe(1);
  });
});

describe('runs across tabs and on the Text tab', () => {
  it('a run training in one tab is "running in another tab" in a second one, offered for resume only once its tab closes', async () => {
    const { page: a } = await openPlayground(browser(), '?backend=wasm');
    await startRun(a, 6400, 20);
    await expect.poll(() => points(a, 'data-val-points'), { timeout: 120_000 }).toBeGreaterThanOrEqual(1);
    // paused, the run is still held by tab A (and the two slow cores are free for tab B)
    await a.getByTestId('pause').click();
    await expect.poll(() => a.getByTestId('train-state').textContent(), { timeout: 30_000 }).toBe('paused');

    const b = await a.context().newPage();
    await b.goto(a.url());
    await openDrawer(b, 'runs');
    const row = b.locator('[data-testid=run-row][data-version="1"]');
    await expect.poll(() => row.getAttribute('data-status'), { timeout: 60_000 }).toBe('elsewhere');
    expect(await row.getByTestId('run-status').textContent()).toBe('running in another tab');
    expect(await row.getByTestId('run-resume').count()).toBe(0);
    expect(await row.getByTestId('run-delete').isDisabled()).toBe(true);
    expect(await row.getByRole('button', { name: 'Rename' }).isDisabled()).toBe(true);
    expect(await b.getByTestId('resume-offer').count()).toBe(0);

    // closing tab A frees the run: tab B lists it as interrupted at once and offers to resume it, as after a reload
    await a.close();
    await expect.poll(() => row.getAttribute('data-status'), { timeout: 30_000 }).toBe('interrupted');
    expect(await b.getByTestId('resume-offer').count()).toBe(1);
    await b.reload();
    await expect.poll(() => b.getByTestId('resume-offer').count(), { timeout: 60_000 }).toBe(1);
    expect(await b.getByTestId('resume-offer').textContent()).toMatch(
      /Run v1 "MLP on MNIST" was interrupted at step [\d,]+ of 2,000\. Resume it from its last checkpoint \(step (100|200|300)\)\?/,
    );
    expect(await row.getByTestId('run-resume').count()).toBe(1);
  });

  it('a char-LSTM run reloaded mid-run resumes from the offer with its chart history and finishes', async () => {
    // a tiny char-LSTM on WASM: 12 rounds of 25 steps over the bundled corpus
    const settings = '?backend=wasm&tab=text&t.units=16&t.window=8&t.batch=16&t.rounds=12&t.every=25&t.sample=20&t.lr=0.02';
    const { page } = await openPlayground(browser(), settings);
    const nats = page.getByTestId('nats-chart');
    const chartPoints = async (attr: string) => Number(await nats.getAttribute(attr));
    await expect.poll(() => page.getByTestId('corpus-name').textContent(), { timeout: 120_000 }).toContain('State of the Union');
    await page.getByTestId('start').click();
    // the round's validation point is drawn before its sample and checkpoint are written: at the third point the
    // second round's checkpoint (step 50) is stored
    await expect.poll(() => chartPoints('data-val-points'), { timeout: 120_000 }).toBeGreaterThanOrEqual(3);
    await page.reload();

    const offer = page.getByTestId('resume-offer');
    await expect.poll(() => offer.count(), { timeout: 60_000 }).toBe(1);
    const text = (await offer.textContent())!;
    expect(text).toMatch(/Run v1 "char-LSTM on .*" was interrupted at step [\d,]+ of 300\. Resume it from its last checkpoint \(step \d+\)\?/);
    const checkpoint = Number(/checkpoint \(step (\d+)\)/.exec(text)![1]);
    expect(checkpoint % 25).toBe(0); // one checkpoint per round
    expect(checkpoint).toBeGreaterThanOrEqual(50);
    await expect.poll(() => page.getByTestId('corpus-name').textContent(), { timeout: 120_000 }).toContain('State of the Union');
    await page.getByTestId('resume-offered').click();
    // the history up to the checkpoint is back at once: one loss point per step, one validation point per round
    await expect.poll(() => chartPoints('data-points'), { timeout: 10_000 }).toBeGreaterThanOrEqual(checkpoint);
    expect(await chartPoints('data-val-points')).toBeGreaterThanOrEqual(checkpoint / 25);
    await expect.poll(() => page.getByTestId('train-state').textContent(), { timeout: 180_000 }).toBe('finished');
    expect(await chartPoints('data-points')).toBe(300);
    expect(await chartPoints('data-val-points')).toBe(12);
    expect(await page.getByTestId('progress').textContent()).toContain('step 300/300');
    const row = page.locator('[data-testid=run-row][data-version="1"]');
    await expect.poll(() => row.getAttribute('data-status'), { timeout: 10_000 }).toBe('finished');
    const metric = (await row.getByTestId('run-metric').textContent())!;
    expect(metric).toMatch(/^\d\.\d{3} nats\/char$/);
    // compared, the run's 12 validation points lie over all three text charts; its last one is the run's key metric
    await openDrawer(page, 'runs');
    await row.getByTestId('run-compare').click();
    await expect.poll(() => nats.getAttribute('data-overlay-points'), { timeout: 10_000 }).toBe('12');
    expect(await page.getByTestId('perplexity-chart').getAttribute('data-overlay-points')).toBe('12');
    expect(await page.getByTestId('nats-chart-overlays').textContent()).toContain(`validation ${metric.split(' ')[0]} at step 300.`);
  });
});
