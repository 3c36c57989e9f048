import type { CDPSession, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { fillSettings, openPlayground, useBrowser } from './browser';

const browser = useBrowser();

/** The engine worker's V8 heap through the DevTools protocol (a worker has no performance.memory). */
async function workerHeap(page: Page): Promise<() => Promise<number>> {
  const cdp: CDPSession = await page.context().newCDPSession(page);
  const workers: string[] = [];
  const replies = new Map<number, { result?: { usedSize: number } }>();
  cdp.on('Target.attachedToTarget', (e) => {
    if (e.targetInfo.type === 'worker') workers.push(e.sessionId);
  });
  cdp.on('Target.receivedMessageFromTarget', (e) => {
    const m = JSON.parse(e.message) as { id?: number; result?: { usedSize: number } };
    if (m.id) replies.set(m.id, m);
  });
  await cdp.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: false, flatten: false });
  await expect.poll(() => workers.length, { timeout: 10_000 }).toBe(1);
  let id = 0;
  const call = async (method: string) => {
    const mine = ++id;
    await cdp.send('Target.sendMessageToTarget', { sessionId: workers[0], message: JSON.stringify({ id: mine, method }) });
    await expect.poll(() => replies.has(mine), { timeout: 10_000 }).toBe(true);
    return replies.get(mine)!;
  };
  // collected first, so the figure is what is still reachable, not garbage waiting for the collector
  return async () => {
    await call('HeapProfiler.collectGarbage');
    return (await call('Runtime.getHeapUsage')).result!.usedSize;
  };
}

describe('endurance', () => {
  it('a 20-epoch MLP run keeps the tensor count and the engine heap flat after the first epoch', async () => {
    const { page } = await openPlayground(browser(), '?backend=wasm');
    await expect.poll(() => page.getByTestId('dataset-info').textContent(), { timeout: 120_000 }).toContain('55,000 train');
    const heapOf = await workerHeap(page);
    // 1,920 images = 30 steps per epoch; every epoch also validates on the 5,000 validation images
    await fillSettings(page, { 'train-limit': '1920', epochs: '20' });
    await page.getByTestId('start').click();
    // one heap reading as each epoch ends (the run goes on meanwhile, so a reading lands within the next epoch)
    const heap = new Map<number, number>();
    const epochsDone = async () => Number(await page.getByTestId('accuracy-chart').getAttribute('data-val-points'));
    for (;;) {
      const state = await page.getByTestId('train-state').textContent();
      const done = await epochsDone();
      if (done > 0 && !heap.has(done)) heap.set(done, await heapOf());
      if (state !== 'running' && state !== 'paused' && state !== 'idle') break;
      await page.waitForTimeout(50);
    }
    expect(await page.getByTestId('train-state').textContent()).toBe('finished');
    const tensors = (await page.getByTestId('progress').getAttribute('data-tensors-per-epoch'))!.split(',').map(Number);
    const after1 = [...heap.entries()].filter(([epoch]) => epoch >= 2);
    const readings = after1.map(([, bytes]) => bytes);
    console.log(
      `[endurance] tensors per epoch: ${tensors.join(',')}; worker heap (MB) by epoch: ${[...heap.entries()].map(([e, b]) => `${e}:${(b / 1e6).toFixed(3)}`).join(' ')}`,
    );
    expect(tensors).toHaveLength(20);
    expect(new Set(tensors).size).toBe(1); // the same tensor count after every epoch
    expect(readings.length).toBeGreaterThanOrEqual(10);
    // A reading lands mid-epoch, so it moves by about 1 MB with what is in flight (read-backs, messages). The least-
    // squares slope over 19 readings has a standard error near 25 kB per epoch at that noise; the run's own curves grow
    // by design by about 5 kB per epoch (30 step points, one epoch point). A leak of one batch of images per epoch
    // (64 x 784 floats = 200 kB) would show as 200 kB per epoch: the bound of 100 kB sits between the two.
    const xs = after1.map(([epoch]) => epoch);
    const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
    const my = readings.reduce((a, b) => a + b, 0) / readings.length;
    const slope = xs.reduce((a, x, i) => a + (x - mx) * (readings[i] - my), 0) / xs.reduce((a, x) => a + (x - mx) ** 2, 0);
    const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
    const drift = median(readings.slice(-5)) - median(readings.slice(0, 5));
    console.log(
      `[endurance] worker heap after epoch 1: slope ${(slope / 1e3).toFixed(1)} kB/epoch, median of the last 5 minus the first 5: ${(drift / 1e3).toFixed(1)} kB, range ${(Math.min(...readings) / 1e6).toFixed(3)}-${(Math.max(...readings) / 1e6).toFixed(3)} MB`,
    );
    expect(slope).toBeLessThan(100e3);
    expect(drift).toBeLessThan(1e6);
  });
});
