// npm run bench: speed figures in headless Chromium (the e2e launcher), never in a timed test.
// MLP and CNN: training samples per second of the default models with our step loop against plain model.fit
// (metrics ['accuracy'], onBatchEnd reading the logs and awaiting tf.nextFrame()) on the same backend, tensors and
// bytes before and after, and the page's main-thread long-task time (tasks over 50 ms) during a training run.
// Char-LSTM: predicted characters per second of the default model with our training step, against the common
// plain-tfjs approach (one-hot windows of 40, predicting only the last character, model.fit + tf.nextFrame) on the
// same backend; then the wall time to a validation loss of 2.0 nats per character on the fastest backend.
// Usage: npm run bench [-- --backends webgpu,webgl,wasm,cpu --models mlp,cnn,lstm --target 2.0 --max-seconds 1200 (0: skip) --skip-build
//   --main-thread-only (only the page's long tasks while each model trains from the UI) --skip-main-thread (the opposite) --rounds 2
//   --time-to-target-only (only the times to target, on the first backend listed)]
// Times to target on the backend measured fastest for each model: MLP to 97.5 % and CNN to 99.0 % test accuracy, the
// char-LSTM to --target nats per character; each stops after --max-seconds.
import { build, preview } from 'vite';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { chromium, type Page } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS } from '../tests/e2e/browser';
import type { EngineClient } from '../src/worker/client';

const { values } = parseArgs({
  options: {
    backends: { type: 'string', default: 'webgpu,webgl,wasm,cpu' },
    models: { type: 'string', default: 'mlp,cnn,lstm' },
    target: { type: 'string', default: '2.0' },
    'max-seconds': { type: 'string', default: '1200' },
    'skip-build': { type: 'boolean', default: false },
    'main-thread-only': { type: 'boolean', default: false },
    'skip-main-thread': { type: 'boolean', default: false },
    rounds: { type: 'string', default: '2' },
    'time-to-target-only': { type: 'boolean', default: false },
  },
});

// Steps timed per backend: SwiftShader WebGPU (no GPU here) is far slower than the others.
const OUR_STEPS: Record<string, number> = { webgpu: 3, webgl: 10, wasm: 30, cpu: 10 };
const BASELINE_BATCHES: Record<string, number> = { webgpu: 2, webgl: 4, wasm: 8, cpu: 4 };
const IMAGE_STEPS: Record<string, Record<string, number>> = {
  mlp: { webgpu: 20, webgl: 60, wasm: 150, cpu: 40 },
  cnn: { webgpu: 3, webgl: 10, wasm: 20, cpu: 5 },
};
const models = values.models!.split(',');
const ACCURACY_TARGET: Record<'mlp' | 'cnn', number> = { mlp: 0.975, cnn: 0.99 };
const speedRuns = !values['main-thread-only'] && !values['time-to-target-only'];
const rounds = Math.max(1, Number(values.rounds));

/**
 * Runs each measurement `rounds` times, alternating ours and the baseline (A B A B), and keeps each one's fastest
 * round: on a shared VM (steal time seen at 20 %) a slow spell then hits both sides instead of one.
 */
async function bestOf<T, K extends string>(measure: Record<K, () => Promise<T>>, speed: (t: T) => number): Promise<Record<K, T>> {
  const best = {} as Record<K, T>;
  for (let r = 0; r < rounds; r++)
    for (const name of Object.keys(measure) as K[]) {
      const t = await measure[name]();
      if (!best[name] || speed(t) > speed(best[name]!)) best[name] = t;
    }
  return best;
}

/** A long animation frame that blocked input (blockingDuration > 0), as the page recorded it. */
interface BlockingFrame {
  start: number;
  end: number;
  scriptMs: number;
  renderMs: number;
  scripts: string[];
}

interface ImageSpeedRow {
  samplesPerSec: number;
  gflops: number;
  tensorsBefore: number;
  tensorsAfter: number;
}

declare global {
  // eslint-disable-next-line no-var
  var playgroundEngine: EngineClient;
}

execFileSync('node', ['scripts/prepare-data.mjs'], { stdio: 'inherit' });
if (!values['skip-build']) await build({ logLevel: 'warn' });
const server = await preview({ base: '/playground/', preview: { port: 0, host: '127.0.0.1' }, logLevel: 'warn' });
const port = (server.httpServer.address() as { port: number }).port;
const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--headless=new', ...CHROMIUM_ARGS] });

async function open(backend: string): Promise<Page> {
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

const rows: Record<string, unknown>[] = [];
const imageRows: Record<string, unknown>[] = [];
const mainThread: {
  backend: string;
  model: string;
  finished: boolean;
  seconds: number;
  longTasks: number;
  longTaskMs: number;
  maxTaskMs: number;
  attributed: string[];
}[] = [];

// Steps of the short runs started from the UI for the main-thread figures (the MLP: 3,000 images, 46 steps).
const UI_STEPS: Record<'cnn' | 'lstm', Record<string, number>> = {
  cnn: { webgpu: 5, webgl: 10, wasm: 20, cpu: 5 },
  lstm: { webgpu: 5, webgl: 10, wasm: 30, cpu: 10 },
};

/** Long tasks on the page's main thread while a default model trains through the UI (1 epoch or round, live charts). */
async function mainThreadDuringTraining(page: Page, kind: 'mlp' | 'cnn' | 'lstm', backend: string) {
  if (kind === 'lstm') {
    await page.getByTestId('tab-text').click();
    await page.getByTestId('text-rounds').fill('1');
    await page.getByTestId('text-eval-every').fill(String(UI_STEPS.lstm[backend] ?? 10));
  } else {
    await page.getByTestId('tab-images').click();
    await page.getByTestId(`kind-${kind}`).check();
    await page.getByTestId('train-limit').fill(kind === 'mlp' ? '3000' : String(64 * (UI_STEPS.cnn[backend] ?? 5)));
    await page.getByTestId('epochs').fill('1');
  }
  const from = await page.evaluate(() => performance.now());
  await page.getByTestId('start').click();
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
try {
  for (const backend of values.backends!.split(',')) {
    const page = await open(backend);
    const active = await page.getByTestId('active-backend').textContent();
    if (active !== backend) {
      console.log(`${backend}: not available here (page fell back to ${active})`);
      rows.push({ backend, available: false });
      await page.close();
      continue;
    }
    if (models.some((m) => m !== 'lstm') && speedRuns) {
      const peak = await page.evaluate(() => globalThis.playgroundEngine.benchMatmul(512, 10));
      imageRows.push({ backend, model: 'matmul 512x512', peak });
      console.log(`${backend}: matmul peak ${peak.gflops.toFixed(2)} GFLOP/s`);
    }
    for (const kind of speedRuns ? (models.filter((m) => m !== 'lstm') as ('mlp' | 'cnn')[]) : []) {
      const steps = IMAGE_STEPS[kind][backend] ?? 10;
      const { ours, baseline } = await bestOf(
        {
          ours: () => page.evaluate(([k, n]) => globalThis.playgroundEngine.benchImageSpeed(k, 'ours', n, 3), [kind, steps] as const),
          baseline: () => page.evaluate(([k, n]) => globalThis.playgroundEngine.benchImageSpeed(k, 'baseline', n), [kind, steps] as const),
        },
        (t) => t.samplesPerSec,
      );
      const row = { backend, model: kind, ours, baseline, ratio: ours.samplesPerSec / baseline.samplesPerSec };
      imageRows.push(row);
      console.log(
        `${backend} ${kind}: ours ${ours.samplesPerSec.toFixed(0)} samples/s (${ours.gflops.toFixed(2)} GFLOP/s, tensors ${ours.tensorsBefore} -> ${ours.tensorsAfter}), baseline ${baseline.samplesPerSec.toFixed(0)} samples/s, ratio ${row.ratio.toFixed(2)}x`,
      );
    }
    for (const kind of values['skip-main-thread'] || values['time-to-target-only'] ? [] : (models as ('mlp' | 'cnn' | 'lstm')[])) {
      const main = await mainThreadDuringTraining(page, kind, backend);
      mainThread.push({ backend, model: kind, ...main });
      console.log(
        `${backend}: main thread during a ${main.seconds.toFixed(1)} s ${kind} run from the page${main.finished ? '' : ' (stopped after 600 s)'}: ${main.longTasks} long tasks, ${main.longTaskMs.toFixed(0)} ms in all, longest ${main.maxTaskMs.toFixed(0)} ms` +
          main.attributed.map((a) => `\n  ${a}`).join(''),
      );
    }
    if (models.includes('lstm') && speedRuns) {
      const args = [OUR_STEPS[backend] ?? 10, backend === 'webgpu' ? 1 : 3] as const;
      const { ours, other, baseline } = await bestOf(
        {
          ours: () => page.evaluate(([n, w]) => globalThis.playgroundEngine.benchTextSpeed('ours', n, w), args),
          // the same step with the other LSTM path (fused sequence or tfjs's LSTM layers): what the page's choice buys
          other: () => page.evaluate(([n, w]) => globalThis.playgroundEngine.benchTextSpeed('other', n, w), args),
          baseline: () => page.evaluate((n) => globalThis.playgroundEngine.benchTextSpeed('baseline', n), BASELINE_BATCHES[backend] ?? 4),
        },
        (t) => t.charsPerSec,
      );
      const row = { backend, available: true, ours, other, baseline, ratio: ours.charsPerSec / baseline.charsPerSec };
      rows.push(row);
      console.log(
        `${backend}: ours (${ours.lstmPath} LSTM) ${ours.charsPerSec.toFixed(0)} chars/s (${ours.stepMs.toFixed(0)} ms/step; ${other.lstmPath} LSTM ${other.charsPerSec.toFixed(0)}), ` +
          `baseline ${baseline.charsPerSec.toFixed(1)} chars/s, ratio ${row.ratio.toFixed(1)}x`,
      );
    }
    await page.close();
  }
  const maxSeconds = Number(values['max-seconds']);
  const firstBackend = values.backends!.split(',')[0]!;
  const timeToAccuracy: unknown[] = [];
  for (const kind of maxSeconds > 0 && !values['main-thread-only'] ? (models.filter((m) => m !== 'lstm') as ('mlp' | 'cnn')[]) : []) {
    const speeds = imageRows.filter((r) => r.model === kind && r.ours) as { backend: string; ours: ImageSpeedRow }[];
    const backend = speeds.sort((a, b) => b.ours.samplesPerSec - a.ours.samplesPerSec)[0]?.backend ?? firstBackend;
    const page = await open(backend);
    const t = await page.evaluate(([k, target, m]) => globalThis.playgroundEngine.benchTimeToAccuracy(k, target, m), [
      kind,
      ACCURACY_TARGET[kind],
      maxSeconds,
    ] as const);
    timeToAccuracy.push({ model: kind, target: ACCURACY_TARGET[kind], ...t });
    console.log(
      `time to ${(ACCURACY_TARGET[kind] * 100).toFixed(1)} % test accuracy, ${kind} on ${t.backend}: ${t.reached ? '' : 'not reached in '}${t.seconds.toFixed(0)} s, ` +
        `${t.epochs} epochs, test accuracy ${(t.testAccuracy * 100).toFixed(2)} % (${t.curve.map((c) => (c.testAccuracy * 100).toFixed(2)).join(', ')})`,
    );
    await page.close();
  }
  const measured = rows.filter((r) => r.available) as { backend: string; ours: { charsPerSec: number } }[];
  const fastest =
    measured.sort((a, b) => b.ours.charsPerSec - a.ours.charsPerSec)[0] ?? (values['time-to-target-only'] ? { backend: firstBackend } : undefined);
  let timeToLoss: unknown = null;
  if (fastest && models.includes('lstm') && maxSeconds > 0 && !values['main-thread-only']) {
    const page = await open(fastest.backend);
    timeToLoss = await page.evaluate(([t, m]) => globalThis.playgroundEngine.benchTimeToLoss(t, m), [
      Number(values.target),
      Number(values['max-seconds']),
    ] as const);
    console.log(`time to ${values.target} nats/char on ${fastest.backend}:`, timeToLoss);
    await page.close();
  }
  const result = {
    date: new Date().toISOString(),
    rounds,
    machine: `${cpus().length} cores, ${cpus()[0]?.model ?? 'unknown CPU'}, no GPU (WebGPU through SwiftShader)`,
    chromium: browser.version(),
    model: 'default char-LSTM (small preset: embedding 16, 1 x LSTM(128), window 64, batch 64, Adam 1e-2)',
    baseline: 'one-hot windows of 40, LSTM(128) -> dense softmax, last character only, model.fit batch 128 + onBatchEnd awaiting tf.nextFrame()',
    images: imageRows,
    text: rows,
    mainThread,
    timeToLoss,
    timeToAccuracy,
  };
  mkdirSync('bench-results', { recursive: true });
  const file = values['main-thread-only'] ? 'main-thread' : values['time-to-target-only'] ? 'time-to-target' : 'bench';
  writeFileSync(`bench-results/${file}.json`, JSON.stringify(result, null, 2));
  console.log(
    '\n| backend | model | ours (samples/s) | model.fit baseline (samples/s) | ours / baseline | ours GFLOP/s | matmul peak GFLOP/s | tensors before -> after |\n|---|---|---|---|---|---|---|---|',
  );
  for (const r of imageRows as { backend: string; model: string; ours?: ImageSpeedRow; baseline?: ImageSpeedRow; ratio?: number }[]) {
    const peak = (imageRows.find((p) => p.backend === r.backend && p.peak) as { peak?: { gflops: number } } | undefined)?.peak?.gflops;
    if (r.ours)
      console.log(
        `| ${r.backend} | ${r.model} | ${r.ours.samplesPerSec.toFixed(0)} | ${r.baseline!.samplesPerSec.toFixed(0)} | ${r.ratio!.toFixed(2)}x | ${r.ours.gflops.toFixed(2)} | ${peak?.toFixed(2) ?? '-'} | ${r.ours.tensorsBefore} -> ${r.ours.tensorsAfter} |`,
      );
  }
  console.log('\n| backend | model | run from the page (s) | long tasks | long-task time (ms) | longest (ms) |\n|---|---|---|---|---|---|');
  for (const m of mainThread)
    console.log(`| ${m.backend} | ${m.model} | ${m.seconds.toFixed(1)} | ${m.longTasks} | ${m.longTaskMs.toFixed(0)} | ${m.maxTaskMs.toFixed(0)} |`);
  console.log('\n| backend | ours (chars/s) | the other LSTM path | baseline (chars/s) | ours / baseline |\n|---|---|---|---|---|');
  type Speed = { charsPerSec: number; lstmPath?: string };
  for (const r of rows as { backend: string; available: boolean; ours?: Speed; other?: Speed; baseline?: Speed; ratio?: number }[]) {
    if (!r.available) console.log(`| ${r.backend} | not available | | | |`);
    else
      console.log(
        `| ${r.backend} | ${r.ours!.charsPerSec.toFixed(0)} (${r.ours!.lstmPath}) | ${r.other!.charsPerSec.toFixed(0)} (${r.other!.lstmPath}) | ${r.baseline!.charsPerSec.toFixed(1)} | ${r.ratio!.toFixed(1)}x |`,
      );
  }
} finally {
  await browser.close();
  server.httpServer.close();
}
