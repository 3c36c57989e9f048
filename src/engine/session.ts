import * as tf from '@tensorflow/tfjs';
import type { LoadProgress, MemoryInfo, MnistUrls, Notice, PlaygroundApi, PreviewDigit } from '../worker/api';
import { BackendName, BackendState, selectBackend, trySetBackend } from './backend/backends';
import { DataError, readIdxPair } from './data/idx';
import { datasetFromFiles, DatasetInfo, describeDataset, ImageDataset, makeDataset, NamedBytes } from './data/images';
import { ModelConfig } from './models/config';
import { buildModel, ModelSummary, summarize } from './models/build';
import { DEFAULT_TRAIN, TrainConfig } from './train/config';
import { DeviceSet, disposeSet, toDevice } from './train/deviceData';
import { evaluateModel, EvaluationResult } from './train/evaluate';
import { Trainer, TrainEvent, TrainResult } from './train/trainer';
import { imageTask } from './train/imageTask';
import { buildCorpus, Corpus, CorpusInfo, CorpusOptions, decodeText, TextError, vocabularyFrom, Vocabulary } from './text/corpus';
import { buildCharLstm, CharLstmConfig, DEFAULT_CHAR_MODEL } from './text/charModel';
import { DEFAULT_TEXT_OPTIMIZER, DEFAULT_TEXT_TRAIN, textTask, TextTrainConfig } from './text/textTask';
import { generateText, GenerateOptions } from './text/sampler';
import { exportModel, importModel, ModelFileError, ModelFiles } from './io/modelFiles';
import { maybeGunzip } from './data/idx';
import { benchBaseline, benchOurs, SpeedResult } from './bench/textBench';

/** What a char-LSTM export carries besides its weights, so it can be used again without the corpus. */
export interface CharLstmMetadata {
  kind: 'charLstm';
  vocab: string[];
  options: CorpusOptions;
  config: CharLstmConfig;
  corpus: string;
}

export interface CharModelInfo {
  source: string;
  vocabSize: number;
  config: CharLstmConfig;
  options: CorpusOptions;
}

async function fetchBytes(url: string, onBytes: (n: number, total: number) => void): Promise<Uint8Array> {
  const res = await fetch(url);
  if (!res.ok || !res.body) throw new DataError(`Could not load ${url} (HTTP ${res.status}). Reload the page; if it persists, rebuild the bundled data with npm run prepare-data.`);
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

  async init(preferred: BackendName | undefined, onNotice: (n: Notice) => void): Promise<BackendState> {
    this.notify = onNotice;
    const state = await selectBackend(preferred);
    this.watchDevice();
    return state;
  }

  async setBackend(name: BackendName): Promise<BackendState> {
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

  /** A lost WebGPU device is reported in the page instead of failing silently. */
  private watchDevice(): void {
    const backend = tf.backend() as unknown as { device?: { lost?: Promise<{ message: string; reason?: string }> } };
    backend.device?.lost?.then((info) => {
      if (info.reason === 'destroyed' && tf.getBackend() !== 'webgpu') return;
      this.notify({ level: 'error', message: `The GPU device was lost (${info.message || info.reason || 'no reason given'}). Switch to another backend and start training again.` });
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

  async train(modelConfig: ModelConfig, config: TrainConfig, onEvent: (e: TrainEvent) => void): Promise<TrainResult> {
    if (this.trainer) throw new Error('Training is already running; stop it first.');
    const data = this.deviceData();
    const model = buildModel(modelConfig, config.seed);
    let trainer: Trainer;
    try {
      trainer = new Trainer(imageTask(model, data.train, data.validation, config), config, onEvent);
    } catch (e) {
      model.dispose();
      throw e;
    }
    this.model?.dispose();
    this.model = model;
    this.trainer = trainer;
    try {
      return await trainer.run();
    } finally {
      this.trainer = null;
    }
  }

  /** A user's text file: on any problem the current corpus stays and the error says what to do. */
  async loadText(file: NamedBytes, options: CorpusOptions): Promise<CorpusInfo> {
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

  async trainText(modelConfig: CharLstmConfig, config: TrainConfig, textConfig: TextTrainConfig, onEvent: (e: TrainEvent) => void): Promise<TrainResult> {
    if (this.trainer) throw new Error('Training is already running; stop it first.');
    if (this.generating) throw new Error('Stop generating text before training.');
    if (!this.text) throw new TextError('No text is loaded yet; wait for the default corpus or choose a text file.');
    const { corpus, name } = this.text;
    if (!this.textDevice || this.textDevice.backend !== tf.getBackend()) {
      this.textDevice?.ids.dispose();
      this.textDevice = { backend: tf.getBackend(), ids: tf.tensor1d(corpus.ids, 'int32') };
    }
    const vocab = vocabularyFrom(corpus.vocab);
    const model = buildCharLstm(modelConfig, corpus.info.vocabSize, config.seed);
    let trainer: Trainer;
    try {
      const data = { ids: this.textDevice.ids, host: corpus.ids, length: corpus.ids.length, vocab };
      trainer = new Trainer(textTask(model, data, modelConfig.window, config, textConfig), config, onEvent);
    } catch (e) {
      model.dispose();
      throw e;
    }
    this.charModel?.model.dispose();
    this.charModel = { model, vocab, meta: { kind: 'charLstm', vocab: corpus.vocab, options: corpus.info.options, config: modelConfig, corpus: name } };
    this.trainer = trainer;
    try {
      return await trainer.run();
    } finally {
      this.trainer = null;
    }
  }

  async generate(options: GenerateOptions, onChunk: (text: string) => void): Promise<string> {
    if (!this.charModel) throw new Error('Train or load a char-LSTM first; then generate.');
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
    if (this.trainer) throw new Error('Wait for training to finish (or stop it) before exporting.');
    if (which === 'text') {
      if (!this.charModel) throw new Error('Train or load a char-LSTM first; there is nothing to export yet.');
      return exportModel(this.charModel.model, `char-lstm-${this.charModel.meta.corpus}`, { ...this.charModel.meta });
    }
    if (!this.model) throw new Error('Train a model first; there is nothing to export yet.');
    return exportModel(this.model, `mnist-${this.dataset?.name ?? 'model'}`, { kind: 'images', dataset: this.dataset?.name ?? null });
  }

  /** A char-LSTM exported by this page: model.json plus its weights file. The current model stays on any error. */
  async importCharModel(modelJson: string, weights: NamedBytes[]): Promise<CharModelInfo> {
    if (this.trainer) throw new Error('Stop training before loading a model.');
    const { model, metadata } = await importModel(modelJson, weights);
    const meta = metadata as Partial<CharLstmMetadata>;
    const vocabSize = (model.outputs[0].shape.at(-1) ?? 0) as number;
    if (meta.kind !== 'charLstm' || !Array.isArray(meta.vocab) || !meta.config || !meta.options) {
      model.dispose();
      throw new ModelFileError('This model.json carries no char-LSTM vocabulary; choose a char-LSTM exported from the Text tab.');
    }
    if (meta.vocab.length !== vocabSize) {
      model.dispose();
      throw new ModelFileError(`The vocabulary has ${meta.vocab.length} characters but the model predicts ${vocabSize}; the files do not belong together.`);
    }
    this.charModel?.model.dispose();
    this.charModel = { model, vocab: vocabularyFrom(meta.vocab), meta: meta as CharLstmMetadata };
    return { source: meta.corpus ?? 'imported', vocabSize, config: meta.config, options: meta.options };
  }

  /** `npm run bench`: training speed of our step or of the plain-tfjs baseline on the loaded text. */
  async benchTextSpeed(which: 'ours' | 'baseline', steps: number, warmup = 1): Promise<SpeedResult> {
    if (!this.text) throw new TextError('Load a text first.');
    if (which === 'baseline') return benchBaseline(this.text.corpus, DEFAULT_CHAR_MODEL.units, steps);
    return benchOurs(this.text.corpus, DEFAULT_CHAR_MODEL, { ...DEFAULT_TRAIN, ...DEFAULT_TEXT_OPTIMIZER }, warmup, steps);
  }

  /** `npm run bench`: wall time for the default char-LSTM and settings to reach a validation loss (nats/char). */
  async benchTimeToLoss(target: number, maxSeconds: number): Promise<{ reached: boolean; seconds: number; steps: number; valLoss: number; backend: string }> {
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
