import { describe, expect, it } from 'vitest';
import { fillSettings, openPlayground, trainMnistBriefly, useBrowser } from './browser';
import { policyProblems } from './policy';

const browser = useBrowser();

describe('backend faults', () => {
  it('a WebGPU device destroyed mid-run pauses training, tells the user and continues on the next backend from the last checkpoint', async () => {
    const { page, requests, consoleErrors } = await openPlayground(browser(), '?backend=webgpu&testHooks=1');
    await expect.poll(() => page.getByTestId('active-backend').textContent(), { timeout: 60_000 }).toBe('webgpu');
    await expect.poll(() => page.getByTestId('dataset-info').textContent(), { timeout: 120_000 }).toContain('55,000 train');
    // 640 images = 10 steps per epoch, 3 epochs
    await fillSettings(page, { 'train-limit': '640', epochs: '3' });
    await page.getByTestId('start').click();
    // lost once epoch 1 is checkpointed (on SwiftShader, a CPU emulation of WebGPU, the first steps take minutes)
    await expect
      .poll(async () => Number(await page.getByTestId('accuracy-chart').getAttribute('data-val-points')), { timeout: 240_000 })
      .toBeGreaterThanOrEqual(1);
    // ...and stored: the validation point reaches the page before the epoch's checkpoint is written
    const checkpointStep = () =>
      page.evaluate(async () => {
        const engine = (globalThis as unknown as { playgroundEngine: { listRuns(): Promise<{ version: number; checkpointStep: number | null }[]> } })
          .playgroundEngine;
        return (await engine.listRuns()).find((r) => r.version === 1)?.checkpointStep ?? 0;
      });
    await expect.poll(checkpointStep, { timeout: 60_000 }).toBeGreaterThanOrEqual(10);
    const destroyed = await page.evaluate(() =>
      (globalThis as unknown as { playgroundEngine: { loseDevice(): Promise<boolean> } }).playgroundEngine.loseDevice(),
    );
    expect(destroyed).toBe(true);

    await expect
      .poll(() => page.getByTestId('notices').textContent(), { timeout: 60_000 })
      .toMatch(
        /Training paused on webgpu: the GPU device was lost \([^)]*\)\. It goes on on webgl from the last checkpoint \(step (10|20)\); nothing trained before that step is lost\./,
      );
    await expect.poll(() => page.getByTestId('train-state').textContent(), { timeout: 180_000 }).toBe('finished');
    expect(await page.getByTestId('active-backend').textContent()).toBe('webgl');
    // every step of the 3 epochs exactly once (the steps after the checkpoint were dropped and trained again)
    expect(await page.getByTestId('loss-chart').getAttribute('data-points')).toBe('30');
    expect(await page.getByTestId('accuracy-chart').getAttribute('data-val-points')).toBe('3');
    await expect.poll(() => page.getByTestId('test-accuracy').textContent(), { timeout: 60_000 }).toMatch(/%$/);
    expect(parseFloat((await page.getByTestId('test-accuracy').textContent())!)).toBeGreaterThan(50);
    const row = page.locator('[data-testid=run-row][data-version="1"]');
    await expect.poll(() => row.getAttribute('data-status'), { timeout: 10_000 }).toBe('finished');
    // WebGPU, then WebGL, under the Content-Security-Policy: nothing blocked, nothing fetched from elsewhere
    const notices = (await page.getByTestId('notices').textContent()) ?? '';
    expect(policyProblems([notices, ...consoleErrors])).toEqual([]);
    const origin = new URL(page.url()).origin;
    expect(requests.filter((u) => !u.startsWith(`${origin}/`) && !u.startsWith('blob:') && !u.startsWith('data:'))).toEqual([]);
  });

  it('a crashed engine worker is restarted once with one message and trains again; a second crash asks for a reload, with no loop', async () => {
    const { page } = await openPlayground(browser(), '?backend=wasm&testHooks=1');
    await expect.poll(() => page.getByTestId('dataset-info').textContent(), { timeout: 120_000 }).toContain('55,000 train');
    const crash = () => page.evaluate(() => (globalThis as unknown as { playgroundEngine: { crash(): Promise<void> } }).playgroundEngine.crash());
    await crash();
    await expect.poll(() => page.getByTestId('notices').textContent(), { timeout: 30_000 }).toContain('The engine worker stopped');
    expect(await page.getByTestId('notices').textContent()).toContain('a crash asked for by a test');
    expect(await page.getByTestId('notices').textContent()).toContain('It was restarted');
    await expect.poll(() => page.getByTestId('active-backend').textContent(), { timeout: 60_000 }).toBe('wasm');
    await trainMnistBriefly(page, 640, 1); // the new worker loaded the data again and trains
    expect(parseFloat((await page.getByTestId('test-accuracy').textContent())!)).toBeGreaterThan(50);

    // notices sit in the page's flow: scrolled to Start, nothing covers it
    expect(await page.getByTestId('notices').evaluate((el) => getComputedStyle(el).position)).not.toMatch(/fixed|sticky/);
    // Start scrolled to the top edge of the window, where a pinned notice would sit: nothing covers it
    const uncovered = await page.getByTestId('start').evaluate((el) => {
      el.scrollIntoView({ block: 'start' });
      const r = el.getBoundingClientRect();
      return document.elementFromPoint(r.left + r.width / 2, r.top + 2) === el;
    });
    expect(uncovered).toBe(true);

    await crash();
    await expect.poll(() => page.getByTestId('notices').textContent(), { timeout: 30_000 }).toContain('The engine worker stopped again');
    await page.waitForTimeout(3000); // no restart loop: nothing more arrives
    const text = (await page.getByTestId('notices').textContent())!;
    expect(text.match(/The engine worker stopped/g)).toHaveLength(2);
    expect(text).toContain('Reload the page');
  });

  it('refuses the device-loss test hook without ?testHooks=1', async () => {
    const { page } = await openPlayground(browser(), '?backend=cpu');
    await expect.poll(() => page.getByTestId('active-backend').textContent(), { timeout: 60_000 }).toBe('cpu');
    const error = await page.evaluate(() =>
      (globalThis as unknown as { playgroundEngine: { loseDevice(): Promise<boolean> } }).playgroundEngine.loseDevice().then(
        () => 'resolved',
        (e: Error) => e.message,
      ),
    );
    expect(error).toBe('Test hooks are off; open the page with ?testHooks=1.');
  });
});
