import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { MLP_PRESET } from '../../../src/engine/config/imageModel';
import { DEFAULT_TRAIN, TrainConfig } from '../../../src/engine/config/train';
import type { TrainEvent } from '../../../src/engine/config/events';
import { Engine } from '../../../src/engine/services/engine';
import { listedStatus, LockManagerLike, NO_LOCKS, webLocks } from '../../../src/engine/runs/runLocks';
import { mnistIdxPair } from '../mnist';

/** Web Locks as a browser keeps them for its tabs: exclusive or shared, a FIFO queue, a crashed tab's locks freed. */
class FakeLocks {
  private held: { name: string; mode: LockMode; tab: string }[] = [];
  private queue: { name: string; mode: LockMode; grant: () => void }[] = [];

  private free(name: string, mode: LockMode): boolean {
    const holders = this.held.filter((h) => h.name === name);
    return holders.length === 0 || (mode === 'shared' && holders.every((h) => h.mode === 'shared'));
  }

  private drain(): void {
    for (const q of [...this.queue]) {
      if (!this.free(q.name, q.mode)) continue;
      this.queue.splice(this.queue.indexOf(q), 1);
      q.grant();
    }
  }

  tab(tab: string): LockManagerLike {
    return {
      request: (name, options, callback) =>
        new Promise((resolve) => {
          const mode = options.mode ?? 'exclusive';
          const grant = () => {
            const entry = { name, mode, tab };
            this.held.push(entry);
            void Promise.resolve(callback({ name })).then((value) => {
              this.held = this.held.filter((h) => h !== entry);
              this.drain();
              resolve(value);
            });
          };
          if (this.free(name, mode)) grant();
          else if (options.ifAvailable) resolve(callback(null));
          else this.queue.push({ name, mode, grant });
        }),
      query: async () => ({ held: this.held.map((h) => ({ name: h.name })) }),
    };
  }

  /** The tab closed or crashed: the browser drops every lock it held. */
  close(tab: string): void {
    this.held = this.held.filter((h) => h.tab !== tab);
    this.drain();
  }
}

const settled = async (p: Promise<unknown>) => {
  let done = false;
  void p.then(() => (done = true));
  await new Promise((r) => setTimeout(r, 10));
  return done;
};

describe('which tab trains a run (Web Locks)', () => {
  it('lists a stored running run as running here, in another tab while its lock is held, else interrupted', () => {
    expect(listedStatus('running', true, true)).toBe('running');
    expect(listedStatus('running', false, true)).toBe('elsewhere');
    expect(listedStatus('running', false, false)).toBe('interrupted');
    for (const s of ['finished', 'stopped', 'failed'] as const) expect(listedStatus(s, false, true)).toBe(s);
  });

  it('one tab holds a run lock; another cannot take it, sees it held, and hears when the holder releases or closes', async () => {
    const browser = new FakeLocks();
    const a = webLocks(browser.tab('a'));
    const b = webLocks(browser.tab('b'));
    const release = await a.acquire('r1');
    expect(release).toBeTypeOf('function');
    expect(await b.acquire('r1')).toBeNull();
    expect([...(await b.held())!]).toEqual(['r1']);
    const free = b.whenFree('r1');
    expect(await settled(free)).toBe(false);
    release!();
    expect(await settled(free)).toBe(true);
    expect((await b.held())!.size).toBe(0);

    await a.acquire('r2');
    const free2 = b.whenFree('r2');
    browser.close('a');
    expect(await settled(free2)).toBe(true);
    expect(await b.acquire('r2')).toBeTypeOf('function');
  });

  it('without Web Locks (Node) nothing is known: every run is free and held() says so with null', async () => {
    expect(await NO_LOCKS.held()).toBeNull();
    expect(await NO_LOCKS.acquire('x')).toBeTypeOf('function');
    expect(await settled(NO_LOCKS.whenFree('x'))).toBe(true);
  });
});

// 700 digits: 550 train, 50 validation; batch 64 gives 8 steps per epoch
const CONFIG: TrainConfig = { ...DEFAULT_TRAIN, epochs: 3, batchSize: 64, seed: 7, metricsEvery: 4 };
const { images, labels } = mnistIdxPair(0, 700);

async function openTab(browser: FakeLocks, tab: string): Promise<Engine> {
  const session = new Engine(undefined, webLocks(browser.tab(tab)));
  await session.init('cpu', () => {});
  await session.loadIdxFiles(
    [
      { name: 'images', bytes: images },
      { name: 'labels', bytes: labels },
    ],
    50,
  );
  return session;
}

/** Starts a run in `session` and resolves once it is paused after epoch 1 (its checkpoint at step 8 stored). */
function trainUntilPaused(session: Engine): { paused: Promise<void>; done: ReturnType<Engine['train']> } {
  let onPaused = () => {};
  const paused = new Promise<void>((r) => (onPaused = r));
  const done = session.train(MLP_PRESET, CONFIG, (e: TrainEvent) => {
    if (e.type === 'epoch' && e.point.epoch === 1) void session.pause();
    if (e.type === 'state' && e.state === 'paused') onPaused();
  });
  return { paused, done };
}

/** Two tabs of one browser; tab A trains a run and pauses it after its first checkpoint. */
async function twoTabsWithRunPaused() {
  const browser = new FakeLocks();
  const tabA = await openTab(browser, 'a');
  const tabB = await openTab(browser, 'b');
  const { paused, done } = trainUntilPaused(tabA);
  await paused;
  const [run] = await tabA.listRuns();
  return { browser, tabA, tabB, done, run: run! };
}

describe('two tabs of one browser (two sessions, one IndexedDB, one lock manager)', () => {
  it('a run training in tab A is "elsewhere" in tab B: not resumable, deletable or renamable there; finished once A ends it', async () => {
    const { tabA, tabB, done, run } = await twoTabsWithRunPaused();
    expect(run).toMatchObject({ status: 'running', checkpointStep: 8 });
    expect((await tabB.listRuns()).find((r) => r.id === run.id)?.status).toBe('elsewhere');
    await expect(tabB.resumeRun(run.id, () => {})).rejects.toThrow(
      'This run is training in another tab of this browser; resume it here once that tab stops it or closes.',
    );
    await expect(tabB.deleteRun(run.id)).rejects.toThrow('stop it there (or close that tab) before deleting it');
    await expect(tabB.renameRun(run.id, 'taken')).rejects.toThrow('rename it there, or here once it ends');
    const free = tabB.whenRunFree(run.id);
    expect(await settled(free)).toBe(false);

    // renamed in its own tab mid-run: the name survives the run's later saves
    await tabA.renameRun(run.id, 'kept name');
    await tabA.resume();
    expect((await done).reason).toBe('finished');
    expect(await settled(free)).toBe(true);
    expect((await tabB.listRuns()).find((r) => r.id === run.id)).toMatchObject({ status: 'finished', name: 'kept name', step: 24 });
  });

  it('once tab A closes mid-run, tab B lists the run as interrupted and can resume it', async () => {
    const { browser, tabA, tabB, done, run } = await twoTabsWithRunPaused();
    const free = tabB.whenRunFree(run.id);
    browser.close('a');
    expect(await settled(free)).toBe(true);
    expect((await tabB.listRuns()).find((r) => r.id === run.id)).toMatchObject({ status: 'interrupted', checkpointStep: 8 });
    // the closed tab's session is gone in a browser; here it is stopped before B takes the run over
    await tabA.stop();
    await done;
    const resumed = await tabB.resumeRun(run.id, () => {});
    expect(resumed.reason).toBe('finished');
    expect((await tabB.listRuns()).find((r) => r.id === run.id)).toMatchObject({ status: 'finished', step: 24 });
  });
});
