import * as tf from '@tensorflow/tfjs';
import type { ModelConfig } from '../../config/imageModel';
import { DEFAULT_TRAIN } from '../../config/train';
import { benchImageOurs } from '../../bench/imageBench';
import { isKernel, loadSnapshot } from '../../compress/snapshot';
import { DataError } from '../../data/idx';
import { slice as sliceImages } from '../../data/images';
import { buildModel } from './model';
import { identityProblem, imageIdentity } from '../../runs/identity';
import { disposeSet, evaluateSet, toDevice } from '../../train/deviceData';
import type { ModelFamily } from '../family';
import { imageTask } from './task';

/** MLP and CNN classifiers of 28 x 28 digits (MNIST or the user's IDX files), judged by test accuracy. */
export const imagesFamily: ModelFamily = {
  id: 'images',
  kinds: ['mlp', 'cnn'],
  epochWord: 'epochs',
  metric: { name: 'test accuracy', higherIsBetter: true },
  prunable: isKernel, // kernels, recurrent kernels and embeddings (rank 2 and up)
  filePrefix: 'mnist',

  current(ctx, doing) {
    if (ctx.imageModel) return ctx.imageModel;
    throw new Error(
      doing === 'compress'
        ? 'Train or load a model first; there is nothing to compress yet.'
        : 'Train a model first; there is nothing to export yet.',
    );
  },

  checkMeasurable() {},

  metadata: (ctx) => ({ kind: 'images', dataset: ctx.dataset?.name ?? null }),

  fileStem: (ctx) => `mnist-${ctx.dataset?.name ?? 'model'}`,

  fineTuneTask(model, ctx, config) {
    const data = ctx.imageData();
    return imageTask(model, data.train, data.validation, config);
  },

  async measure(ctx, snap) {
    const model = await loadSnapshot(snap);
    try {
      return (await evaluateSet(model, ctx.imageData().test)).accuracy;
    } finally {
      model.dispose();
    }
  },

  identity: (ctx) => (ctx.dataset ? imageIdentity(ctx.dataset) : null),

  dataProblem(run, ctx) {
    return identityProblem(run, this.identity(ctx), 'dataset', 'training images');
  },

  plan(record, ctx) {
    const { train } = record;
    const config = record.model as ModelConfig | null;
    const topology = record.topology;
    return {
      // our own builder keeps the seeded dropout; a loaded model's topology rebuilds it with stock layers
      makeModel: async () =>
        config
          ? buildModel(config, train.seed)
          : tf.models.modelFromJSON({ modelTopology: topology } as Parameters<typeof tf.models.modelFromJSON>[0]),
      makeTask: (model) => {
        const data = ctx.imageData();
        return imageTask(model, data.train, data.validation, train);
      },
      adopt: (model) => ctx.adoptImageModel(model),
      metric: (point) => ({ name: 'validation accuracy', value: point.valAccuracy }),
      exportMetadata: (step) => ({ kind: 'images', dataset: record.dataset.name, run: record.name, step }),
    };
  },

  /** A few steps on the first 1,024 training images, batch 64 (3 for a CNN, 10 for an MLP, after a warm-up). */
  async backendSpeed(ctx, config, stopped) {
    if (!ctx.dataset) throw new DataError('No dataset is loaded yet.');
    const model = config as ModelConfig;
    const sample = toDevice(sliceImages(ctx.dataset.train, 0, Math.min(ctx.dataset.train.count, 1024)));
    try {
      const cnn = model.kind === 'cnn';
      return (await benchImageOurs(model, sample, { ...DEFAULT_TRAIN, batchSize: 64 }, cnn ? 1 : 2, cnn ? 3 : 10, stopped)).samplesPerSec;
    } finally {
      disposeSet(sample);
    }
  },
};
