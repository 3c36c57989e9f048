import * as tf from '@tensorflow/tfjs';
import type { Notice, Which } from '../config/api';
import type { CharLstmMetadata } from '../config/charModel';
import type { CharTransformerMetadata } from '../config/charTransformer';
import type { TrainResult } from '../config/events';
import { DEFAULT_TEXT_TRAIN, type TextTrainConfig } from '../config/textTrain';
import type { VariantStore } from '../compress/variants';
import { DataError } from '../data/idx';
import { TrainingHealth } from '../inspect/health';
import type { ImageDataset } from '../data/images';
import type { CharModel, FamilyContext, LoadedText } from '../families/family';
import type { TextData } from '../families/charLstm/task';
import { familyOfKind } from '../families';
import type { ActiveRun } from '../runs/runKeeper';
import { RunKeeper } from '../runs/runKeeper';
import { TextError, vocabularyFrom } from '../text/corpus';
import { type DeviceSet, disposeSet, toDevice } from '../train/deviceData';
import type { Trainer } from '../train/trainer';

/** How a job is refused while a model trains or text is generated, and whether it marks the workspace busy. */
interface JobRules {
  /** The refusal while a model trains (default: "Wait for training to finish (or stop it) before <job>."). */
  whileTraining?: string;
  /** The error class of that refusal (DataError, TextError: the page words them the same). */
  error?: new (message: string) => Error;
  /** Refused while text is being generated, with this message. */
  whileGenerating?: string;
  /** false: only the checks; nothing else is refused while it runs (it either is synchronous or starts a trainer). */
  hold?: boolean;
}

/** Disposing a model whose tensors lived on a lost device may throw; it is gone either way. */
function disposeQuietly(model: tf.LayersModel | null | undefined): void {
  try {
    model?.dispose();
  } catch {
    // nothing left to free
  }
}

/**
 * What every service shares: the data sets with their copies on the active backend, the page's current model of
 * each family, the running trainer, compression variants, and the one guard that lets one job run at a time.
 */
export class Workspace implements FamilyContext {
  dataset: ImageDataset | null = null;
  private device: { backend: string; train: DeviceSet; validation: DeviceSet; test: DeviceSet } | null = null;
  imageModel: tf.LayersModel | null = null;
  text: LoadedText | null = null;
  private textDevice: { backend: string; ids: tf.Tensor1D } | null = null;
  charModel: CharModel | null = null;
  textTrain: TextTrainConfig = DEFAULT_TEXT_TRAIN;
  trainer: Trainer | null = null;
  generating = false;
  stopGeneration = false;
  readonly variants: Record<Which, VariantStore | null> = { images: null, text: null };
  /** Training health (norms, update ratios, weight histograms) of each family's last recorded run. */
  readonly health: Record<Which, TrainingHealth> = { images: new TrainingHealth(), text: new TrainingHealth() };
  notify: (n: Notice) => void = () => {};
  private job: string | null = null;
  /** A job that gives way (the backend measurement run when idle): any other job stops it and waits for it. */
  private background: { stop(): void; done: Promise<unknown> } | null = null;
  private readonly watched = new WeakSet<object>();
  /** Every run kept, the one training now supervised (see runs/runKeeper.ts). */
  readonly keeper = new RunKeeper({
    plan: (record) => familyOfKind(record.modelKind).plan(record, this),
    dataProblem: (record) => familyOfKind(record.modelKind).dataProblem(record.dataset, this),
    notify: (n) => this.notify(n),
    setTrainer: (trainer, run) => {
      this.trainer = trainer;
      const record = run?.recorder.record;
      if (!trainer || !run || !record) return;
      const word = familyOfKind(record.modelKind).epochWord.replace(/s$/, ''); // 'epoch' or 'round'
      trainer.monitor = this.health[record.task].watch(run.model, record.id, run.recorder.lastCheckpoint?.step ?? 0, word);
    },
    backendChanged: () => {
      try {
        this.dropDeviceData();
      } catch {
        this.device = null; // its tensors lived on the lost device
        this.textDevice = null;
      }
      this.watchDevice();
    },
  });

  /**
   * The one guard: refuses while another job runs or a model trains (and, with `whileGenerating`, while text is
   * generated); unless `rules.hold` is false, marks the workspace busy with `job` before its first await.
   */
  async exclusive<T>(job: string, work: () => Promise<T>, rules: JobRules = {}): Promise<T> {
    while (this.background) {
      this.background.stop();
      await this.background.done.catch(() => undefined);
    }
    if (this.job) throw new Error(`Wait for ${this.job} to finish first.`);
    if (this.trainer) throw new (rules.error ?? Error)(rules.whileTraining ?? `Wait for training to finish (or stop it) before ${job}.`);
    if (rules.whileGenerating && this.generating) throw new Error(rules.whileGenerating);
    if (rules.hold === false) return work();
    this.job = job;
    try {
      return await work();
    } finally {
      this.job = null;
    }
  }

  /**
   * Runs `work` only when nothing else does (else returns null at once), and lets any job that comes along stop it:
   * `stopped()` turns true, `work` should return at its next check, and the other job starts when it has.
   */
  async giveWay<T>(work: (stopped: () => boolean) => Promise<T>): Promise<T | null> {
    if (this.job || this.trainer || this.generating || this.background) return null;
    let stop = false;
    const done = work(() => stop);
    const slot = { stop: () => (stop = true), done };
    this.background = slot;
    try {
      return await done;
    } finally {
      if (this.background === slot) this.background = null;
    }
  }

  /**
   * The one place a run is registered: pause, resume and stop reach it; it is cleared however the run ends.
   * A recorded run is supervised by the keeper (checkpoints, backend faults, a NaN loss).
   */
  async runTrainer(trainer: Trainer, run?: ActiveRun): Promise<TrainResult> {
    if (run) return this.keeper.run(trainer, run);
    this.trainer = trainer;
    try {
      return await trainer.run();
    } finally {
      this.trainer = null;
    }
  }

  /** The image data set resident on the active backend (copied there on first use after a switch). */
  imageData() {
    if (!this.dataset) throw new DataError('No dataset is loaded yet; wait for MNIST to load or choose IDX files.');
    if (!this.device || this.device.backend !== tf.getBackend()) {
      this.dropDeviceData();
      this.device = {
        backend: tf.getBackend(),
        train: toDevice(this.dataset.train),
        validation: toDevice(this.dataset.validation),
        test: toDevice(this.dataset.test),
      };
    }
    return this.device;
  }

  /** The corpus ids resident on the active backend. */
  textData(): TextData {
    if (!this.text) throw new TextError('No text is loaded yet; wait for the default corpus or choose a text file.');
    const { corpus } = this.text;
    if (!this.textDevice || this.textDevice.backend !== tf.getBackend()) {
      this.textDevice?.ids.dispose();
      this.textDevice = { backend: tf.getBackend(), ids: tf.tensor1d(corpus.ids, 'int32') };
    }
    return { ids: this.textDevice.ids, host: corpus.ids, length: corpus.ids.length, vocab: vocabularyFrom(corpus.vocab) };
  }

  useDataset(d: ImageDataset): void {
    this.dataset = d;
    this.dropDeviceData();
  }

  useText(text: LoadedText): void {
    this.text = text;
    this.textDevice?.ids.dispose();
    this.textDevice = null;
  }

  dropDeviceData(): void {
    this.textDevice?.ids.dispose();
    this.textDevice = null;
    if (!this.device) return;
    disposeSet(this.device.train);
    disposeSet(this.device.validation);
    disposeSet(this.device.test);
    this.device = null;
  }

  adoptImageModel(model: tf.LayersModel): void {
    const old = this.imageModel;
    this.imageModel = model;
    if (old !== model) disposeQuietly(old);
  }

  adoptCharModel(model: tf.LayersModel, meta: CharLstmMetadata | CharTransformerMetadata): void {
    const old = this.charModel?.model;
    this.charModel = { model, vocab: vocabularyFrom(meta.vocab), meta };
    if (old !== model) disposeQuietly(old);
  }

  /** A lost WebGPU device stops a recorded run (which then goes on on the next backend) or is reported in the page. */
  watchDevice(): void {
    const device = (tf.backend() as unknown as { device?: { lost?: Promise<{ message: string; reason?: string }> } }).device;
    if (!device?.lost || this.watched.has(device)) return;
    this.watched.add(device);
    // a device already left behind (a run moved on, the user switched) concerns nobody
    const isCurrent = () => (tf.backend() as unknown as { device?: object }).device === device;
    void this.keeper
      .watchDevice(device.lost, () => (isCurrent() ? this.trainer : null))
      .then(({ stopped, why }) => {
        if (!stopped && isCurrent())
          this.notify({ level: 'error', message: `${why[0].toUpperCase()}${why.slice(1)}. Switch to another backend and start training again.` });
      });
  }
}
