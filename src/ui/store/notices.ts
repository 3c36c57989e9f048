import { store } from './store';

let noticeId = 0;

/** An error's sentence, whatever was thrown. */
export const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** Shows a notice in the notices region above the panels; a repeat of a shown one counts up instead; the last five stay. */
export function notify(level: 'error' | 'info', text: string): void {
  store.update('notices', (shown) => {
    const same = shown.find((n) => n.level === level && n.message === text);
    const others = shown.filter((n) => n !== same);
    // the repeat moves to the end (newest), so it is announced again and the oldest go first
    return [...others, { id: same?.id ?? ++noticeId, level, message: text, count: (same?.count ?? 0) + 1 }].slice(-5);
  });
}

export function dismissNotice(id: number): void {
  store.set(
    'notices',
    store.get().notices.filter((n) => n.id !== id),
  );
}
