// npm run bench: speed figures in headless Chromium (the e2e launcher), never in a timed test.
// Char-LSTM: predicted characters per second of the default model with our training step, against the common
// plain-tfjs approach (one-hot windows of 40, predicting only the last character, model.fit + tf.nextFrame) on the
// same backend; then the wall time to a validation loss of 2.0 nats per character on the fastest backend.
// Usage: npm run bench [-- --backends webgpu,webgl,wasm,cpu --target 2.0 --max-seconds 1200 --skip-build]
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
    target: { type: 'string', default: '2.0' },
    'max-seconds': { type: 'string', default: '1200' },
    'skip-build': { type: 'boolean', default: false },
  },
});

// Steps timed per backend: SwiftShader WebGPU (no GPU here) is far slower than the others.
const OUR_STEPS: Record<string, number> = { webgpu: 3, webgl: 10, wasm: 30, cpu: 10 };
const BASELINE_BATCHES: Record<string, number> = { webgpu: 2, webgl: 4, wasm: 8, cpu: 4 };

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
  const page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${port}/playground/?backend=${backend}`);
  await page.getByTestId('tab-text').click();
  await page.getByTestId('corpus-name').waitFor({ timeout: 180_000 });
  return page;
}

const rows: Record<string, unknown>[] = [];
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
    const ours = await page.evaluate(([n, w]) => globalThis.playgroundEngine.benchTextSpeed('ours', n, w), [OUR_STEPS[backend] ?? 10, backend === 'webgpu' ? 1 : 3] as const);
    const baseline = await page.evaluate((n) => globalThis.playgroundEngine.benchTextSpeed('baseline', n), BASELINE_BATCHES[backend] ?? 4);
    const row = { backend, available: true, ours, baseline, ratio: ours.charsPerSec / baseline.charsPerSec };
    rows.push(row);
    console.log(`${backend}: ours ${ours.charsPerSec.toFixed(0)} chars/s (${ours.stepMs.toFixed(0)} ms/step), baseline ${baseline.charsPerSec.toFixed(1)} chars/s, ratio ${row.ratio.toFixed(1)}x`);
    await page.close();
  }
  const measured = rows.filter((r) => r.available) as { backend: string; ours: { charsPerSec: number } }[];
  const fastest = measured.sort((a, b) => b.ours.charsPerSec - a.ours.charsPerSec)[0];
  let timeToLoss: unknown = null;
  if (fastest) {
    const page = await open(fastest.backend);
    timeToLoss = await page.evaluate(([t, m]) => globalThis.playgroundEngine.benchTimeToLoss(t, m), [Number(values.target), Number(values['max-seconds'])] as const);
    console.log(`time to ${values.target} nats/char on ${fastest.backend}:`, timeToLoss);
    await page.close();
  }
  const result = {
    date: new Date().toISOString(),
    machine: `${cpus().length} cores, ${cpus()[0]?.model ?? 'unknown CPU'}, no GPU (WebGPU through SwiftShader)`,
    chromium: browser.version(),
    model: 'default char-LSTM (small preset: embedding 16, 1 x LSTM(128), window 64, batch 64, Adam 1e-2)',
    baseline: 'one-hot windows of 40, LSTM(128) -> dense softmax, last character only, model.fit batch 128 + onBatchEnd awaiting tf.nextFrame()',
    text: rows,
    timeToLoss,
  };
  mkdirSync('bench-results', { recursive: true });
  writeFileSync('bench-results/bench-text.json', JSON.stringify(result, null, 2));
  console.log('\n| backend | ours (chars/s) | baseline (chars/s) | ours / baseline |\n|---|---|---|---|');
  for (const r of rows as { backend: string; available: boolean; ours?: { charsPerSec: number }; baseline?: { charsPerSec: number }; ratio?: number }[]) {
    if (!r.available) console.log(`| ${r.backend} | not available | | |`);
    else console.log(`| ${r.backend} | ${r.ours!.charsPerSec.toFixed(0)} | ${r.baseline!.charsPerSec.toFixed(1)} | ${r.ratio!.toFixed(1)}x |`);
  }
} finally {
  await browser.close();
  server.httpServer.close();
}
