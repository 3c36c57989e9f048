// npm run bench's page: opening the built page on a backend, and the main thread's long tasks while it trains.
import type { Browser, Page } from 'playwright-core';
import type { EngineClient } from '../../src/worker/client';
import { fillSettings, openDrawer } from '../../tests/e2e/browser';

declare global {
  // eslint-disable-next-line no-var
  var playgroundEngine: EngineClient;
}

/** A long animation frame that blocked input (blockingDuration > 0), as the page recorded it. */
interface BlockingFrame {
  start: number;
  end: number;
  scriptMs: number;
  renderMs: number;
  scripts: string[];
}

/** The built page on `backend`, with MNIST and the default corpus loaded; every main-thread task over 50 ms recorded. */
export async function openPage(browser: Browser, port: number, backend: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  // every main-thread task over 50 ms, from the first script on
  await page.addInitScript(() => {
    const w = globalThis as unknown as { longTasks: { start: number; duration: number }[]; blockingFrames: BlockingFrame[] };
    w.longTasks = [];
    w.blockingFrames = [];
    new PerformanceObserver((list) => list.getEntries().forEach((e) => w.longTasks.push({ start: e.startTime, duration: e.duration }))).observe({
      type: 'longtask',
      buffered: true,
    });
    // what a long task spent its time on: the long animation frame around it, its scripts and its rendering
    type Loaf = PerformanceEntry & {
      blockingDuration: number;
      renderStart: number;
      styleAndLayoutStart: number;
      scripts: { invoker: string; duration: number; sourceFunctionName: string; forcedStyleAndLayoutDuration: number }[];
    };
    new PerformanceObserver((list) =>
      (list.getEntries() as Loaf[])
        .filter((f) => f.blockingDuration > 0)
        .forEach((f) =>
          w.blockingFrames.push({
            start: f.startTime,
            end: f.startTime + f.duration,
            scriptMs: f.scripts.reduce((a, x) => a + x.duration, 0),
            renderMs: f.renderStart > 0 ? f.startTime + f.duration - f.renderStart : 0,
            scripts: f.scripts.map((x) => `${x.invoker}${x.sourceFunctionName ? ` (${x.sourceFunctionName})` : ''} ${Math.round(x.duration)} ms`),
          }),
        ),
    ).observe({ type: 'long-animation-frame', buffered: true });
  });
  await page.goto(`http://127.0.0.1:${port}/playground/?backend=${backend}`);
  await page.getByTestId('dataset-info').filter({ hasText: 'MNIST' }).waitFor({ timeout: 180_000 });
  await page.getByTestId('tab-text').click();
  await page.getByTestId('corpus-name').waitFor({ timeout: 180_000 });
  await page.getByTestId('tab-images').click();
  return page;
}

// Steps of the short runs started from the UI for the main-thread figures (the MLP: 3,000 images, 46 steps).
const UI_STEPS: Record<'cnn' | 'lstm', Record<string, number>> = {
  cnn: { webgpu: 5, webgl: 10, wasm: 20, cpu: 5 },
  lstm: { webgpu: 5, webgl: 10, wasm: 30, cpu: 10 },
};

/**
 * Long tasks on the page's main thread while a default model trains through the UI (1 epoch or round, live charts);
 * with `inspect`, the tab's Inspect view open (its drawer and section) during the run (the images view redraws the current weights every 2 s;
 * on the Text tab, "Colour by surprise" is pressed at the start and every 5 s).
 */
export async function mainThreadDuringTraining(page: Page, kind: 'mlp' | 'cnn' | 'lstm', backend: string, inspect = false, scale = 1) {
  // `scale` lengthens each run that many times (more steps, so more of Inspect's 2 s refreshes fall inside it)
  if (kind === 'lstm') {
    await page.getByTestId('tab-text').click();
    await fillSettings(page, { 'text-rounds': '1', 'text-eval-every': String(scale * (UI_STEPS.lstm[backend] ?? 10)) });
  } else {
    await page.getByTestId('tab-images').click();
    await page.getByTestId(`kind-${kind}`).check();
    const images = kind === 'mlp' ? Math.min(55_000, 3000 * scale) : 64 * scale * (UI_STEPS.cnn[backend] ?? 5);
    await fillSettings(page, { 'train-limit': String(images), epochs: '1' });
  }
  const view = page.getByTestId(kind === 'lstm' ? 'inspect-text' : 'inspect-images');
  if (inspect) await openDrawer(page, 'inspect');
  if (inspect && !(await view.evaluate((d) => (d as HTMLDetailsElement).open))) await view.locator('summary').first().click();
  const from = await page.evaluate(() => performance.now());
  await page.getByTestId('start').click();
  let surprise: ReturnType<typeof setInterval> | undefined;
  if (inspect && kind === 'lstm') {
    const colour = () =>
      view
        .getByTestId('inspect-text-run')
        .click()
        .catch(() => undefined);
    await colour();
    surprise = setInterval(colour, 5000);
  }
  let finished = true;
  try {
    await page.getByTestId('train-state').filter({ hasText: 'finished' }).waitFor({ timeout: 600_000 });
  } catch {
    finished = false; // too slow here (SwiftShader): stop it and keep what was measured
    await page.getByTestId('stop').click();
    await page
      .getByTestId('train-state')
      .filter({ hasText: /stopped|finished/ })
      .waitFor({ timeout: 600_000 });
  }
  clearInterval(surprise);
  const to = await page.evaluate(() => performance.now());
  const tasks = await page.evaluate(
    ([a, b]) => (globalThis as unknown as { longTasks: { start: number; duration: number }[] }).longTasks.filter((t) => t.start >= a && t.start <= b),
    [from, to] as const,
  );
  const frames = await page.evaluate(
    ([a, b]) => (globalThis as unknown as { blockingFrames: BlockingFrame[] }).blockingFrames.filter((f) => f.end >= a && f.start <= b),
    [from, to] as const,
  );
  // each long task with the frame that holds it: its scripts' time and its rendering (style, layout, paint)
  const attributed = tasks.map((t) => {
    const f = frames.find((x) => x.start <= t.start + 1 && x.end >= t.start + t.duration - 1);
    const where = f ? `scripts ${Math.round(f.scriptMs)} ms [${f.scripts.join('; ')}], rendering ${Math.round(f.renderMs)} ms` : 'no frame recorded';
    return `${Math.round(t.duration)} ms at +${((t.start - from) / 1000).toFixed(1)} s: ${where}`;
  });
  return {
    finished,
    seconds: (to - from) / 1000,
    longTasks: tasks.length,
    longTaskMs: tasks.reduce((s, t) => s + t.duration, 0),
    maxTaskMs: Math.max(0, ...tasks.map((t) => t.duration)),
    attributed,
  };
}
