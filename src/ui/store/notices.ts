import { store } from './store';

let noticeId = 0;

/** An error's sentence, whatever was thrown. */
export const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** Shows a notice above the panels; the last five stay. */
export function notify(level: 'error' | 'info', text: string): void {
  store.update('notices', (n) => [...n, { id: ++noticeId, level, message: text }].slice(-5));
}

export function dismissNotice(id: number): void {
  store.set(
    'notices',
    store.get().notices.filter((n) => n.id !== id),
  );
}
