import { callback } from '../../worker/client';
import { parseBackendName } from '../../engine/config/backends';
import { readFastest } from './backendActions';
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

/** Starts the engine on the link's backend (or the fastest), then loads the data and the stored runs. */
export async function boot(): Promise<void> {
  // anything the Content-Security-Policy blocks in the page is told, not silently broken
  document.addEventListener('securitypolicyviolation', (e) =>
    notify(
      'error',
      `The security policy blocked ${e.blockedURI || 'inline code'} (${e.effectiveDirective}) in the page; this is a bug, please report it.`,
    ),
  );
  const engine = startEngine((m) => notify('error', `The engine worker stopped: ${m}. Reload the page.`));
  const query = new URLSearchParams(location.search);
  const preferred = parseBackendName(query.get('backend'));
  try {
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
