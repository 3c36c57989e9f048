import { describe, expect, it } from 'vitest';
import { openDrawer, openPlayground, trainMnistBriefly, useBrowser } from './browser';

const browser = useBrowser();

describe('bad hyperparameters in the page', () => {
  it('each out-of-range value gets a message at Start, nothing crashes, and the trained model and its run stay', async () => {
    const { page, consoleErrors } = await openPlayground(browser(), '?backend=wasm');
    await trainMnistBriefly(page, 640, 1);
    const accuracy = await page.getByTestId('test-accuracy').textContent();
    await expect.poll(() => page.getByTestId('run-row').count(), { timeout: 10_000 }).toBe(1);

    const cases: [string, string, string][] = [
      ['batch-size', '0', 'Batch size must be a whole number from 1 to 8192, got 0.'],
      ['learning-rate', '-0.1', 'Learning rate must be a number above 0 and at most 10, got -0.1.'],
      ['learning-rate', '', 'Learning rate must be a number above 0 and at most 10, got NaN.'],
      ['epochs', '0', 'Epochs must be a whole number from 1 to 1000, got 0.'],
      ['units-0', '1000000000', 'Hidden layer 1: units must be a whole number from 1 to'],
    ];
    const good = { 'batch-size': '64', 'learning-rate': '0.001', epochs: '1', 'units-0': '64' } as Record<string, string>;
    // the full form is the Settings view of the third column; Start and the message stay in the middle one
    await openDrawer(page, 'settings');
    for (const [field, value, message] of cases) {
      await page.getByTestId(field).fill(value);
      await page.getByTestId('start').click();
      await expect.poll(() => page.getByTestId('train-message').textContent(), { timeout: 10_000 }).toContain(message);
      // nothing ran and nothing was lost: the trained model's results and its stored run are still there
      expect(await page.getByTestId('test-accuracy').textContent()).toBe(accuracy);
      expect(await page.getByTestId('run-row').count()).toBe(1);
      await page.getByTestId(field).fill(good[field]);
    }
    expect(await page.getByTestId('model-problems').count()).toBe(0);
    expect(consoleErrors).toEqual([]);
  });
});
