import { familyName, type RunRecord, type RunSummary } from '../../engine/config/runs';
import { engine } from './engine';
import { downloadFiles, readFiles } from './files';
import { evaluate } from './imagesActions';
import { message, notify } from './notices';
import { Mode, OverlayRun, RunState, store } from './store';
import { runTraining } from './training';

/** Most runs drawn on top of each other in the comparison chart. */
export const MAX_OVERLAY = 4;

/** The legend's name for a run; it names the family (char-LSTM, Transformer) when the run's own name does not. */
const label = (r: Pick<RunSummary, 'name' | 'version' | 'modelKind'>) => {
  const family = familyName(r.modelKind);
  return r.name.includes(family) ? `v${r.version} ${r.name}` : `v${r.version} ${r.name} (${family})`;
};

/** At start-up: says plainly when runs cannot be kept, lists the stored runs and offers to resume an interrupted one. */
export async function initRuns(): Promise<void> {
  try {
    const storage = await engine.storageStatus();
    store.update('runs', { storage });
    if (!storage.persistent) {
      notify(
        'error',
        `Runs will not be kept after this tab closes: ${storage.problem ?? 'browser storage is unavailable'}. Training works as usual; export a run from the Runs panel to keep it.`,
      );
    }
    const list = await refreshRuns();
    const offer = list.find((r) => r.status === 'interrupted' && r.checkpointStep !== null) ?? null;
    store.update('runs', { offer });
  } catch (e) {
    store.update('runs', { error: message(e) });
  }
}

export async function refreshRuns(): Promise<RunSummary[]> {
  const list = await engine.listRuns();
  store.update('runs', { list });
  for (const r of list) if (r.status === 'elsewhere') watchElsewhere(r.id);
  return list;
}

const watched = new Set<string>();

/** A run training in another tab is listed again once that tab lets it go; interrupted, it is offered for resume. */
function watchElsewhere(id: string): void {
  if (watched.has(id)) return;
  watched.add(id);
  void engine
    .whenRunFree(id)
    .then(async () => {
      watched.delete(id);
      const run = (await refreshRuns()).find((r) => r.id === id);
      const { runs, train } = store.get();
      const idle = train.state !== 'running' && train.state !== 'paused';
      if (run?.status === 'interrupted' && run.checkpointStep !== null && !runs.offer && idle) store.update('runs', { offer: run });
    })
    .catch(() => watched.delete(id));
}

async function job(doing: string, work: () => Promise<void>): Promise<void> {
  store.update('runs', { busy: doing, error: null });
  try {
    await work();
  } catch (e) {
    store.update('runs', { error: message(e) });
  } finally {
    store.update('runs', { busy: null });
  }
}

/** The run's curves up to its last checkpoint: what the charts show before a resumed run adds to them. */
function showCurves(record: RunRecord, upTo: number | null, state: RunState): void {
  const keep = <T extends { step: number }>(points: T[]) => (upTo === null ? points : points.filter((p) => p.step <= upTo));
  store.update('train', {
    task: record.task,
    config: record.task === 'images' ? record.train : store.get().train.config,
    state,
    steps: keep(record.steps),
    epochs: keep(record.epochs),
    progress: null,
    message: record.error,
    seconds: null,
  });
  store.set('mode', record.task);
}

/** A text run's char-LSTM becomes the one generation uses. */
function showTextModel(record: RunRecord): void {
  if (!record.vocab || !record.model || !('window' in record.model)) return;
  store.update('text', {
    ready: { source: record.dataset.name, vocabSize: record.vocab.chars.length, config: record.model, options: record.vocab.options },
  });
}

/** Goes on with an interrupted run from its last checkpoint, its chart history drawn first. */
export async function resumeRun(id: string): Promise<void> {
  store.update('runs', { offer: null, error: null });
  const s = store.get();
  let record: RunRecord;
  try {
    record = await engine.getRun(id);
    if (record.task === 'images' ? !s.data.info : !s.text.info) throw new Error('The data is still loading; resume again once it is ready.');
  } catch (e) {
    store.update('runs', { error: message(e) });
    return;
  }
  showCurves(record, record.checkpointStep, 'running');
  store.update('evaluation', { result: null, error: null });
  await runTraining(
    (onEvent) => engine.resumeRun(id, onEvent),
    async (result) => {
      if (record.task === 'images' && result.reason !== 'failed') await evaluate();
      if (record.task === 'text') showTextModel(record);
    },
  );
  await refreshRuns().catch(() => []);
}

export const dismissOffer = () => store.update('runs', { offer: null });

/** Shows a stored run's curves and makes its last checkpoint the page's model (evaluated, ready to draw or generate). */
export const openRun = (id: string) =>
  job('opening', async () => {
    const record = await engine.openRun(id);
    // stored as running, it trains nowhere here (interrupted, or in another tab): the page is not training
    showCurves(
      record,
      null,
      record.status === 'running' || record.status === 'interrupted' || record.status === 'elsewhere' ? 'stopped' : record.status,
    );
    if (record.checkpointStep === null) return;
    if (record.task === 'images') await evaluate();
    else showTextModel(record);
  });

export async function toggleOverlay(run: RunSummary): Promise<void> {
  const { overlay } = store.get().runs;
  if (overlay.some((o) => o.id === run.id)) {
    store.update('runs', { overlay: overlay.filter((o) => o.id !== run.id) });
    return;
  }
  if (overlay.length >= MAX_OVERLAY) {
    store.update('runs', { error: `At most ${MAX_OVERLAY} runs can be compared at once; untick one first.` });
    return;
  }
  await job('loading curves', async () => {
    const record = await engine.getRun(run.id);
    const entry: OverlayRun = { id: run.id, label: label(run), task: record.task as Mode, epochs: record.epochs };
    store.update('runs', (r) => ({ overlay: [...r.overlay.filter((o) => o.id !== run.id), entry].slice(-MAX_OVERLAY) }));
  });
}

export const startRename = (id: string | null) => store.update('runs', { renaming: id, error: null });

export const renameRun = (id: string, name: string) =>
  job('renaming', async () => {
    const renamed = await engine.renameRun(id, name);
    store.update('runs', (r) => ({ renaming: null, overlay: r.overlay.map((o) => (o.id === id ? { ...o, label: label(renamed) } : o)) }));
    await refreshRuns();
  });

export const deleteRun = (id: string) =>
  job('deleting', async () => {
    await engine.deleteRun(id);
    store.update('runs', (r) => ({ overlay: r.overlay.filter((o) => o.id !== id), offer: r.offer?.id === id ? null : r.offer }));
    await refreshRuns();
  });

export const exportRun = (id: string) =>
  job('exporting', async () => {
    downloadFiles(await engine.exportRun(id));
  });

/** An exported run (its .run.json with checkpoint files, or one .zip) joins the list under this browser's next version. */
export const importRun = (files: File[]) =>
  job('importing', async () => {
    const { run, note } = await engine.importRun(await readFiles(files));
    await refreshRuns();
    const next = run.checkpointStep === null ? 'open it to see its curves' : 'resume it (with the same data loaded) or open it to train it further';
    notify(
      'info',
      `Imported run v${run.version} "${run.name}" (${run.step.toLocaleString('en-US')} of ${run.totalSteps.toLocaleString('en-US')} steps): ${next}.${note ? ` ${note}` : ''}`,
    );
  });
