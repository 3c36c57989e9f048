import { type BackendName, BACKEND_ORDER, CLEARLY_FASTER, clearlyFastest } from '../../engine/config/backends';
import type { CharLstmConfig } from '../../engine/config/charModel';
import type { CharTransformerConfig } from '../../engine/config/charTransformer';
import type { ModelConfig } from '../../engine/config/imageModel';
import type { BackendMeasure, ModelKind } from '../../engine/config/api';
import { engine } from './engine';
import { message, notify } from './notices';
import { FastestBackend, store } from './store';

const FASTEST_KEY = 'nn-playground.fastest-backend.v1';
const KIND_LABEL: Record<ModelKind, string> = { mlp: 'MLP', cnn: 'CNN', charLstm: 'char-LSTM', charTransformer: 'Transformer' };

/** The fastest backend measured per model kind on an earlier visit. */
export function readFastest(): Partial<Record<ModelKind, FastestBackend>> {
  try {
    const parsed = JSON.parse(localStorage.getItem(FASTEST_KEY) ?? '{}') as Partial<Record<ModelKind, FastestBackend>>;
    return parsed && typeof parsed === 'object' ? parsed : {};
  } catch {
    return {}; // unreadable or no storage: measure again
  }
}

/** Switches the engine to `name`; `auto` says whether the automatic per-model choice stays on. */
async function switchTo(name: BackendName, auto: { auto?: boolean }): Promise<void> {
  store.update('backend', { switching: true, error: null, ...auto });
  try {
    const state = await engine.setBackend(name);
    store.update('backend', { active: state.active, switching: false, guess: null });
  } catch (e) {
    store.update('backend', { switching: false, error: message(e) });
  }
}

/** The user's pick: kept from now on (the per-model automatic choice stops). */
export const switchBackend = (name: BackendName) => switchTo(name, { auto: false });

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
 * At Start (a checkpoint: the run begins from fresh or stored weights), with the automatic choice on: moves to the
 * backend measured for this model kind if it is clearly faster than the active one. Never measures: the run
 * starts at once on the best guess, and the others are measured when the page is idle (measureWhenIdle).
 */
export async function switchToFastestBackend(kind: ModelKind): Promise<void> {
  clearTimeout(idleTimer);
  const { backend } = store.get();
  if (!backend.auto || !backend.active) return;
  const known = backend.fastest[kind];
  if (!known) return;
  const target = clearlyFastest(known.timings, backend.active);
  // an automatic switch: like the user's, but the automatic choice stays on
  if (target !== backend.active && !backend.failures[target]) await switchTo(target, {});
}

/** How long the page must be idle (no run, no measurement) before the backends are timed in the background. */
const IDLE_MS = 2000;
let idleTimer: ReturnType<typeof setTimeout> | undefined;

/** The model kind on screen and its config, if its data is loaded and nothing else runs. */
function idleKind(): { kind: ModelKind; config: ModelConfig | CharLstmConfig | CharTransformerConfig } | null {
  const s = store.get();
  if (s.train.state === 'running' || s.train.state === 'paused' || s.backend.measuring || s.backend.switching) return null;
  if (s.mode === 'text') {
    if (!s.text.info) return null;
    return s.text.family === 'charTransformer' ? { kind: 'charTransformer', config: s.text.gpt } : { kind: 'charLstm', config: s.text.model };
  }
  return s.data.info ? { kind: s.model.kind, config: s.model.configs[s.model.kind] } : null;
}

/**
 * Called at the page's idle points (data loaded, a run ended, a tab or model kind chosen): once the page has
 * stayed idle for IDLE_MS, times the model kind on screen on the other backends if it was never measured here.
 * Any engine call (Start above all) makes the measurement give way; it is tried again at the next idle point.
 */
function measureWhenIdle(): void {
  clearTimeout(idleTimer);
  idleTimer = setTimeout(() => {
    const { backend } = store.get();
    const next = idleKind();
    if (!next || !backend.auto || !backend.active || backend.fastest[next.kind]) return;
    // cpu is not timed while WASM runs: the same processor without SIMD or threads, never the faster one
    const candidates = BACKEND_ORDER.filter((b) => !backend.failures[b] && (b !== 'cpu' || backend.failures.wasm));
    void measure(next.kind, next.config, candidates);
  }, IDLE_MS);
}

/** Times `kind` on each candidate; if the measurement ran to its end, keeps it and says what the next Start does. */
async function measure(kind: ModelKind, config: ModelConfig | CharLstmConfig | CharTransformerConfig, candidates: BackendName[]): Promise<void> {
  store.update('backend', { measuring: kind });
  let result: BackendMeasure;
  try {
    result = await engine.measureBackends(kind, config, candidates);
  } catch (e) {
    notify('error', `Measuring the backends failed (${message(e)}); training stays on ${store.get().backend.active}.`);
    return;
  } finally {
    store.update('backend', { measuring: null });
  }
  const timed = result.timings.filter((t) => t.itemsPerSec !== undefined);
  if (result.interrupted || !timed.length) return;
  const best = timed.reduce((a, b) => (b.itemsPerSec! > a.itemsPerSec! ? b : a));
  const fastest = { ...store.get().backend.fastest, [kind]: { backend: best.backend, timings: result.timings, date: new Date().toISOString() } };
  try {
    localStorage.setItem(FASTEST_KEY, JSON.stringify(fastest));
  } catch {
    // no storage (private window): it is measured again next visit
  }
  store.update('backend', { fastest });
  const active = store.get().backend.active!;
  const target = clearlyFastest(result.timings, active);
  const unit = kind === 'charLstm' ? 'characters' : 'samples';
  notify(
    'info',
    `Measured in the background for the ${KIND_LABEL[kind]}: ${timed.map((t) => `${t.backend} ${Math.round(t.itemsPerSec!).toLocaleString('en-US')} ${unit}/s`).join(', ')}. ${
      target === active
        ? `Training stays on ${active} (nothing here is ${CLEARLY_FASTER}x faster).`
        : `The next ${KIND_LABEL[kind]} run starts on ${target}.`
    } Pick a backend at the top right to override.`,
  );
}

/** The page's idle points, watched from boot on: data loaded, a run ended, a tab or model kind chosen. */
export function watchIdlePoints(): () => void {
  let last = '';
  return store.subscribe(() => {
    const s = store.get();
    const key = [s.mode, s.model.kind, s.train.state, s.data.info !== null, s.text.info !== null, s.backend.active].join('|');
    if (key === last) return;
    last = key;
    measureWhenIdle();
  });
}
