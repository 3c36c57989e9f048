import { beforeEach, describe, expect, it } from 'vitest';
import { dismissNotice, notify } from '../../../src/ui/store/notices';
import { store } from '../../../src/ui/store/store';

describe('notices', () => {
  beforeEach(() => store.set('notices', []));

  it('collapses a repeated notice into one with a count, moved to the newest place', () => {
    notify('error', 'The engine worker stopped.');
    notify('info', 'Loaded data.');
    notify('error', 'The engine worker stopped.');
    notify('error', 'The engine worker stopped.');
    const shown = store.get().notices;
    expect(shown.map((n) => [n.level, n.message, n.count])).toEqual([
      ['info', 'Loaded data.', 1],
      ['error', 'The engine worker stopped.', 3],
    ]);
    // the same text at another level is another notice
    notify('info', 'The engine worker stopped.');
    expect(store.get().notices).toHaveLength(3);
  });

  it('keeps the five newest distinct notices, and a dismissed one comes back with a count of one', () => {
    for (let i = 1; i <= 7; i++) notify('info', `n${i}`);
    expect(store.get().notices.map((n) => n.message)).toEqual(['n3', 'n4', 'n5', 'n6', 'n7']);
    const last = store.get().notices.at(-1)!;
    notify('info', 'n7');
    dismissNotice(last.id);
    expect(store.get().notices.map((n) => n.message)).toEqual(['n3', 'n4', 'n5', 'n6']);
    notify('info', 'n7');
    expect(store.get().notices.at(-1)).toMatchObject({ message: 'n7', count: 1 });
  });
});
