import * as tf from '@tensorflow/tfjs';
import type { LoadProgress, MemoryInfo, MnistUrls, Notice, PlaygroundApi, PreviewDigit } from '../worker/api';
import { BackendName, BackendState, selectBackend, trySetBackend } from './backend/backends';
import { checkGpuMatMul, type MatMulCheck } from './kernels/matmul/webgpu';
import { OWN_MATMUL } from './kernels/names';
import { checkApplyModel, type ApplyModelCheck } from './train/applyModel';
import { DataError, readIdxPair } from './data/idx';
import { datasetFromFiles, DatasetInfo, describeDataset, ImageDataset, makeDataset, NamedBytes, slice as sliceImages } from './data/images';
import { CNN_PRESET, MLP_PRESET, ModelConfig } from './models/config';
import { buildModel, ModelSummary, summarize } from './models/build';
import { DEFAULT_TRAIN, TrainConfig } from './train/config';
import { DeviceSet, disposeSet, toDevice } from './train/deviceData';
import { evaluateModel, EvaluationResult } from './train/evaluate';
import { Trainer, TrainEvent, TrainResult } from './train/trainer';
import { imageTask } from './train/imageTask';
import { buildCorpus, Corpus, CorpusInfo, CorpusOptions, decodeText, TextError, vocabularyFrom, Vocabulary } from './text/corpus';
import { buildCharLstm, CharLstmConfig, DEFAULT_CHAR_MODEL, fusedLstmPays } from './text/charModel';
import { DEFAULT_TEXT_OPTIMIZER, DEFAULT_TEXT_TRAIN, textTask, TextTrainConfig } from './text/textTask';
import { generateText, GenerateOptions } from './text/sampler';
import { exportModel, importModel, ModelFileError, ModelFiles } from './io/modelFiles';
import { maybeGunzip } from './data/idx';
import { benchBaseline, benchOurs, SpeedResult } from './bench/textBench';
import { checkFusedLstm, type LstmCheck } from './text/lstmCheck';
import { checkFusedAdam, type AdamCheck } from './kernels/adam/fused';
import { checkPatchConv, type PatchConvCheck } from './models/patchConv';
import { benchImageBaseline, benchImageOurs, ImageSpeed, matmulPeak, type TimeToAccuracy } from './bench/imageBench';
import { evenStarts, evaluateText, splitPoint } from './text/textTask';
import { evaluateSet } from './train/deviceData';
import { loadSnapshot, ModelSnapshot, snapshot } from './compress/snapshot';
import { histogram, Histogram, MetricInfo, PruneOptions, pruneSnapshot, quantizeSnapshot, VariantInfo, VariantStore } from './compress/variants';
import { describeSpec, QuantSpec } from './compress/quantize';
import { GradualPruning, prunedTask } from './compress/prune';
import { distillTask, DistillOptions, validateDistill } from './compress/distill';
import { compactFile, ExportFile, isCompactFile, plainLayersFiles, readCompactFile } from './io/compressedFiles';
import { validateModelConfig } from './models/validate';
import type { KeyValue, RunRecord, RunSummary, StorageStatus } from './runs/runStore';
import type { RunRecorder } from './runs/recorder';
import { imageIdentity, textIdentity } from './runs/identity';
import { ActiveRun, RunKeeper } from './runs/runKeeper';
import type { RunLocks } from './runs/runLocks';

/** What a char-LSTM export carries besides its weights, so it can be used again without the corpus. */
export interface CharLstmMetadata {
  kind: 'charLstm';
  vocab: string[];
  options: CorpusOptions;
  config: CharLstmConfig;
  corpus: string;
}

export type Which = 'images' | 'text';

/** What the page asks of the session at start: test hooks (?testHooks=1) and whether runs are kept (?storage=off). */
export interface SessionOptions {
  testHooks?: boolean;
  keepRuns?: boolean;
}

/** Disposing a model whose tensors lived on a lost device may throw; it is gone either way. */
function disposeQuietly(model: tf.LayersModel | null | undefined): void {
  try {
    model?.dispose();
  } catch {
    // nothing left to free
  }
}

export interface CompressState {
  metric: MetricInfo;
  variants: VariantInfo[];
}

export interface GradualOptions extends PruneOptions {
  /** Fine-tuning epochs (rounds for the char-LSTM) while sparsity rises on the polynomial schedule. */
  epochs: number;
  /** Mask recomputations over the run. */
  updates: number;
}

export type ModelKind = 'mlp' | 'cnn' | 'charLstm';

/** One backend's training speed for a model kind (items: samples, or predicted characters), or why it failed. */
export interface BackendTiming {
  backend: BackendName;
  itemsPerSec?: number;
  error?: string;
}

export interface ImportedModelInfo {
  name: string;
  summary: ModelSummary;
  accuracy: number;
}

export interface CharModelInfo {
  source: string;
  vocabSize: number;
  config: CharLstmConfig;
  options: CorpusOptions;
}

async function fetchBytes(url: string, onBytes: (n: number, total: number) => void): Promise<Uint8Array> {
  const res = await fetch(url);
  if (!res.ok || !res.body)
    throw new DataError(
      `Could not load ${url} (HTTP ${res.status}). Reload the page; if it persists, rebuild the bundled data with npm run prepare-data.`,
    );
  const total = Number(res.headers.get('content-length') ?? 0);
  const chunks: Uint8Array[] = [];
  let loaded = 0;
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    loaded += value.length;
    onBytes(loaded, total);
  }
  const out = new Uint8Array(loaded);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/**
 * Everything the worker holds: dataset, its device copies, the model and the running trainer.
 * Plain TypeScript, so the whole API is exercised under Node in the unit tests.
 */
export class Session implements PlaygroundApi {
  private dataset: ImageDataset | null = null;
  private device: { backend: string; train: DeviceSet; validation: DeviceSet; test: DeviceSet } | null = null;
  private model: tf.LayersModel | null = null;
  private trainer: Trainer | null = null;
  private notify: (n: Notice) => void = () => {};
  private text: { raw: string; name: string; bytes: number; corpus: Corpus } | null = null;
  private textDevice: { backend: string; ids: tf.Tensor1D } | null = null;
  private charModel: { model: tf.LayersModel; vocab: Vocabulary; meta: CharLstmMetadata } | null = null;
  private generating = false;
  private stopGeneration = false;
  private textTrain: TextTrainConfig = DEFAULT_TEXT_TRAIN;
  private job: string | null = null;
  private readonly variants: Record<Which, VariantStore | null> = { images: null, text: null };
  private testHooks = false;
  private readonly watched = new WeakSet<object>();
  /** Every run kept, the one training now supervised (see runs/runKeeper.ts). */
  private readonly keeper = new RunKeeper({
    imageData: () => this.deviceData(),
    textData: () => this.textData(),
    adoptImageModel: (model) => {
      const old = this.model;
      this.model = model;
      if (old !== model) disposeQuietly(old);
    },
    adoptCharModel: (model, meta) => {
      const old = this.charModel?.model;
      this.charModel = { model, vocab: vocabularyFrom(meta.vocab), meta: { kind: 'charLstm', ...meta } };
      if (old !== model) disposeQuietly(old);
    },
    notify: (n) => this.notify(n),
    setTrainer: (trainer) => {
      this.trainer = trainer;
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
    loadedData: (task) =>
      task === 'images' ? (this.dataset ? imageIdentity(this.dataset) : null) : this.text ? textIdentity(this.text.corpus) : null,
  });

  /**
   * makeKeyValue: where runs are kept (IndexedDB by default; unit tests pass a fake or a failing one); locks:
   * which runs train in other tabs (navigator.locks by default; unit tests share one fake between sessions).
   */
  constructor(
    private readonly makeKeyValue?: (name: string) => KeyValue,
    locks?: RunLocks,
  ) {
    if (locks) this.keeper.locks = locks;
  }

  async init(preferred: BackendName | undefined, onNotice: (n: Notice) => void, options: SessionOptions = {}): Promise<BackendState> {
    this.notify = onNotice;
    this.testHooks = options.testHooks === true;
    await this.keeper.openStore(options.keepRuns !== false, this.makeKeyValue);
    // in the worker: anything the Content-Security-Policy blocks is told, not silently broken
    (globalThis as { addEventListener?: (type: string, listener: (e: Event) => void) => void }).addEventListener?.('securitypolicyviolation', (e) => {
      const v = e as SecurityPolicyViolationEvent;
      this.notify({
        level: 'error',
        message: `The security policy blocked ${v.blockedURI || 'inline code'} (${v.effectiveDirective}) in the engine; this is a bug, please report it.`,
      });
    });
    const state = await selectBackend(preferred);
    this.watchDevice();
    return state;
  }

  async setBackend(name: BackendName): Promise<BackendState> {
    this.checkJob();
    if (this.trainer) throw new Error('Stop training before switching backend.');
    const previous = tf.getBackend() as BackendName;
    const problem = await trySetBackend(name);
    if (problem) {
      await trySetBackend(previous);
      throw new Error(`The ${name} backend could not start: ${problem}. Staying on ${previous}.`);
    }
    this.dropDeviceData();
    this.watchDevice();
    return { active: name, failures: {} };
  }

  /** A lost WebGPU device stops a recorded run (which then goes on on the next backend) or is reported in the page. */
  private watchDevice(): void {
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

  async loadMnist(urls: MnistUrls, validationSize: number, onProgress: (p: LoadProgress) => void): Promise<DatasetInfo> {
    const loaded = new Map<string, number>();
    const totals = new Map<string, number>();
    const bytes = await Promise.all(
      Object.entries(urls).map(([key, url]) =>
        fetchBytes(url, (n, total) => {
          loaded.set(key, n);
          totals.set(key, total);
          const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
          onProgress({ loadedBytes: sum(loaded), totalBytes: sum(totals) });
        }),
      ),
    );
    const [trainImages, trainLabels, testImages, testLabels] = bytes;
    const train = await readIdxPair(trainImages, trainLabels, 'MNIST train images', 'MNIST train labels');
    const test = await readIdxPair(testImages, testLabels, 'MNIST test images', 'MNIST test labels');
    return this.useDataset(makeDataset('MNIST', train, test, validationSize));
  }

  async loadIdxFiles(files: NamedBytes[], validationSize: number): Promise<DatasetInfo> {
    this.checkJob();
    if (this.trainer) throw new DataError('Stop training before loading another dataset.');
    return this.useDataset(await datasetFromFiles(files, validationSize));
  }

  private useDataset(d: ImageDataset): DatasetInfo {
    this.dataset = d;
    this.dropDeviceData();
    return describeDataset(d);
  }

  private dropDeviceData(): void {
    this.textDevice?.ids.dispose();
    this.textDevice = null;
    if (!this.device) return;
    disposeSet(this.device.train);
    disposeSet(this.device.validation);
    disposeSet(this.device.test);
    this.device = null;
  }

  private deviceData() {
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

  async preview(count: number): Promise<PreviewDigit[]> {
    const set = this.dataset?.train;
    if (!set) return [];
    const px = set.height * set.width;
    return Array.from({ length: Math.min(count, set.count) }, (_, i) => ({ pixels: set.images.slice(i * px, (i + 1) * px), label: set.labels[i] }));
  }

  async describeModel(config: ModelConfig): Promise<ModelSummary> {
    const model = buildModel(config, 0);
    try {
      return summarize(model, config.kind);
    } finally {
      model.dispose();
    }
  }

  /** Trains a new model built from the config, or (fromCurrent) keeps training the page's current one. */
  async train(modelConfig: ModelConfig, config: TrainConfig, onEvent: (e: TrainEvent) => void, fromCurrent = false): Promise<TrainResult> {
    this.checkJob();
    if (this.trainer) throw new Error('Training is already running; stop it first.');
    const current = fromCurrent ? this.model : null;
    if (fromCurrent && !current) throw new Error('There is no trained or loaded model to continue; start a new run instead.');
    const data = this.deviceData();
    const model = current ?? buildModel(modelConfig, config.seed);
    let trainer: Trainer;
    let recorder: RunRecorder;
    try {
      const task = imageTask(model, data.train, data.validation, config);
      const kind = current ? (current.layers.some((l) => l.getClassName() === 'Conv2D') ? 'cnn' : 'mlp') : modelConfig.kind;
      recorder = this.keeper.newRun({
        task: 'images',
        modelKind: kind,
        model: current ? null : modelConfig,
        topology: current ? (current.toJSON(null, false) as object) : null,
        train: config,
        text: null,
        vocab: null,
        dataset: imageIdentity(this.dataset!),
        totalSteps: task.stepsPerEpoch * config.epochs,
      });
      trainer = new Trainer(task, config, recorder.listen(onEvent), recorder.hooks(model, null));
    } catch (e) {
      if (!current) model.dispose();
      throw e;
    }
    if (!current) {
      this.model?.dispose();
      this.model = model;
    }
    return this.runTrainer(trainer, this.keeper.activeRun(recorder, model, config, onEvent));
  }

  /**
   * The one place a run is registered: pause, resume and stop reach it; it is cleared however the run ends.
   * A recorded run is supervised by the keeper (checkpoints, backend faults, a NaN loss).
   */
  private async runTrainer(trainer: Trainer, run?: ActiveRun): Promise<TrainResult> {
    if (run) return this.keeper.run(trainer, run);
    this.trainer = trainer;
    try {
      return await trainer.run();
    } finally {
      this.trainer = null;
    }
  }

  /** A user's text file: on any problem the current corpus stays and the error says what to do. */
  async loadText(file: NamedBytes, options: CorpusOptions): Promise<CorpusInfo> {
    this.checkJob();
    if (this.trainer) throw new TextError('Stop training before loading another text.');
    const raw = decodeText(file.bytes, file.name);
    return this.useText(raw, file.name, file.bytes.length, options);
  }

  /** The bundled default corpus (gzip, from our own origin). */
  async loadDefaultText(url: string, name: string, options: CorpusOptions): Promise<CorpusInfo> {
    const gz = await fetchBytes(url, () => {});
    const bytes = await maybeGunzip(gz, name); // a server may already have decoded it (Content-Encoding: gzip)
    return this.useText(decodeText(bytes, name), name, bytes.length, options);
  }

  /** Re-reads the current text with other options (lowercase, vocabulary cap). */
  async setTextOptions(options: CorpusOptions): Promise<CorpusInfo> {
    if (!this.text) throw new TextError('Load a text first.');
    this.checkJob();
    if (this.trainer) throw new TextError('Stop training before changing the text options.');
    return this.useText(this.text.raw, this.text.name, this.text.bytes, options);
  }

  private useText(raw: string, name: string, bytes: number, options: CorpusOptions): CorpusInfo {
    const corpus = buildCorpus(raw, name, bytes, options); // throws before anything is replaced
    this.text = { raw, name, bytes, corpus };
    this.textDevice?.ids.dispose();
    this.textDevice = null;
    return corpus.info;
  }

  async describeCharModel(config: CharLstmConfig): Promise<ModelSummary> {
    const model = buildCharLstm(config, this.text?.corpus.info.vocabSize ?? 100, 0);
    try {
      return summarize(model, 'charLstm');
    } finally {
      model.dispose();
    }
  }

  async trainText(
    modelConfig: CharLstmConfig,
    config: TrainConfig,
    textConfig: TextTrainConfig,
    onEvent: (e: TrainEvent) => void,
    fromCurrent = false,
  ): Promise<TrainResult> {
    this.checkJob();
    if (this.trainer) throw new Error('Training is already running; stop it first.');
    if (this.generating) throw new Error('Stop generating text before training.');
    if (!this.text) throw new TextError('No text is loaded yet; wait for the default corpus or choose a text file.');
    const { corpus, name } = this.text;
    if (fromCurrent) return this.continueText(config, textConfig, onEvent);
    const data = this.textData();
    const vocab = data.vocab;
    this.textTrain = textConfig;
    const model = buildCharLstm(modelConfig, corpus.info.vocabSize, config.seed);
    let trainer: Trainer;
    let recorder: RunRecorder;
    try {
      const task = textTask(model, data, modelConfig.window, config, textConfig);
      recorder = this.newTextRun(modelConfig, config, textConfig, task.stepsPerEpoch);
      trainer = new Trainer(task, config, recorder.listen(onEvent), recorder.hooks(model, null));
    } catch (e) {
      model.dispose();
      throw e;
    }
    this.charModel?.model.dispose();
    this.charModel = {
      model,
      vocab,
      meta: { kind: 'charLstm', vocab: corpus.vocab, options: corpus.info.options, config: modelConfig, corpus: name },
    };
    return this.runTrainer(trainer, this.keeper.activeRun(recorder, model, config, onEvent));
  }

  /** A char-LSTM run's record: its settings, the vocabulary its ids mean and the text it reads. */
  private newTextRun(modelConfig: CharLstmConfig, config: TrainConfig, textConfig: TextTrainConfig, stepsPerRound: number): RunRecorder {
    const { corpus } = this.text!;
    return this.keeper.newRun({
      task: 'text',
      modelKind: 'charLstm',
      model: modelConfig,
      topology: null,
      train: config,
      text: textConfig,
      vocab: { chars: corpus.vocab, options: corpus.info.options },
      dataset: textIdentity(corpus),
      totalSteps: stepsPerRound * config.epochs,
    });
  }

  /** More training for the current char-LSTM (trained here or loaded) on the current text, same vocabulary. */
  private async continueText(config: TrainConfig, textConfig: TextTrainConfig, onEvent: (e: TrainEvent) => void): Promise<TrainResult> {
    const current = this.charModel;
    if (!current) throw new Error('There is no trained or loaded char-LSTM to continue; start a new run instead.');
    const { corpus } = this.text!;
    if (current.meta.vocab.length !== corpus.vocab.length || current.meta.vocab.some((c, i) => c !== corpus.vocab[i])) {
      throw new TextError(
        `The current model's vocabulary (${current.meta.vocab.length} characters, from ${current.meta.corpus}) differs from this text's; load that text with the same options, or start a new run.`,
      );
    }
    const task = textTask(current.model, this.textData(), current.meta.config.window, config, textConfig);
    const recorder = this.newTextRun(current.meta.config, config, textConfig, task.stepsPerEpoch);
    const trainer = new Trainer(task, config, recorder.listen(onEvent), recorder.hooks(current.model, null));
    this.textTrain = textConfig;
    return this.runTrainer(trainer, this.keeper.activeRun(recorder, current.model, config, onEvent));
  }

  /** The corpus ids resident on the active backend. */
  private textData() {
    if (!this.text) throw new TextError('No text is loaded yet; wait for the default corpus or choose a text file.');
    const { corpus } = this.text;
    if (!this.textDevice || this.textDevice.backend !== tf.getBackend()) {
      this.textDevice?.ids.dispose();
      this.textDevice = { backend: tf.getBackend(), ids: tf.tensor1d(corpus.ids, 'int32') };
    }
    return { ids: this.textDevice.ids, host: corpus.ids, length: corpus.ids.length, vocab: vocabularyFrom(corpus.vocab) };
  }

  async generate(options: GenerateOptions, onChunk: (text: string) => void): Promise<string> {
    if (!this.charModel) throw new Error('Train or load a char-LSTM first; then generate.');
    this.checkJob();
    if (this.trainer) throw new Error('Wait for training to finish (or stop it) before generating.');
    if (this.generating) throw new Error('Text is already being generated; stop it first.');
    this.generating = true;
    this.stopGeneration = false;
    try {
      return await generateText(this.charModel.model, this.charModel.vocab, options, onChunk, () => this.stopGeneration);
    } finally {
      this.generating = false;
    }
  }

  async stopGenerating(): Promise<void> {
    this.stopGeneration = true;
  }

  /** The current model in the TensorFlow.js layers format (float32), with what it needs to be used again. */
  async exportModel(which: 'images' | 'text'): Promise<ModelFiles> {
    this.checkJob();
    if (this.trainer) throw new Error('Wait for training to finish (or stop it) before exporting.');
    if (which === 'text') {
      if (!this.charModel) throw new Error('Train or load a char-LSTM first; there is nothing to export yet.');
      return exportModel(this.charModel.model, `char-lstm-${this.charModel.meta.corpus}`, { ...this.charModel.meta });
    }
    if (!this.model) throw new Error('Train a model first; there is nothing to export yet.');
    return exportModel(this.model, `mnist-${this.dataset?.name ?? 'model'}`, { kind: 'images', dataset: this.dataset?.name ?? null });
  }

  /** A char-LSTM exported by this page (model.json plus its weights file, or one .nnq file). The current model stays on any error. */
  async importCharModel(files: NamedBytes[]): Promise<CharModelInfo> {
    this.checkJob();
    if (this.trainer) throw new Error('Stop training before loading a model.');
    const { model, metadata } = await this.loadModelFiles(files);
    const meta = metadata as Partial<CharLstmMetadata>;
    const vocabSize = (model.outputs[0].shape.at(-1) ?? 0) as number;
    if (meta.kind !== 'charLstm' || !Array.isArray(meta.vocab) || !meta.config || !meta.options) {
      model.dispose();
      throw new ModelFileError('This model carries no char-LSTM vocabulary; choose a char-LSTM exported from the Text tab.');
    }
    if (meta.vocab.length !== vocabSize) {
      model.dispose();
      throw new ModelFileError(
        `The vocabulary has ${meta.vocab.length} characters but the model predicts ${vocabSize}; the files do not belong together.`,
      );
    }
    this.charModel?.model.dispose();
    this.charModel = { model, vocab: vocabularyFrom(meta.vocab), meta: meta as CharLstmMetadata };
    return { source: meta.corpus ?? 'imported', vocabSize, config: meta.config, options: meta.options };
  }

  /** `npm run bench`: training speed of our step or of the plain-tfjs baseline on the loaded text. */
  /** 'ours': our step as the page runs it on this backend; 'other': with the other LSTM path; 'baseline': plain model.fit. */
  async benchTextSpeed(which: 'ours' | 'other' | 'baseline', steps: number, warmup = 1): Promise<SpeedResult> {
    if (!this.text) throw new TextError('Load a text first.');
    if (which === 'baseline') return benchBaseline(this.text.corpus, DEFAULT_CHAR_MODEL.units, steps);
    return benchOurs(
      this.text.corpus,
      DEFAULT_CHAR_MODEL,
      { ...DEFAULT_TRAIN, ...DEFAULT_TEXT_OPTIMIZER },
      warmup,
      steps,
      which === 'ours' ? fusedLstmPays() : !fusedLstmPays(),
    );
  }

  /** `npm run bench`: training speed of a default image model (our step or plain model.fit) on the loaded data. */
  async benchImageSpeed(kind: 'mlp' | 'cnn', which: 'ours' | 'baseline', steps: number, warmup = 2): Promise<ImageSpeed> {
    this.checkJob();
    if (this.trainer) throw new Error('Stop training before benchmarking.');
    const config = kind === 'mlp' ? MLP_PRESET : CNN_PRESET;
    const train = this.deviceData().train;
    return which === 'ours' ? benchImageOurs(config, train, DEFAULT_TRAIN, warmup, steps) : benchImageBaseline(config, train, DEFAULT_TRAIN, steps);
  }

  /**
   * Times a few training steps of the model on each candidate backend (after a warm-up step that compiles its
   * kernels) and leaves the fastest active. The page caches the answer per model kind, so this runs once.
   */
  async measureBackends(kind: ModelKind, config: ModelConfig | CharLstmConfig, candidates: BackendName[]): Promise<BackendTiming[]> {
    return this.exclusive('measuring the backends', async () => {
      const start = tf.getBackend() as BackendName;
      const settings = kind === 'charLstm' ? { ...DEFAULT_TRAIN, ...DEFAULT_TEXT_OPTIMIZER } : DEFAULT_TRAIN;
      const out: BackendTiming[] = [];
      for (const backend of candidates) {
        const problem = await trySetBackend(backend);
        if (problem) {
          out.push({ backend, error: problem });
          continue;
        }
        this.dropDeviceData();
        try {
          if (kind === 'charLstm') {
            if (!this.text) throw new TextError('Load a text first.');
            out.push({ backend, itemsPerSec: (await benchOurs(this.text.corpus, config as CharLstmConfig, settings, 1, 2)).charsPerSec });
          } else {
            if (!this.dataset) throw new DataError('No dataset is loaded yet.');
            const sample = toDevice(sliceImages(this.dataset.train, 0, Math.min(this.dataset.train.count, 1024)));
            try {
              const steps = kind === 'cnn' ? 3 : 10;
              out.push({
                backend,
                itemsPerSec: (await benchImageOurs(config as ModelConfig, sample, { ...settings, batchSize: 64 }, kind === 'cnn' ? 1 : 2, steps))
                  .samplesPerSec,
              });
            } finally {
              disposeSet(sample);
            }
          }
        } catch (e) {
          out.push({ backend, error: (e as Error).message });
        }
      }
      const timed = out.filter((t) => t.itemsPerSec !== undefined);
      const best = timed.length ? timed.reduce((a, b) => (b.itemsPerSec! > a.itemsPerSec! ? b : a)).backend : start;
      if ((await trySetBackend(best)) !== null) await trySetBackend(start);
      this.dropDeviceData();
      this.watchDevice();
      return out;
    });
  }

  /** `npm run bench`: the backend's matmul rate, the yardstick for the training step's GFLOP/s. */
  async benchMatmul(n: number, reps: number): Promise<{ backend: string; n: number; gflops: number; kernel: 'ours' | 'tfjs' }> {
    return matmulPeak(n, reps);
  }

  async checkGpuMatMul(): Promise<MatMulCheck & { models: ApplyModelCheck[] }> {
    if (!tf.getKernel(OWN_MATMUL, tf.getBackend()))
      throw new Error(`Our matmul kernel runs on WebGPU only; the active backend is ${tf.getBackend()}.`);
    return { ...(await checkGpuMatMul()), models: await checkApplyModel() };
  }

  /** odd: 1 layer, batch 3, 5 steps, 7 units (WebGL's cell kernels take their per-value path for odd sizes). */
  async checkFusedLstm(odd = false): Promise<LstmCheck> {
    return odd ? checkFusedLstm(1, 3, 5, 7) : checkFusedLstm();
  }

  async checkFusedAdam(): Promise<AdamCheck> {
    return checkFusedAdam();
  }

  async checkPatchConv(): Promise<{ conv: PatchConvCheck[]; models: ApplyModelCheck[] }> {
    return { conv: await checkPatchConv(), models: await checkApplyModel() };
  }

  /** `npm run bench`: wall time for the default char-LSTM and settings to reach a validation loss (nats/char). */
  async benchTimeToLoss(
    target: number,
    maxSeconds: number,
  ): Promise<{ reached: boolean; seconds: number; steps: number; valLoss: number; backend: string }> {
    const started = performance.now();
    let best = { seconds: NaN, steps: 0, valLoss: Infinity };
    let reached = false;
    const config = { ...DEFAULT_TRAIN, ...DEFAULT_TEXT_OPTIMIZER, epochs: 1000 };
    await this.trainText(DEFAULT_CHAR_MODEL, config, { ...DEFAULT_TEXT_TRAIN, evalEvery: 50, sampleLength: 0 }, (e) => {
      if (e.type !== 'epoch') return;
      const seconds = (performance.now() - started) / 1000;
      best = { seconds, steps: e.point.step, valLoss: e.point.valLoss };
      if (e.point.valLoss <= target) reached = true;
      if (reached || seconds > maxSeconds) this.trainer?.stop();
    });
    return { reached, ...best, backend: tf.getBackend() };
  }

  /**
   * `npm run bench`: wall time for the default MLP or CNN with the page's default settings (training on the 55,000
   * non-validation images) to reach a test accuracy, the 10,000 test images evaluated after every epoch (their
   * evaluation counts in the time). Nothing is recorded as a run; the page's model is left as it was.
   */
  async benchTimeToAccuracy(kind: 'mlp' | 'cnn', target: number, maxSeconds: number): Promise<TimeToAccuracy> {
    this.checkJob();
    if (this.trainer) throw new Error('Training is already running; stop it first.');
    const data = this.deviceData();
    const config = { ...DEFAULT_TRAIN, epochs: 100 };
    const model = buildModel(kind === 'cnn' ? CNN_PRESET : MLP_PRESET, config.seed);
    const started = performance.now();
    const curve: TimeToAccuracy['curve'] = [];
    let reached = false;
    try {
      const trainer = new Trainer(imageTask(model, data.train, data.test, config), config, (e) => {
        if (e.type !== 'epoch') return;
        const seconds = (performance.now() - started) / 1000;
        curve.push({ epoch: e.point.epoch, seconds, testAccuracy: e.point.valAccuracy });
        if (e.point.valAccuracy >= target) reached = true;
        if (reached || seconds > maxSeconds) trainer.stop();
      });
      const result = await this.runTrainer(trainer);
      if (result.reason === 'failed') throw new Error(result.error);
    } finally {
      model.dispose();
    }
    const last = curve[curve.length - 1] ?? { epoch: 0, seconds: NaN, testAccuracy: NaN };
    return { reached, seconds: last.seconds, epochs: last.epoch, testAccuracy: last.testAccuracy, backend: tf.getBackend(), curve };
  }

  // ---- Compression: quantization, pruning, distillation, export and import -------------------------------

  /** A compression job (quantizing, pruning, distilling, loading a model) blocks other work until it ends. */
  private checkJob(): void {
    if (this.job) throw new Error(`Wait for ${this.job} to finish first.`);
  }

  /** Runs a compression job: refused while training or another job runs; marked busy before its first await. */
  private async exclusive<T>(doing: string, work: () => Promise<T>): Promise<T> {
    this.checkJob();
    if (this.trainer) throw new Error(`Wait for training to finish (or stop it) before ${doing}.`);
    this.job = doing;
    try {
      return await work();
    } finally {
      this.job = null;
    }
  }

  private store(which: Which): VariantStore {
    const store = this.variants[which];
    if (!store) throw new Error('Start compressing from the current model first.');
    return store;
  }

  /** The metric a variant is judged by: MNIST test accuracy, or the char-LSTM's validation nats per character. */
  private async measure(which: Which, snap: ModelSnapshot): Promise<number> {
    const text = which === 'text' ? this.textFor(snap.metadata as Partial<CharLstmMetadata>) : null;
    const model = await loadSnapshot(snap);
    try {
      if (!text) return (await evaluateSet(model, this.deviceData().test)).accuracy;
      const { data, window } = text;
      const starts = evenStarts(splitPoint(data.length, this.textTrain.valFraction), data.length, window + 1, this.textTrain.maxValWindows);
      if (starts.length === 0) throw new TextError('The validation part of this text is shorter than one window; load a longer text.');
      return (await evaluateText(model, data.ids, starts, window, 128)).loss;
    } finally {
      model.dispose();
    }
  }

  /** The loaded text, checked against the char-LSTM's vocabulary: nats per character only compare on the same ids. */
  private textFor(meta: Partial<CharLstmMetadata>): { data: ReturnType<Session['textData']>; window: number } {
    const data = this.textData();
    const vocab = this.text!.corpus.vocab;
    if (!meta.vocab || !meta.config || meta.vocab.length !== vocab.length || meta.vocab.some((c, i) => c !== vocab[i])) {
      throw new TextError(
        `This char-LSTM was trained on ${meta.corpus ?? 'another text'} with another vocabulary; load that text (same lowercase and cap options) to measure it.`,
      );
    }
    return { data, window: meta.config.window };
  }

  private metadataFor(which: Which): Record<string, unknown> {
    if (which === 'text') return { ...this.charModel!.meta };
    return { kind: 'images', dataset: this.dataset?.name ?? null };
  }

  /** Snapshots the page's current model as the float32 original that every variant is compared with. */
  async compressStart(which: Which): Promise<CompressState> {
    return this.exclusive('measuring the model', async () => {
      const model = which === 'images' ? this.model : this.charModel?.model;
      if (!model)
        throw new Error(
          which === 'images'
            ? 'Train or load a model first; there is nothing to compress yet.'
            : 'Train or load a char-LSTM first; there is nothing to compress yet.',
        );
      if (which === 'text' && !this.text)
        throw new TextError('Load the text the model was trained on first; its validation part measures each variant.');
      const snap = await snapshot(model, this.metadataFor(which));
      const metric: MetricInfo =
        which === 'images' ? { name: 'test accuracy', higherIsBetter: true } : { name: 'validation nats/char', higherIsBetter: false };
      const store = new VariantStore(metric);
      store.add(snap, null, 'float32 (original)', 'float32', await this.measure(which, snap));
      this.variants[which] = store;
      return { metric, variants: store.list() };
    });
  }

  async compressState(which: Which): Promise<CompressState | null> {
    const store = this.variants[which];
    return store ? { metric: store.metric, variants: store.list() } : null;
  }

  /** Post-training quantization of a variant's kernels (biases stay float32). */
  async quantizeVariant(which: Which, sourceId: number, spec: QuantSpec): Promise<VariantInfo> {
    return this.exclusive('quantizing', async () => {
      const store = this.store(which);
      const source = store.get(sourceId);
      if (source.snap.entries.some((e) => e.quant))
        throw new Error(`"${source.info.label}" is already quantized; quantize the float32 original or a pruned or distilled variant.`);
      const snap = quantizeSnapshot(source.snap, spec);
      const label = sourceId === 0 ? describeSpec(spec) : `${source.info.label} + ${describeSpec(spec)}`;
      return store.add(snap, sourceId, label, 'quantized', await this.measure(which, snap));
    });
  }

  /** One-shot magnitude pruning, or gradual pruning while fine-tuning (masks re-applied after every update). */
  async pruneVariant(
    which: Which,
    sourceId: number,
    options: PruneOptions,
    gradual: GradualOptions | null,
    config: TrainConfig,
    onEvent: (e: TrainEvent) => void,
  ): Promise<VariantInfo> {
    return this.exclusive('pruning', async () => {
      if (!(options.sparsity >= 0 && options.sparsity < 1))
        throw new Error(`Target sparsity must be from 0% to below 100%, got ${options.sparsity * 100}%.`);
      const store = this.store(which);
      const source = store.get(sourceId);
      if (source.snap.entries.some((e) => e.quant)) throw new Error(`"${source.info.label}" is quantized; prune first, then quantize.`);
      if (gradual && !(Number.isInteger(gradual.epochs) && gradual.epochs >= 1 && gradual.epochs <= 100)) {
        throw new Error(`Fine-tuning ${which === 'images' ? 'epochs' : 'rounds'} must be a whole number from 1 to 100, got ${gradual.epochs}.`);
      }
      const pct = `${Math.round(options.sparsity * 1000) / 10}%`;
      const prefix = sourceId === 0 ? '' : `${source.info.label} + `;
      if (!gradual) {
        const snap = pruneSnapshot(source.snap, options);
        return store.add(snap, sourceId, `${prefix}pruned ${pct} ${options.scope} (one-shot)`, 'pruned', await this.measure(which, snap));
      }
      const model = await loadSnapshot(source.snap);
      try {
        const variables = model.trainableWeights.filter((w) => options.includeBiases || w.shape.length >= 2).map((w) => w.read() as tf.Variable);
        const tuneConfig = { ...config, epochs: gradual.epochs };
        let inner;
        if (which === 'images') {
          const data = this.deviceData();
          inner = imageTask(model, data.train, data.validation, tuneConfig);
        } else {
          inner = textTask(model, this.textData(), this.charModel!.meta.config.window, tuneConfig, { ...this.textTrain, sampleLength: 0 });
        }
        const schedule: GradualPruning = { finalSparsity: options.sparsity, initialSparsity: 0, scope: options.scope, updates: gradual.updates };
        const task = prunedTask(inner, variables, inner.stepsPerEpoch * gradual.epochs, schedule);
        const trainer = new Trainer(task, tuneConfig, onEvent);
        let result: TrainResult;
        try {
          result = await this.runTrainer(trainer);
        } finally {
          task.dispose();
        }
        if (result.reason !== 'finished')
          throw new Error(result.error ?? 'Pruning was stopped before the schedule finished; the variant was not kept.');
        const snap = await snapshot(model, source.snap.metadata);
        return store.add(
          snap,
          sourceId,
          `${prefix}pruned ${pct} ${options.scope} (gradual, ${gradual.epochs} ${which === 'images' ? 'epochs' : 'rounds'})`,
          'pruned',
          await this.measure(which, snap),
        );
      } finally {
        model.dispose();
      }
    });
  }

  /** One-shot pruning of a variant at each sparsity: the metric against sparsity (nothing is kept). */
  async pruneSweep(
    which: Which,
    sourceId: number,
    sparsities: number[],
    scope: PruneOptions['scope'],
  ): Promise<{ sparsity: number; metric: number }[]> {
    return this.exclusive('pruning', async () => {
      const source = this.store(which).get(sourceId);
      const out: { sparsity: number; metric: number }[] = [];
      for (const sparsity of sparsities) {
        const snap = pruneSnapshot(source.snap, { sparsity, scope, includeBiases: false });
        out.push({ sparsity, metric: await this.measure(which, snap) });
      }
      return out;
    });
  }

  /** Trains a smaller student on the variant's softened outputs mixed with the true labels (images only). */
  async distillVariant(
    sourceId: number,
    student: ModelConfig,
    options: DistillOptions,
    config: TrainConfig,
    onEvent: (e: TrainEvent) => void,
  ): Promise<VariantInfo> {
    return this.exclusive('distilling', async () => {
      const problems = [...validateModelConfig(student), ...validateDistill(options)];
      if (problems.length) throw new Error(problems.join(' '));
      const store = this.store('images');
      const source = store.get(sourceId);
      const data = this.deviceData();
      const model = buildModel(student, config.seed);
      const teacher = await loadSnapshot(source.snap).catch((e) => {
        model.dispose();
        throw e;
      });
      try {
        const trainer = new Trainer(distillTask(model, teacher, data.train, data.validation, config, options), config, onEvent);
        const result = await this.runTrainer(trainer);
        if (result.reason !== 'finished') throw new Error(result.error ?? 'Distillation was stopped; the student was not kept.');
        const snap = await snapshot(model, { kind: 'images', dataset: this.dataset?.name ?? null, distilledFrom: source.info.label });
        const label = `student ${student.kind.toUpperCase()} (T=${options.temperature}, alpha=${options.alpha}) from ${source.info.label}`;
        return store.add(snap, sourceId, label, 'distilled', await this.measure('images', snap));
      } finally {
        teacher.dispose();
        model.dispose();
      }
    });
  }

  async variantHistogram(which: Which, id: number, weightName: string): Promise<Histogram> {
    const store = this.store(which);
    const v = store.get(id);
    const parentId = v.info.parentId ?? id;
    const after = v.snap.entries.find((e) => e.name === weightName);
    const before = store.get(parentId).snap.entries.find((e) => e.name === weightName) ?? after;
    if (!after || !before || before.values.length !== after.values.length) throw new Error(`Variant #${id} has no weight named ${weightName}.`);
    return histogram(before, after);
  }

  /** The variant in the TensorFlow.js layers format (quantization in the manifest where it can say it), plus our compact file when it cannot. */
  async exportVariant(which: Which, id: number): Promise<ExportFile[]> {
    const { info, snap } = this.store(which).get(id);
    const stem = `${which === 'images' ? 'mnist' : 'char-lstm'}-${info.label}`;
    const plain = plainLayersFiles(snap, stem);
    const files: ExportFile[] = [
      { name: `${plain.weightsName.replace(/\.weights\.bin$/, '')}.json`, bytes: new TextEncoder().encode(plain.modelJson) },
      { name: plain.weightsName, bytes: plain.weights },
    ];
    if (!info.plainCompact) files.push(compactFile(snap, stem));
    return files;
  }

  /**
   * A model exported by this page (model.json with its weights, or one .nnq file) becomes the page's model:
   * evaluate it, compress it again, train it further. On any problem the current model stays.
   */
  async importImageModel(files: NamedBytes[]): Promise<ImportedModelInfo> {
    return this.exclusive('loading a model', async () => {
      const { model } = await this.loadModelFiles(files);
      const input = model.inputs[0].shape.slice(1);
      const output = model.outputs[0].shape.slice(1);
      if (input.join(',') !== '28,28,1' || output.join(',') !== '10') {
        model.dispose();
        throw new ModelFileError(
          `This model takes [${input.join(', ')}] and predicts [${output.join(', ')}]; an MNIST model takes [28, 28, 1] and predicts 10 classes. Choose a model exported from the Images tab.`,
        );
      }
      let accuracy: number;
      try {
        accuracy = (await evaluateSet(model, this.deviceData().test)).accuracy;
      } catch (e) {
        model.dispose();
        throw e;
      }
      this.model?.dispose();
      this.model = model;
      const name = files.find((f) => /\.(json|nnq)$/i.test(f.name))?.name ?? 'model';
      return { name, summary: summarize(model, model.layers.some((l) => l.getClassName() === 'Conv2D') ? 'cnn' : 'mlp'), accuracy };
    });
  }

  /** model.json with its weight files, or one .nnq file: the model (built with plain tfjs) and our metadata. */
  private async loadModelFiles(files: NamedBytes[]): Promise<{ model: tf.LayersModel; metadata: Record<string, unknown> }> {
    const compact = files.find((f) => isCompactFile(f.bytes));
    if (compact) {
      const snap = readCompactFile(compact.bytes, compact.name);
      try {
        return { model: await loadSnapshot(snap), metadata: snap.metadata };
      } catch (e) {
        throw new ModelFileError(`The model could not be built from ${compact.name}: ${(e as Error).message}`);
      }
    }
    const json = files.find((f) => f.name.toLowerCase().endsWith('.json'));
    if (!json) throw new ModelFileError('Choose the model.json and its .weights.bin file together, or one .nnq file, exported by this page.');
    return importModel(
      new TextDecoder().decode(json.bytes),
      files.filter((f) => f !== json),
    );
  }

  // ---- Runs: history, resume after a reload, export ------------------------------------------------------

  async storageStatus(): Promise<StorageStatus> {
    return this.keeper.storage;
  }

  /** Stored runs, newest first; a 'running' one not training here is listed as elsewhere (another tab) or interrupted. */
  async listRuns(): Promise<RunSummary[]> {
    return this.keeper.list();
  }

  async whenRunFree(id: string): Promise<void> {
    return this.keeper.whenFree(id);
  }

  async getRun(id: string): Promise<RunRecord> {
    return (await this.keeper.get(id)).record;
  }

  /** A run's settings and curves, and its last checkpoint's weights loaded as the page's current model. */
  async openRun(id: string): Promise<RunRecord> {
    return this.exclusive('opening a run', () => this.keeper.open(id));
  }

  async renameRun(id: string, name: string): Promise<RunSummary> {
    return this.keeper.rename(id, name);
  }

  async deleteRun(id: string): Promise<void> {
    return this.keeper.delete(id);
  }

  /** The run as files: its record (settings, curves) as JSON and its last checkpoint as a layers-format model. */
  async exportRun(id: string): Promise<ExportFile[]> {
    return this.keeper.export(id);
  }

  /** Goes on with an interrupted run from its last checkpoint: same weights, optimizer state, step and curves. */
  async resumeRun(id: string, onEvent: (e: TrainEvent) => void): Promise<TrainResult> {
    this.checkJob();
    if (this.trainer) throw new Error('Training is already running; stop it first.');
    if (this.generating) throw new Error('Stop generating text before training.');
    this.job = 'resuming a run'; // nothing else starts while the run is rebuilt
    let resumed: Awaited<ReturnType<RunKeeper['prepareResume']>>;
    try {
      resumed = await this.keeper.prepareResume(id, onEvent);
    } finally {
      this.job = null;
    }
    if (resumed.record.text) this.textTrain = resumed.record.text;
    return this.runTrainer(resumed.trainer, resumed.run);
  }

  /** Test hook (?testHooks=1): destroys the WebGPU device, as a driver reset or a lost GPU would. */
  async loseDevice(): Promise<boolean> {
    if (!this.testHooks) throw new Error('Test hooks are off; open the page with ?testHooks=1.');
    const device = (tf.backend() as unknown as { device?: { destroy(): void } }).device;
    device?.destroy();
    return device !== undefined;
  }

  async pause(): Promise<void> {
    this.trainer?.pause();
  }

  async resume(): Promise<void> {
    this.trainer?.resume();
  }

  async stop(): Promise<void> {
    this.trainer?.stop();
  }

  async evaluate(): Promise<EvaluationResult> {
    if (!this.model || !this.dataset) throw new Error('Train a model first; there is nothing to evaluate yet.');
    this.checkJob();
    if (this.trainer) throw new Error('Wait for training to finish (or stop it) before evaluating.');
    return evaluateModel(this.model, this.deviceData().test, this.dataset.test);
  }

  async predict(pixels: Float32Array): Promise<number[]> {
    if (!this.model) throw new Error('Train a model first; then draw a digit to see its guess.');
    if (pixels.length !== 784) throw new Error(`Expected 784 pixels (28x28), got ${pixels.length}.`);
    const probs = tf.tidy(() => this.model!.predict(tf.tensor4d(pixels, [1, 28, 28, 1])) as tf.Tensor);
    const out = Array.from(await probs.data());
    probs.dispose();
    return out;
  }

  async memory(): Promise<MemoryInfo> {
    const m = tf.memory();
    return { numTensors: m.numTensors, numBytes: m.numBytes };
  }
}
