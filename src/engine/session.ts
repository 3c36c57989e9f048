import * as tf from '@tensorflow/tfjs';
import type { LoadProgress, MemoryInfo, MnistUrls, Notice, PlaygroundApi, PreviewDigit } from '../worker/api';
import { BackendName, BackendState, selectBackend, trySetBackend } from './backend/backends';
import { DataError, readIdxPair } from './data/idx';
import { datasetFromFiles, DatasetInfo, describeDataset, ImageDataset, makeDataset, NamedBytes } from './data/images';
import { ModelConfig } from './models/config';
import { buildModel, ModelSummary, summarize } from './models/build';
import { TrainConfig } from './train/config';
import { DeviceSet, disposeSet, toDevice } from './train/deviceData';
import { evaluateModel, EvaluationResult } from './train/evaluate';
import { Trainer, TrainEvent, TrainResult } from './train/trainer';

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
      trainer = new Trainer(model, data.train, data.validation, config, onEvent);
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
