import { describe, expect, it } from 'vitest';
import { fillSettings, openPlayground, screenshot, useBrowser } from './browser';

const browser = useBrowser();

describe('playground on WebGPU (SwiftShader)', () => {
  it('reports the webgpu backend, loads MNIST, trains an MLP with live charts well above chance, same-origin only', async () => {
    // ?backend=webgpu: the user's pick, kept (no per-model switch to a faster backend)
    const { page, requests } = await openPlayground(browser(), '?backend=webgpu');
    await expect.poll(() => page.getByTestId('active-backend').textContent(), { timeout: 60_000 }).toBe('webgpu');
    await expect.poll(() => page.getByTestId('dataset-info').textContent(), { timeout: 120_000 }).toContain('55,000 train');
    expect(await page.getByTestId('dataset-info').textContent()).toContain('5,000 validation');
    expect(await page.getByTestId('dataset-info').textContent()).toContain('10,000 test');
    expect(await page.locator('[data-testid=preview-grid] canvas').count()).toBe(40);
    expect(await page.getByTestId('total-params').textContent()).toBe('50,890');
    await screenshot(page, 'start');

    await fillSettings(page, { 'train-limit': '3000', epochs: '2' });
    await page.getByTestId('start').click();
    await expect.poll(() => page.getByTestId('loss-chart').getAttribute('data-points'), { timeout: 180_000 }).not.toBe('0');
    await expect.poll(() => page.getByTestId('train-state').textContent(), { timeout: 240_000 }).toBe('finished');
    // 2 epochs x floor(3000/64) steps, every step's loss read back and plotted; one validation point per epoch
    expect(await page.getByTestId('loss-chart').getAttribute('data-points')).toBe(String(2 * 46));
    expect(await page.getByTestId('accuracy-chart').getAttribute('data-val-points')).toBe('2');
    // the raw series is one path with a vertex per plotted step
    const rawPath = (await page.locator('[data-testid=loss-chart] path.raw-series').getAttribute('d'))!;
    expect(rawPath.split('L').length).toBeGreaterThan(50);
    await expect.poll(() => page.getByTestId('test-accuracy').textContent(), { timeout: 120_000 }).toMatch(/%$/);
    const accuracy = parseFloat((await page.getByTestId('test-accuracy').textContent())!);
    expect(accuracy).toBeGreaterThan(80); // chance is 10%
    expect(await page.locator('[data-testid=confusion-matrix] tbody tr').count()).toBe(10);
    expect(await page.locator('[data-testid=misclassified] canvas').count()).toBeGreaterThan(0);
    expect(await page.getByTestId('active-backend').textContent()).toBe('webgpu');
    // no tensor growth from one epoch to the next
    const perEpoch = (await page.getByTestId('progress').getAttribute('data-tensors-per-epoch'))!.split(',');
    expect(perEpoch).toHaveLength(2);
    expect(perEpoch[1]).toBe(perEpoch[0]);

    // draw a vertical stroke on the pad: the model answers with 10 probabilities summing to 1
    const pad = page.getByTestId('draw-pad');
    await pad.scrollIntoViewIfNeeded();
    const box = (await pad.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height * 0.15);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2, box.y + box.height * 0.85, { steps: 12 });
    await page.mouse.up();
    await expect.poll(() => page.getByTestId('draw-guess').textContent(), { timeout: 30_000 }).toMatch(/^[0-9]$/);
    const probs = await page.locator('[data-testid=draw-probabilities] meter').evaluateAll((ms) => ms.map((m) => (m as HTMLMeterElement).value));
    expect(probs).toHaveLength(10);
    expect(probs.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 3);
    await screenshot(page, 'trained');

    const origin = new URL(page.url()).origin;
    const foreign = requests.filter((u) => !u.startsWith(origin) && !u.startsWith('data:') && !u.startsWith('blob:'));
    expect(foreign).toEqual([]);
  });

  it('starts at once on the best guess (WASM: WebGPU here is SwiftShader), times the others when idle, moves only when clearly faster', async () => {
    const { page, requests } = await openPlayground(browser());
    await expect.poll(() => page.getByTestId('active-backend').textContent(), { timeout: 60_000 }).toBe('wasm');
    expect(await page.getByTestId('backend-guess').textContent()).toMatch(/WebGPU renders in software here \(swiftshader\).*WASM is the CPU default/);
    expect(await page.getByTestId('backend-auto').isChecked()).toBe(true);
    await expect.poll(() => page.getByTestId('dataset-info').textContent(), { timeout: 120_000 }).toContain('55,000 train');
    await fillSettings(page, { 'train-limit': '640', epochs: '1' });
    // Start never waits for a measurement (one may have begun while idle: it gives way)
    const clicked = Date.now();
    await page.getByTestId('start').click();
    await expect.poll(() => page.getByTestId('loss-chart').getAttribute('data-points'), { timeout: 15_000, interval: 100 }).not.toBe('0');
    expect(Date.now() - clicked).toBeLessThan(15_000);
    expect(await page.getByTestId('active-backend').textContent()).toBe('wasm');
    await expect.poll(() => page.getByTestId('train-state').textContent(), { timeout: 120_000 }).toBe('finished');
    expect(parseFloat((await page.getByTestId('test-accuracy').textContent())!)).toBeGreaterThan(50);

    // idle again: the other backends are timed for the MLP in the background; the active backend does not change
    await expect.poll(() => page.getByTestId('notices').textContent(), { timeout: 240_000 }).toContain('Measured in the background for the MLP');
    const notice = (await page.getByTestId('notices').textContent())!;
    const rates = Object.fromEntries(
      [...notice.matchAll(/(webgpu|webgl|wasm|cpu) ([\d,]+) samples\/s/g)].map((m) => [m[1], Number(m[2].replace(/,/g, ''))]),
    );
    expect(Object.keys(rates).sort()).toEqual(['wasm', 'webgl', 'webgpu']); // cpu is not timed while WASM runs
    const fastest = Object.entries(rates).sort((a, b) => b[1] - a[1])[0][0];
    expect(await page.getByTestId('fastest-mlp').getAttribute('data-backend')).toBe(fastest);
    expect(await page.getByTestId('active-backend').textContent()).toBe('wasm');
    // the next run moves only to a backend at least 1.2x faster than wasm
    const next = rates[fastest] >= 1.2 * rates.wasm ? fastest : 'wasm';
    expect(notice).toContain(next === 'wasm' ? 'Training stays on wasm' : `The next MLP run starts on ${next}`);

    // a reload starts on the guess again and, at Start, goes straight to what was measured: no second measurement
    await page.reload();
    await expect.poll(() => page.getByTestId('dataset-info').textContent(), { timeout: 120_000 }).toContain('55,000 train');
    expect(await page.getByTestId('active-backend').textContent()).toBe('wasm');
    expect(await page.getByTestId('fastest-mlp').getAttribute('data-backend')).toBe(fastest);
    await fillSettings(page, { 'train-limit': '640', epochs: '1' });
    await page.getByTestId('start').click();
    await expect.poll(() => page.getByTestId('train-state').textContent(), { timeout: 240_000 }).toBe('finished');
    expect(await page.getByTestId('active-backend').textContent()).toBe(next);
    expect(await page.getByTestId('notices').textContent()).not.toContain('Measured in the background');
    const origin = new URL(requests[0]).origin;
    expect(requests.every((u) => u.startsWith(origin) || u.startsWith('blob:') || u.startsWith('data:'))).toBe(true);
  });

  it('pauses, resumes and stops a run, and refuses an invalid model before training', async () => {
    const { page } = await openPlayground(browser(), '?backend=cpu');
    await expect.poll(() => page.getByTestId('dataset-info').textContent(), { timeout: 120_000 }).toContain('MNIST');
    expect(await page.getByTestId('active-backend').textContent()).toBe('cpu');
    await fillSettings(page, { 'batch-size': '16', epochs: '50' });
    await page.getByTestId('start').click();
    await expect.poll(async () => Number(await page.getByTestId('loss-chart').getAttribute('data-points')), { timeout: 60_000 }).toBeGreaterThan(0);
    await page.getByTestId('pause').click();
    await expect.poll(() => page.getByTestId('train-state').textContent(), { timeout: 30_000 }).toBe('paused');
    const pausedAt = await page.getByTestId('loss-chart').getAttribute('data-points');
    await page.waitForTimeout(1500);
    expect(await page.getByTestId('loss-chart').getAttribute('data-points')).toBe(pausedAt);
    await page.getByTestId('resume').click();
    await expect.poll(() => page.getByTestId('loss-chart').getAttribute('data-points'), { timeout: 30_000 }).not.toBe(pausedAt);
    await page.getByTestId('stop').click();
    await expect.poll(() => page.getByTestId('train-state').textContent(), { timeout: 30_000 }).toBe('stopped');
    // a stopped model is kept: it is evaluated on the test set
    await expect.poll(() => page.getByTestId('test-accuracy').textContent(), { timeout: 60_000 }).toMatch(/%$/);

    await fillSettings(page, { 'units-0': '0' });
    await expect.poll(() => page.getByTestId('model-problems').textContent()).toContain('units must be a whole number from 1');
    await page.getByTestId('start').click();
    await expect.poll(() => page.getByTestId('train-message').textContent()).toContain('units must be a whole number from 1');
    expect(await page.getByTestId('test-accuracy').count()).toBe(1); // the trained model's results are still shown
    await page.getByTestId('kind-cnn').check();
    await fillSettings(page, { 'kernel-1': '20' });
    await expect.poll(() => page.getByTestId('model-problems').textContent()).toContain('larger than its 14x14 input');
  });

  it('shows a clear error for a corrupt IDX file and keeps MNIST loaded', async () => {
    const { page } = await openPlayground(browser(), '?backend=cpu');
    await expect.poll(() => page.getByTestId('dataset-info').textContent(), { timeout: 120_000 }).toContain('MNIST');
    const bad = Buffer.from('not an idx file at all');
    const labels = Buffer.from([0, 0, 8, 1, 0, 0, 0, 1, 3]);
    await page.getByTestId('idx-input').setInputFiles([
      { name: 'images.idx', mimeType: 'application/octet-stream', buffer: bad },
      { name: 'labels.idx', mimeType: 'application/octet-stream', buffer: labels },
    ]);
    await expect.poll(() => page.getByTestId('data-error').textContent(), { timeout: 30_000 }).toContain('wrong magic number');
    expect(await page.getByTestId('dataset-info').textContent()).toContain('MNIST');
    await screenshot(page, 'corrupt-idx');
  });
});
