import * as tf from '@tensorflow/tfjs';
import type { LoadProgress, MnistUrls, PreviewDigit } from '../config/api';
import type { DatasetInfo, NamedBytes } from '../config/data';
import type { TrainEvent, TrainResult } from '../config/events';
import type { ModelConfig } from '../config/imageModel';
import type { EvaluationResult, ModelSummary } from '../config/results';
import type { TrainConfig } from '../config/train';
import { fetchBytes } from '../data/fetchBytes';
import { DataError, readIdxPair } from '../data/idx';
import { datasetFromFiles, describeDataset, ImageDataset, makeDataset } from '../data/images';
import { imageTask } from '../families/images/task';
import { buildModel } from '../families/images/model';
import { summarize } from '../models/summary';
import { imageIdentity } from '../runs/identity';
import type { RunRecorder } from '../runs/recorder';
import { evaluateModel } from '../train/evaluate';
import { Trainer } from '../train/trainer';
import type { Workspace } from './workspace';

const kindOf = (model: tf.LayersModel) => (model.layers.some((l) => l.getClassName() === 'Conv2D') ? 'cnn' : 'mlp');

/** The images family's page calls: MNIST or IDX files, the model's summary, training, evaluation, a drawn digit's guess. */
export class ImageService {
  constructor(private readonly ws: Workspace) {}

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
    return this.use(makeDataset('MNIST', train, test, validationSize));
  }

  async loadIdxFiles(files: NamedBytes[], validationSize: number): Promise<DatasetInfo> {
    return this.ws.exclusive('loading a dataset', async () => this.use(await datasetFromFiles(files, validationSize)), {
      whileTraining: 'Stop training before loading another dataset.',
      error: DataError,
      hold: false,
    });
  }

  private use(d: ImageDataset): DatasetInfo {
    this.ws.useDataset(d);
    return describeDataset(d);
  }

  async preview(count: number): Promise<PreviewDigit[]> {
    const set = this.ws.dataset?.train;
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
    return this.ws.exclusive('training', async () => this.start(modelConfig, config, onEvent, fromCurrent), {
      whileTraining: 'Training is already running; stop it first.',
      hold: false,
    });
  }

  private start(modelConfig: ModelConfig, config: TrainConfig, onEvent: (e: TrainEvent) => void, fromCurrent: boolean): Promise<TrainResult> {
    const { ws } = this;
    const current = fromCurrent ? ws.imageModel : null;
    if (fromCurrent && !current) throw new Error('There is no trained or loaded model to continue; start a new run instead.');
    const data = ws.imageData();
    const model = current ?? buildModel(modelConfig, config.seed);
    let trainer: Trainer;
    let recorder: RunRecorder;
    try {
      const task = imageTask(model, data.train, data.validation, config);
      recorder = ws.keeper.newRun({
        task: 'images',
        modelKind: current ? kindOf(current) : modelConfig.kind,
        model: current ? null : modelConfig,
        topology: current ? (current.toJSON(null, false) as object) : null,
        train: config,
        text: null,
        vocab: null,
        dataset: imageIdentity(ws.dataset!),
        totalSteps: task.stepsPerEpoch * config.epochs,
      });
      trainer = new Trainer(task, config, recorder.listen(onEvent), recorder.hooks(model, null));
    } catch (e) {
      if (!current) model.dispose();
      throw e;
    }
    if (!current) {
      ws.imageModel?.dispose();
      ws.imageModel = model;
    }
    return ws.runTrainer(trainer, ws.keeper.activeRun(recorder, model, config, onEvent));
  }

  async evaluate(): Promise<EvaluationResult> {
    const { ws } = this;
    const model = ws.imageModel;
    const dataset = ws.dataset;
    if (!model || !dataset) throw new Error('Train a model first; there is nothing to evaluate yet.');
    return ws.exclusive('evaluating', async () => evaluateModel(model, ws.imageData().test, dataset.test), { hold: false });
  }

  async predict(pixels: Float32Array): Promise<number[]> {
    const model = this.ws.imageModel;
    if (!model) throw new Error('Train a model first; then draw a digit to see its guess.');
    if (pixels.length !== 784) throw new Error(`Expected 784 pixels (28x28), got ${pixels.length}.`);
    const probs = tf.tidy(() => model.predict(tf.tensor4d(pixels, [1, 28, 28, 1])) as tf.Tensor);
    const out = Array.from(await probs.data());
    probs.dispose();
    return out;
  }
}
