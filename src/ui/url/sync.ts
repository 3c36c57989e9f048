import { AppState, store } from '../store/store';
import { notify } from '../store/notices';
import { decodeSettings, encodeSettings } from './urlState';

/** Before boot: the link's settings replace the defaults; every value that could not be used gets a notice. */
export function applyUrlSettings(): void {
  const { state, problems } = decodeSettings(new URLSearchParams(location.search), store.get());
  const current = store.get();
  for (const key of Object.keys(state) as (keyof AppState)[]) {
    if (state[key] !== current[key]) store.set(key, state[key]);
  }
  for (const p of problems) notify('info', p);
}

/** From now on the address bar always holds the current settings, so copying it shares the experiment. */
export function keepSettingsInUrl(): void {
  let last = location.search.replace(/^\?/, '');
  store.subscribe(() => {
    const s = store.get();
    if (s.backend.active === null && s.backend.error === null) return; // booting: `backend` is still to be read
    const query = encodeSettings(s).toString();
    if (query === last) return;
    last = query;
    history.replaceState(history.state, '', `${location.pathname}${query ? `?${query}` : ''}${location.hash}`);
  });
}
