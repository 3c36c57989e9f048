import { type BackendName, BACKEND_ORDER } from '../../engine/config/backends';
import type { CharLstmConfig } from '../../engine/config/charModel';
import type { ModelConfig } from '../../engine/config/imageModel';
import type { ModelKind } from '../../engine/config/api';
import { engine } from './engine';
import { message, notify } from './notices';
import { FastestBackend, store } from './store';

const FASTEST_KEY = 'nn-playground.fastest-backend.v1';
const KIND_LABEL: Record<ModelKind, string> = { mlp: 'MLP', cnn: 'CNN', charLstm: 'char-LSTM' };

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
    store.update('backend', { active: state.active, switching: false });
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
 * With the automatic choice on, the first run of each model kind times a few steps on every backend that
 * starts here and keeps the fastest (cached in localStorage); later runs switch to it directly.
 */
export async function switchToFastestBackend(kind: ModelKind, config: ModelConfig | CharLstmConfig): Promise<void> {
  const { backend } = store.get();
  if (!backend.auto || !backend.active) return;
  const known = backend.fastest[kind];
  if (known) {
    // an automatic switch: like the user's, but the automatic choice stays on
    if (known.backend !== backend.active && !backend.failures[known.backend]) await switchTo(known.backend, {});
    return;
  }
  store.update('backend', { measuring: kind });
  try {
    await measure(
      kind,
      config,
      BACKEND_ORDER.filter((b) => !backend.failures[b]),
    );
  } catch (e) {
    notify('error', `Measuring the backends failed (${message(e)}); training on ${store.get().backend.active}.`);
  } finally {
    store.update('backend', { measuring: null });
  }
}

/** Times `kind` on each candidate, trains on the fastest from now on and says what was measured. */
async function measure(kind: ModelKind, config: ModelConfig | CharLstmConfig, candidates: BackendName[]): Promise<void> {
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
}
