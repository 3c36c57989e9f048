import { callback } from '../../worker/client';
import type { ModelConfig } from '../../engine/config/imageModel';
import { validateModelConfig } from '../../engine/config/validateImageModel';
import { TrainConfig, validateTrainConfig } from '../../engine/config/train';
import { switchToFastestBackend } from './backendActions';
import { engine } from './engine';
import { dataUrl, readFiles } from './files';
import { message, notify } from './notices';
import { store } from './store';
import { beginRun, runTraining } from './training';

export async function loadMnist(): Promise<void> {
  store.update('data', { loading: { loaded: 0, total: 0 }, error: null });
  try {
    const info = await engine.loadMnist(
      {
        trainImages: dataUrl('mnist-train-images.idx.gz'),
        trainLabels: dataUrl('mnist-train-labels.idx.gz'),
        testImages: dataUrl('mnist-test-images.idx.gz'),
        testLabels: dataUrl('mnist-test-labels.idx.gz'),
      },
      store.get().data.validationSize,
      callback((p) => store.update('data', { loading: { loaded: p.loadedBytes, total: p.totalBytes } })),
    );
    store.update('data', { info, loading: null, preview: await engine.preview(40) });
  } catch (e) {
    store.update('data', { loading: null, error: message(e) });
  }
}

export async function loadIdxFiles(files: File[]): Promise<void> {
  store.update('data', { error: null });
  try {
    const info = await engine.loadIdxFiles(await readFiles(files), store.get().data.validationSize);
    store.update('data', { info, preview: await engine.preview(40) });
    notify(
      'info',
      `Loaded ${info.name}: ${info.trainCount.toLocaleString()} training, ${info.validationCount.toLocaleString()} validation, ${info.testCount.toLocaleString()} test images.`,
    );
  } catch (e) {
    store.update('data', { error: message(e) });
  }
}

export async function refreshSummary(): Promise<void> {
  const { kind, configs } = store.get().model;
  const config = configs[kind];
  const problems = validateModelConfig(config);
  if (problems.length) {
    store.update('model', { problems, summary: null });
    return;
  }
  store.update('model', { problems: [] });
  // a slow reply for an older configuration must not overwrite a newer one's problems or summary
  const current = () => store.get().model.configs[store.get().model.kind] === config;
  try {
    const summary = await engine.describeModel(config);
    if (current()) store.update('model', { problems: [], summary });
  } catch (e) {
    if (current()) store.update('model', { problems: [message(e)], summary: null });
  }
}

export function setModelKind(kind: 'mlp' | 'cnn'): void {
  store.update('model', { kind });
  void refreshSummary();
}

export function setModelConfig(config: ModelConfig): void {
  store.update('model', (m) => ({ configs: { ...m.configs, [config.kind]: config } }));
  void refreshSummary();
}

export function setTrainConfig(patch: Partial<TrainConfig>): void {
  store.update('train', (t) => ({ config: { ...t.config, ...patch } }));
}

export async function startTraining(): Promise<void> {
  const s = store.get();
  const model = s.model.configs[s.model.kind];
  const problems = [...validateModelConfig(model), ...validateTrainConfig(s.train.config)];
  if (problems.length) {
    store.update('train', { state: 'failed', message: problems.join(' ') });
    return;
  }
  if (!s.data.info) {
    store.update('train', { message: 'The dataset is still loading; start again once it is ready.' });
    return;
  }
  if (!s.continueRun.images) await switchToFastestBackend(s.model.kind);
  beginRun('images');
  store.update('evaluation', { result: null, error: null });
  store.update('draw', { probabilities: null });
  await runTraining(
    (onEvent) => engine.train(model, s.train.config, onEvent, s.continueRun.images),
    async (result) => {
      if (result.reason !== 'failed') await evaluate();
    },
  );
}

export async function evaluate(): Promise<void> {
  store.update('evaluation', { running: true, error: null });
  try {
    store.update('evaluation', { result: await engine.evaluate(), running: false });
  } catch (e) {
    store.update('evaluation', { running: false, error: message(e) });
  }
}

export async function predictDrawing(pixels: Float32Array): Promise<void> {
  try {
    store.update('draw', { probabilities: await engine.predict(pixels), error: null, pixels });
  } catch (e) {
    store.update('draw', { probabilities: null, error: message(e) });
  }
}
