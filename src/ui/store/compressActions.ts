import { callback } from '../../worker/client';
import type { QuantSpec, VariantInfo } from '../../engine/config/compress';
import type { TrainEvent } from '../../engine/config/events';
import { DEFAULT_TRAIN } from '../../engine/config/train';
import type { MlpConfig } from '../../engine/config/imageModel';
import { engine } from './engine';
import { downloadFiles, downloadZip, loaderSize, readFiles } from './files';
import { PORTABLE_QUANT } from '../../engine/config/exportForms';
import { evaluate } from './imagesActions';
import { message } from './notices';
import { CompressSlice, Mode, store } from './store';

/** Every quantization the panel offers: the portable one first (int8 affine per tensor), float16, then the rest of int8 and 4-bit. */
const ALL_QUANT: QuantSpec[] = [
  PORTABLE_QUANT,
  { bits: 16, scheme: 'affine', granularity: 'tensor' },
  ...([8, 4] as const)
    .flatMap((bits) =>
      (['affine', 'symmetric'] as const).flatMap((scheme) => (['tensor', 'channel'] as const).map((granularity) => ({ bits, scheme, granularity }))),
    )
    .filter((q) => !(q.bits === 8 && q.scheme === 'affine' && q.granularity === 'tensor')),
];

/** The distillation student preset: a small MLP, 784 -> 32 -> 10. */
const SMALL_STUDENT: MlpConfig = { kind: 'mlp', hidden: [{ units: 32, activation: 'relu' }], dropout: 0 };

/** The sparsities of the one-shot sweep. */
const SWEEP = [0, 0.3, 0.5, 0.7, 0.8, 0.9, 0.95, 0.98];

const update = (which: Mode, patch: Partial<CompressSlice> | ((c: CompressSlice) => Partial<CompressSlice>)) =>
  store.update('compress', (all) => ({ [which]: { ...all[which], ...(typeof patch === 'function' ? patch(all[which]) : patch) } }));

export function setCompressOptions(which: Mode, patch: Partial<CompressSlice>): void {
  update(which, patch);
}

function addVariant(which: Mode, v: VariantInfo): void {
  update(which, (c) => ({ state: c.state ? { ...c.state, variants: [...c.state.variants, v] } : c.state, selectedId: v.id }));
  void showHistogram(which, v.id, null);
}

/** Runs one compression job: a busy label, its error in the panel, never an unhandled rejection. */
async function job(which: Mode, label: string, work: () => Promise<void>): Promise<void> {
  if (store.get().compress[which].busy) return;
  update(which, { busy: label, error: null, message: null, progress: null });
  try {
    await work();
  } catch (e) {
    update(which, { error: message(e) });
  } finally {
    update(which, { busy: null, progress: null });
  }
}

export const startCompression = (which: Mode) =>
  job(which, 'measuring the float32 model', async () => {
    const state = await engine.compressStart(which);
    update(which, { state, sourceId: 0, selectedId: 0, sweep: [], histogram: null, weightName: null });
    void showHistogram(which, 0, null);
  });

export const quantizeOne = (which: Mode, spec: QuantSpec) =>
  job(which, 'quantizing', async () => {
    const c = store.get().compress[which];
    const source = c.state?.variants.find((v) => v.id === c.sourceId);
    const v = await engine.quantizeVariant(which, c.sourceId, spec);
    addVariant(which, v);
    if (source && source.sparsity > 0 && v.sparsity < source.sparsity) {
      update(which, {
        message: `Affine codes rarely land exactly on 0, so the pruned weights are no longer exactly zero (sparsity ${(source.sparsity * 100).toFixed(1)}% -> ${(v.sparsity * 100).toFixed(1)}%). Use the symmetric scheme to keep them.`,
      });
    }
  });

export const quantizeAll = (which: Mode) =>
  job(which, 'trying every quantization', async () => {
    const source = store.get().compress[which].sourceId;
    for (const spec of ALL_QUANT) addVariant(which, await engine.quantizeVariant(which, source, spec));
  });

const onProgress = (which: Mode) =>
  callback((e: TrainEvent) => {
    if (e.type === 'steps') update(which, { progress: e.progress });
  });

/** The shared settings (optimizer, learning rate, batch) of the tab's training panel, for fine-tuning. */
const trainSettings = (which: Mode) => (which === 'images' ? store.get().train.config : store.get().text.config);

export const prune = (which: Mode) =>
  job(which, 'pruning', async () => {
    const c = store.get().compress[which];
    const o = c.prune;
    const options = { sparsity: o.sparsity, scope: o.scope, includeBiases: o.includeBiases };
    const gradual = o.mode === 'gradual' ? { ...options, epochs: o.epochs, updates: o.updates } : null;
    if (gradual) update(which, { busy: `pruning gradually while fine-tuning (${o.epochs} ${which === 'images' ? 'epochs' : 'rounds'})` });
    addVariant(which, await engine.pruneVariant(which, c.sourceId, options, gradual, trainSettings(which), onProgress(which)));
  });

export const sweep = (which: Mode) =>
  job(which, 'sweeping sparsity', async () => {
    const c = store.get().compress[which];
    update(which, { sweep: await engine.pruneSweep(which, c.sourceId, SWEEP, c.prune.scope), sweepScope: c.prune.scope });
  });

export const distill = () =>
  job('images', 'distilling', async () => {
    const s = store.get();
    const c = s.compress.images;
    const student = c.distill.student === 'small' ? SMALL_STUDENT : s.model.configs[s.model.kind];
    const config = { ...DEFAULT_TRAIN, ...s.train.config, epochs: c.distill.epochs };
    addVariant(
      'images',
      await engine.distillVariant(c.sourceId, student, { temperature: c.distill.temperature, alpha: c.distill.alpha }, config, onProgress('images')),
    );
  });

/** Stops a gradual pruning or distillation run (the variant is not kept). */
export const stopCompression = () => engine.stop();

export async function showHistogram(which: Mode, id: number, weightName: string | null): Promise<void> {
  const v = store.get().compress[which].state?.variants.find((x) => x.id === id);
  if (!v) return;
  // default: the largest kernel
  const name =
    weightName && v.layers.some((l) => l.name === weightName)
      ? weightName
      : [...v.layers].sort((a, b) => b.shape.reduce((x, y) => x * y, 1) - a.shape.reduce((x, y) => x * y, 1))[0]?.name;
  update(which, { selectedId: id, weightName: name ?? null });
  if (!name) return;
  try {
    const histogram = await engine.variantHistogram(which, id, name);
    const now = store.get().compress[which];
    if (now.selectedId === id && now.weightName === name) update(which, { histogram }); // a later click wins
  } catch (e) {
    update(which, { error: message(e) });
  }
}

/** Makes the variant's files and opens the export dialog, which says what each holds and what loads it. */
export const openExport = (which: Mode, id: number) =>
  job(which, 'preparing the export', async () => {
    const files = await engine.exportVariant(which, id);
    const loaderBytes = files.some((f) => f.name.endsWith('.nnq')) ? await loaderSize() : null;
    update(which, { exporting: { variantId: id, files, loaderBytes } });
  });

export const closeExport = (which: Mode) => update(which, { exporting: null });

/** Downloads the dialog's files, one by one or as one .zip (with nnq-loader.js beside a .nnq); the dialog closes. */
export const downloadExport = (which: Mode, zip: boolean) =>
  job(which, 'exporting', async () => {
    const files = store.get().compress[which].exporting?.files;
    if (!files) return;
    const saved = zip ? [await downloadZip(files)] : (downloadFiles(files), files);
    update(which, {
      exporting: null,
      message: `Downloaded ${saved.map((f) => `${f.name} (${f.bytes.length.toLocaleString('en-US')} bytes)`).join(', ')}.`,
    });
  });

/** A model exported by this page becomes the Images tab's model: evaluated, ready to compress or train further. */
export const importImageModel = (files: File[]) =>
  job('images', 'loading the model', async () => {
    const info = await engine.importImageModel(await readFiles(files));
    update('images', {
      message: `Loaded ${info.name}: ${info.summary.totalParams.toLocaleString('en-US')} parameters, test accuracy ${(info.accuracy * 100).toFixed(2)}%.`,
    });
    store.update('continueRun', { images: true });
    await evaluate();
    const state = await engine.compressStart('images');
    update('images', { state, sourceId: 0, selectedId: 0, sweep: [], histogram: null });
    void showHistogram('images', 0, null);
  });
