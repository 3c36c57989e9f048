import type { RunStatus } from '../config/runs';

/**
 * Which stored runs train now, in any tab of this browser: the worker training a run holds a Web Lock named
 * after it until the run ends. A closed or crashed tab releases its locks, so its run then reads as interrupted.
 */
export interface RunLocks {
  /** Takes the run's lock and holds it until release() is called; null when another tab holds it. */
  acquire(id: string): Promise<(() => void) | null>;
  /** The ids of the runs whose lock someone holds now; null where the browser has no Web Locks (nothing is known). */
  held(): Promise<Set<string> | null>;
  /** Settles once nobody holds the run's lock (at once where there are no locks). */
  whenFree(id: string): Promise<void>;
}

/** The part of the Web Locks API (navigator.locks) used here; the unit tests pass their own. */
export interface LockManagerLike {
  request(name: string, options: { ifAvailable?: boolean; mode?: LockMode }, callback: (lock: { name: string } | null) => unknown): Promise<unknown>;
  query(): Promise<{ held?: { name?: string }[] }>;
}

const PREFIX = 'nn-playground-run:';

export function webLocks(manager: LockManagerLike): RunLocks {
  return {
    acquire: (id) =>
      new Promise((resolve) => {
        let release = () => {};
        const held = new Promise<void>((r) => (release = r));
        manager
          .request(PREFIX + id, { ifAvailable: true }, (lock) => {
            if (!lock) return resolve(null);
            resolve(release);
            return held; // the lock is kept until this settles
          })
          // a refused request (e.g. not a secure context): train unlocked, as where there are no locks
          .catch(() => resolve(release));
      }),
    held: async () => {
      try {
        const names = ((await manager.query()).held ?? []).map((l) => l.name ?? '');
        return new Set(names.filter((n) => n.startsWith(PREFIX)).map((n) => n.slice(PREFIX.length)));
      } catch {
        return null;
      }
    },
    // shared: any number of tabs may wait without queueing behind each other
    whenFree: (id) =>
      manager
        .request(PREFIX + id, { mode: 'shared' }, () => undefined)
        .then(
          () => undefined,
          () => undefined,
        ),
  };
}

/** Where the browser (or Node) has no Web Locks: every run is free, and a 'running' one not training here is interrupted. */
export const NO_LOCKS: RunLocks = { acquire: async () => () => {}, held: async () => null, whenFree: async () => {} };

/** navigator.locks in a page or worker, NO_LOCKS where it is missing (Node, old browsers). */
export function browserLocks(): RunLocks {
  const manager = (globalThis as { navigator?: { locks?: LockManagerLike } }).navigator?.locks;
  return manager ? webLocks(manager) : NO_LOCKS;
}

/**
 * How a stored run is listed. Stored as 'running', it trains here ('running'), in another tab whose worker holds
 * its lock ('elsewhere'), or nowhere: the tab was reloaded, closed or crashed ('interrupted').
 */
export function listedStatus(stored: RunStatus, trainingHere: boolean, lockHeld: boolean): RunStatus {
  if (stored !== 'running' || trainingHere) return stored;
  return lockHeld ? 'elsewhere' : 'interrupted';
}
