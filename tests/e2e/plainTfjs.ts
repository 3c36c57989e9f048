import type { Browser, Page } from 'playwright-core';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { expect } from 'vitest';
import { baseUrl } from './browser';

/** Stock TensorFlow.js as a user gets it from npm, as an ES module: nothing of ours in it. */
const TFJS_MODULE = join(dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs/package.json')), 'dist', 'tf.fesm.min.js');

/** A file the fresh page can fetch from /plain/NAME. */
export interface Served {
  name: string;
  bytes: Uint8Array;
}

/** What a model loaded in the fresh page gives: its outputs, each weight's FNV-1a hash of its float32 bits, tfjs's version. */
export interface Loaded {
  version: string;
  outputs: number[];
  weightHashes: number[];
  /** the loader's error message, when it refused the file */
  error?: string;
}

/**
 * A fresh page of the playground's origin with nothing of ours: /plain/index.html holds only an import map that
 * resolves '@tensorflow/tfjs' to stock tf.fesm.min.js, and /plain/NAME serves `files` over HTTP. The page's own
 * nnq-loader.js is fetched from the built site (baseUrl()/nnq-loader.js), where the build wrote it.
 */
export async function plainPage(browser: Browser, files: Served[]): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const origin = new URL(baseUrl()).origin;
  await page.route(`${origin}/plain/**`, (route) => {
    const file = decodeURIComponent(route.request().url().split('/').pop()!);
    if (file === 'index.html') {
      const map = JSON.stringify({ imports: { '@tensorflow/tfjs': `${origin}/plain/tf.fesm.min.js` } });
      // what a user's page does: stock tfjs and the loader as ES modules (handed to the test through window)
      const use = `import * as tf from '@tensorflow/tfjs'; import { loadCompactModel } from '${baseUrl()}nnq-loader.js'; Object.assign(window, { tf, loadCompactModel });`;
      const body = `<!doctype html><title>plain tfjs</title><script type="importmap">${map}</script><script type="module">${use}</script>`;
      return route.fulfill({ contentType: 'text/html', body });
    }
    if (file === 'tf.fesm.min.js') return route.fulfill({ contentType: 'text/javascript', body: readFileSync(TFJS_MODULE) });
    const hit = files.find((f) => f.name === file);
    return hit ? route.fulfill({ body: Buffer.from(hit.bytes) }) : route.fulfill({ status: 404, body: '' });
  });
  await page.goto(`${origin}/plain/index.html`);
  await page.waitForFunction(() => 'tf' in window && 'loadCompactModel' in window, null, { timeout: 60_000 });
  return page;
}

/**
 * Loads `url` in the fresh page (tf.loadLayersModel for a .json, the loader's loadCompactModel for a .nnq, or the
 * given bytes through the loader), on tfjs's cpu backend, and runs it on `input` of `shape`.
 */
export async function loadInPlain(page: Page, source: { url: string } | { bytes: number[] }, input: number[], shape: number[]): Promise<Loaded> {
  return page.evaluate(
    async ({ src, x, dims }) => {
      type Tfjs = typeof import('@tensorflow/tfjs');
      const { tf, loadCompactModel } = window as unknown as {
        tf: Tfjs;
        loadCompactModel(s: string | Uint8Array): ReturnType<Tfjs['loadLayersModel']>;
      };
      await tf.setBackend('cpu');
      const fnv = (values: Float32Array) => {
        let h = 0x811c9dc5;
        for (const w of new Uint32Array(values.buffer, values.byteOffset, values.length)) h = Math.imul(h ^ w, 0x01000193) >>> 0;
        return h;
      };
      try {
        let model: import('@tensorflow/tfjs').LayersModel;
        if ('url' in src && src.url.endsWith('.json')) model = await tf.loadLayersModel(src.url);
        else model = await loadCompactModel('url' in src ? src.url : Uint8Array.from(src.bytes));
        const out = model.predict(tf.tensor(x, dims, model.inputs[0].dtype)) as import('@tensorflow/tfjs').Tensor;
        const weightHashes = model.getWeights().map((w) => fnv(w.dataSync() as Float32Array));
        return { version: tf.version.tfjs, outputs: Array.from(await out.data()), weightHashes };
      } catch (e) {
        return { version: tf.version.tfjs, outputs: [], weightHashes: [], error: (e as Error).message };
      }
    },
    { src: source, x: input, dims: shape },
  );
}

/** The loaded model is the page's variant: the same weights bit for bit, outputs within float rounding of another backend (the page trains on wasm, the fresh page runs cpu). */
export function expectSameModel(loaded: Loaded, page: { outputs: number[]; weightHashes: number[] }, what: string): void {
  expect(loaded.error, what).toBeUndefined();
  expect(loaded.version, what).toMatch(/^4\./);
  expect(loaded.weightHashes, `${what}: weights`).toEqual(page.weightHashes);
  expect(loaded.outputs.length, what).toBe(page.outputs.length);
  // relative to the value's size: char-LSTM logits reach tens; probabilities stay under 1
  const worst = loaded.outputs.reduce((m, v, i) => Math.max(m, Math.abs(v - page.outputs[i]) / Math.max(1, Math.abs(page.outputs[i]))), 0);
  expect(worst, `${what}: outputs`).toBeLessThan(1e-4);
}
