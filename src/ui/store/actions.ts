import { callback, EngineClient, startEngineWorker } from '../../worker/client';
import type { BackendName } from '../../worker/api';
import { BACKEND_ORDER, parseBackendName } from '../../engine/backend/names';
import type { CharLstmConfig } from '../../engine/text/charModel';
import type { ModelConfig } from '../../engine/models/config';
import { validateModelConfig } from '../../engine/models/validate';
import { TrainConfig, validateTrainConfig } from '../../engine/train/config';
import type { Progress, StepPoint, TrainEvent } from '../../engine/train/trainer';
import { FastestBackend, Mode, store } from './store';
import type { ModelKind } from '../../worker/api';
import { loadDefaultText } from './textActions';
import { initRuns, rewindRun } from './runsActions';

export function setMode(mode: Mode): void {
  store.set('mode', mode);
}

export let engine: EngineClient;
let noticeId = 0;

export const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

export function notify(level: 'error' | 'info', text: string): void {
  store.update('notices', (n) => [...n, { id: ++noticeId, level, message: text }].slice(-5));
}

export function dismissNotice(id: number): void {
  store.set(
    'notices',
    store.get().notices.filter((n) => n.id !== id),
  );
}

/** Bundled data lives beside index.html, so it resolves against the page, whatever sub-path hosts it. */
export const dataUrl = (file: string) => new URL(`data/${file}`, document.baseURI).href;

export async function boot(): Promise<void> {
  // anything the Content-Security-Policy blocks in the page is told, not silently broken
  document.addEventListener('securitypolicyviolation', (e) =>
    notify(
      'error',
      `The security policy blocked ${e.blockedURI || 'inline code'} (${e.effectiveDirective}) in the page; this is a bug, please report it.`,
    ),
  );
  engine = startEngineWorker((m) => notify('error', `The engine worker stopped: ${m}. Reload the page.`));
  // the typed engine API, for the console and for npm run bench (scripts/bench.ts)
  (globalThis as { playgroundEngine?: EngineClient }).playgroundEngine = engine;
  const param = new URLSearchParams(location.search).get('backend');
  const preferred = parseBackendName(param);
  try {
    const query = new URLSearchParams(location.search);
    const options = { testHooks: query.get('testHooks') === '1', keepRuns: query.get('storage') !== 'off' };
    const state = await engine.init(
      preferred,
      callback((n) => notify(n.level, n.message)),
      options,
    );
    store.update('backend', { active: state.active, failures: state.failures, error: null, auto: !preferred, fastest: readFastest() });
  } catch (e) {
    store.update('backend', { error: message(e) });
    return;
  }
  void refreshSummary();
  const runs = initRuns(); // the resume offer waits for nothing, but the data must load before a resume starts
  await loadMnist();
  await loadDefaultText();
  await runs;
}

export async function loadMnist(): Promise<void> {
  store.update('data', { loading: { loaded: 0, total: 0 }, error: null });
  try {
    const info = await engine.loadMnist(
      {
        trainImages: dataUrl('mnist-train-images.idx.gz'),
        trainLabels: dataUrl('mnist-train-labels.idx.gz'),
        testImages: dataUrl('mnist-test-images.idx.gz'),
        testLabels: dataUrl('mnist-test-labels.idx.gz'),
      },
      store.get().data.validationSize,
      callback((p) => store.update('data', { loading: { loaded: p.loadedBytes, total: p.totalBytes } })),
    );
    store.update('data', { info, loading: null, preview: await engine.preview(40) });
  } catch (e) {
    store.update('data', { loading: null, error: message(e) });
  }
}

export async function loadIdxFiles(files: File[]): Promise<void> {
  store.update('data', { error: null });
  try {
    const named = await Promise.all(files.map(async (f) => ({ name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) })));
    const info = await engine.loadIdxFiles(named, store.get().data.validationSize);
    store.update('data', { info, preview: await engine.preview(40) });
    notify(
      'info',
      `Loaded ${info.name}: ${info.trainCount.toLocaleString()} training, ${info.validationCount.toLocaleString()} validation, ${info.testCount.toLocaleString()} test images.`,
    );
  } catch (e) {
    store.update('data', { error: message(e) });
  }
}

/** The user's pick: kept from now on (the per-model automatic choice stops). */
export async function switchBackend(name: BackendName): Promise<void> {
  store.update('backend', { switching: true, error: null, auto: false });
  try {
    const state = await engine.setBackend(name);
    store.update('backend', { active: state.active, switching: false });
  } catch (e) {
    store.update('backend', { switching: false, error: message(e) });
  }
}

export async function refreshSummary(): Promise<void> {
  const { kind, configs } = store.get().model;
  const config = configs[kind];
  const problems = validateModelConfig(config);
  if (problems.length) {
    store.update('model', { problems, summary: null });
    return;
  }
  store.update('model', { problems: [] });
  // a slow reply for an older configuration must not overwrite a newer one's problems or summary
  const current = () => store.get().model.configs[store.get().model.kind] === config;
  try {
    const summary = await engine.describeModel(config);
    if (current()) store.update('model', { problems: [], summary });
  } catch (e) {
    if (current()) store.update('model', { problems: [message(e)], summary: null });
  }
}

const FASTEST_KEY = 'nn-playground.fastest-backend.v1';

function readFastest(): Partial<Record<ModelKind, FastestBackend>> {
  try {
    const parsed = JSON.parse(localStorage.getItem(FASTEST_KEY) ?? '{}') as Partial<Record<ModelKind, FastestBackend>>;
    return parsed && typeof parsed === 'object' ? parsed : {};
  } catch {
    return {}; // unreadable or no storage: measure again
  }
}

export function setAutoBackend(auto: boolean): void {
  store.update('backend', { auto });
}

/** Forgets the measurements, so the next run of each model kind measures again. */
export function forgetFastest(): void {
  try {
    localStorage.removeItem(FASTEST_KEY);
  } catch {
    // storage unavailable: nothing was kept
  }
  store.update('backend', { fastest: {} });
}

/**
 * With the automatic choice on, the first run of each model kind times a few steps on every backend that
 * starts here and keeps the fastest (cached in localStorage); later runs switch to it directly.
 */
export async function switchToFastestBackend(kind: ModelKind, config: ModelConfig | CharLstmConfig): Promise<void> {
  const { backend } = store.get();
  if (!backend.auto || !backend.active) return;
  const known = backend.fastest[kind];
  if (known) {
    if (known.backend !== backend.active && !backend.failures[known.backend]) await switchTo(known.backend);
    return;
  }
  store.update('backend', { measuring: kind });
  try {
    const candidates = BACKEND_ORDER.filter((b) => !backend.failures[b]);
    const timings = await engine.measureBackends(kind, config, candidates);
    const timed = timings.filter((t) => t.itemsPerSec !== undefined);
    if (!timed.length) return;
    const best = timed.reduce((a, b) => (b.itemsPerSec! > a.itemsPerSec! ? b : a));
    const fastest = { ...store.get().backend.fastest, [kind]: { backend: best.backend, timings, date: new Date().toISOString() } };
    try {
      localStorage.setItem(FASTEST_KEY, JSON.stringify(fastest));
    } catch {
      // no storage (private window): it is measured again next visit
    }
    store.update('backend', { active: best.backend, fastest });
    const unit = kind === 'charLstm' ? 'characters' : 'samples';
    notify(
      'info',
      `Measured once for the ${KIND_LABEL[kind]}: ${timed.map((t) => `${t.backend} ${Math.round(t.itemsPerSec!).toLocaleString('en-US')} ${unit}/s`).join(', ')}. Training on ${best.backend}; pick a backend at the top right to override.`,
    );
  } catch (e) {
    notify('error', `Measuring the backends failed (${message(e)}); training on ${store.get().backend.active}.`);
  } finally {
    store.update('backend', { measuring: null });
  }
}

const KIND_LABEL: Record<ModelKind, string> = { mlp: 'MLP', cnn: 'CNN', charLstm: 'char-LSTM' };

/** An automatic switch: like the user's, but the automatic choice stays on. */
async function switchTo(name: BackendName): Promise<void> {
  store.update('backend', { switching: true, error: null });
  try {
    const state = await engine.setBackend(name);
    store.update('backend', { active: state.active, switching: false });
  } catch (e) {
    store.update('backend', { switching: false, error: message(e) });
  }
}

export function setModelKind(kind: 'mlp' | 'cnn'): void {
  store.update('model', { kind });
  void refreshSummary();
}

export function setModelConfig(config: ModelConfig): void {
  store.update('model', (m) => ({ configs: { ...m.configs, [config.kind]: config } }));
  void refreshSummary();
}

export function setTrainConfig(patch: Partial<TrainConfig>): void {
  store.update('train', (t) => ({ config: { ...t.config, ...patch } }));
}

/** Step metrics arrive many times a second on fast backends; the charts redraw at most every 250 ms. */
const CHART_INTERVAL_MS = 250;
let bufferedSteps: StepPoint[] = [];
let bufferedProgress: Progress | null = null;
let flushTimer: ReturnType<typeof setTimeout> | null = null;

export function flushSteps(): void {
  if (flushTimer) clearTimeout(flushTimer);
  flushTimer = null;
  if (!bufferedSteps.length) return;
  const points = bufferedSteps;
  const progress = bufferedProgress;
  bufferedSteps = [];
  store.update('train', (t) => ({ steps: t.steps.concat(points), progress }));
}

export function onTrainEvent(e: TrainEvent): void {
  if (e.type === 'steps') {
    bufferedSteps.push(...e.points);
    bufferedProgress = e.progress;
    flushTimer ??= setTimeout(flushSteps, CHART_INTERVAL_MS);
    return;
  }
  flushSteps();
  if (e.type === 'epoch') store.update('train', (t) => ({ epochs: [...t.epochs, e.point] }));
  else if (e.type === 'sample') store.update('text', (t) => ({ samples: [...t.samples, { step: e.step, text: e.text }].slice(-20) }));
  else if (e.type === 'rewind') rewindRun(e);
  else store.update('train', { state: e.state });
}

export async function startTraining(): Promise<void> {
  const s = store.get();
  const model = s.model.configs[s.model.kind];
  const problems = [...validateModelConfig(model), ...validateTrainConfig(s.train.config)];
  if (problems.length) {
    store.update('train', { state: 'failed', message: problems.join(' ') });
    return;
  }
  if (!s.data.info) {
    store.update('train', { message: 'The dataset is still loading; start again once it is ready.' });
    return;
  }
  if (!s.continueRun.images) await switchToFastestBackend(s.model.kind, model);
  store.update('train', { task: 'images', state: 'running', steps: [], epochs: [], progress: null, message: null, seconds: null });
  store.update('evaluation', { result: null, error: null });
  store.update('draw', { probabilities: null });
  try {
    const result = await engine.train(model, s.train.config, callback(onTrainEvent), s.continueRun.images);
    flushSteps();
    store.update('train', { state: result.reason, message: result.error ?? null, seconds: result.seconds });
    if (result.reason !== 'failed') await evaluate();
  } catch (e) {
    store.update('train', { state: 'failed', message: message(e) });
  }
}

export const pauseTraining = () => engine.pause();
export const resumeTraining = () => engine.resume();
export const stopTraining = () => engine.stop();

export async function evaluate(): Promise<void> {
  store.update('evaluation', { running: true, error: null });
  try {
    store.update('evaluation', { result: await engine.evaluate(), running: false });
  } catch (e) {
    store.update('evaluation', { running: false, error: message(e) });
  }
}

export async function predictDrawing(pixels: Float32Array): Promise<void> {
  try {
    store.update('draw', { probabilities: await engine.predict(pixels), error: null });
  } catch (e) {
    store.update('draw', { probabilities: null, error: message(e) });
  }
}

/** For the end-to-end tests and the console: tensor count and bytes in the engine. */
export const engineMemory = () => engine.memory();
