import { createStore, del, get, set, values, type UseStore } from 'idb-keyval';
import type { Checkpoint } from '../io/checkpoint';
import type { RunRecord, RunSummary, StorageStatus } from '../config/runs';

/** The few key-value operations the run store needs (IndexedDB in the page, memory where it is missing). */
export interface KeyValue {
  get(key: string): Promise<unknown>;
  set(key: string, value: unknown): Promise<void>;
  del(key: string): Promise<void>;
  values(): Promise<unknown[]>;
}

export class MemoryKeyValue implements KeyValue {
  private readonly map = new Map<string, unknown>();
  async get(key: string) {
    return this.map.get(key);
  }
  async set(key: string, value: unknown) {
    this.map.set(key, structuredClone(value));
  }
  async del(key: string) {
    this.map.delete(key);
  }
  async values() {
    return [...this.map.values()];
  }
}

export function indexedDbKeyValue(dbName: string): KeyValue {
  const db: UseStore = createStore(dbName, 'items');
  return {
    get: (key) => get(key, db),
    set: (key, value) => set(key, value, db),
    del: (key) => del(key, db),
    values: () => values(db),
  };
}

const summaryOf = (r: RunRecord): RunSummary => {
  const { model: _m, topology: _t, train: _tr, text: _tx, vocab: _v, steps: _s, epochs: _e, ...summary } = r;
  return summary;
};

/** Runs (settings and curves) and their latest checkpoint (weights, optimizer state), kept apart so listing stays light. */
export class RunStore {
  constructor(
    private readonly runs: KeyValue,
    private readonly checkpoints: KeyValue,
  ) {}

  async list(): Promise<RunSummary[]> {
    const all = (await this.runs.values()) as RunRecord[];
    return all.map(summaryOf).sort((a, b) => b.version - a.version);
  }

  async get(id: string): Promise<RunRecord | null> {
    return ((await this.runs.get(id)) as RunRecord | undefined) ?? null;
  }

  put(record: RunRecord): Promise<void> {
    return this.runs.set(record.id, record);
  }

  async checkpoint(id: string): Promise<Checkpoint | null> {
    return ((await this.checkpoints.get(id)) as Checkpoint | undefined) ?? null;
  }

  putCheckpoint(id: string, cp: Checkpoint): Promise<void> {
    return this.checkpoints.set(id, cp);
  }

  async nextVersion(): Promise<number> {
    return (await this.list()).reduce((v, r) => Math.max(v, r.version), 0) + 1;
  }

  async rename(id: string, name: string): Promise<RunSummary> {
    const record = await this.get(id);
    if (!record) throw new Error('This run is no longer stored; reload the list.');
    const clean = name.trim().slice(0, 100);
    if (!clean) throw new Error('A run needs a name; type at least one character.');
    const next = { ...record, name: clean };
    await this.put(next);
    return summaryOf(next);
  }

  async delete(id: string): Promise<void> {
    await this.checkpoints.del(id);
    await this.runs.del(id);
  }
}

const timeout = <T>(p: Promise<T>, ms: number, what: string) =>
  Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what} did not answer within ${ms / 1000} s`)), ms))]);

/** IndexedDB when it works (a probe write and read), else memory; the status says which and why. */
export async function openRunStore(
  makeKeyValue: (name: string) => KeyValue = indexedDbKeyValue,
): Promise<{ store: RunStore; status: StorageStatus }> {
  try {
    if (typeof indexedDB === 'undefined') throw new Error('this browser gives the page no IndexedDB (a private window, or site storage is blocked)');
    const runs = makeKeyValue('nn-playground-runs');
    const checkpoints = makeKeyValue('nn-playground-checkpoints');
    await timeout(
      (async () => {
        await runs.set('probe', 1);
        await runs.get('probe');
        await runs.del('probe');
      })(),
      5000,
      'IndexedDB',
    );
    return { store: new RunStore(runs, checkpoints), status: { persistent: true, problem: null } };
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    return { store: new RunStore(new MemoryKeyValue(), new MemoryKeyValue()), status: { persistent: false, problem: reason } };
  }
}
