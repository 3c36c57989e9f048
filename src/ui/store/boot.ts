import { callback } from '../../worker/client';
import { parseBackendName } from '../../engine/config/backends';
import { readFastest, watchIdlePoints } from './backendActions';
import { startEngine } from './engine';
import { loadMnist, refreshSummary } from './imagesActions';
import { message, notify } from './notices';
import { initRuns } from './runsActions';
import { Mode, store } from './store';
import { loadDefaultText } from './textActions';

/** The tab shown: images or text. */
export function setMode(mode: Mode): void {
  store.set('mode', mode);
}

/** Wires the page's policy-violation notices, then starts the engine and loads what the page shows. */
export async function boot(): Promise<void> {
  // anything the Content-Security-Policy blocks in the page is told, not silently broken
  document.addEventListener('securitypolicyviolation', (e) =>
    notify(
      'error',
      `The security policy blocked ${e.blockedURI || 'inline code'} (${e.effectiveDirective}) in the page; this is a bug, please report it.`,
    ),
  );
  watchIdlePoints();
  await startAndLoad();
}

let restarted = false;
let bootQuery: URLSearchParams | undefined;

/** A crashed engine is restarted once, with one message; a second crash asks for a reload instead of looping. */
function onCrash(why: string): void {
  if (restarted) {
    notify('error', `The engine worker stopped again: ${why}. Reload the page; runs stored in this browser are kept.`);
    return;
  }
  restarted = true;
  notify('error', `The engine worker stopped: ${why}. It was restarted; runs stored in this browser are kept (resume one from Runs).`);
  store.update('train', (t) =>
    t.state === 'running' || t.state === 'paused'
      ? { state: 'failed' as const, message: 'The engine stopped during training; resume the run from Runs.' }
      : {},
  );
  // what the old worker held is gone: the page shows it loading again, and Start waits for it
  store.update('backend', { active: null, measuring: null, switching: false });
  store.update('data', { info: null });
  store.update('text', { info: null });
  void startAndLoad();
}

/** Starts the engine on the link's backend (or the best guess), then loads the data and the stored runs. */
async function startAndLoad(): Promise<void> {
  const engine = startEngine(onCrash);
  // the address the page was opened with (the page rewrites its query as settings change; a restart reads this)
  bootQuery ??= new URLSearchParams(location.search);
  const query = bootQuery;
  const preferred = parseBackendName(query.get('backend'));
  try {
    const options = { testHooks: query.get('testHooks') === '1', keepRuns: query.get('storage') !== 'off' };
    const state = await engine.init(
      preferred,
      callback((n) => notify(n.level, n.message)),
      options,
    );
    store.update('backend', {
      active: state.active,
      failures: state.failures,
      guess: state.guess ?? null,
      error: null,
      auto: !preferred,
      fastest: readFastest(),
    });
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
