import * as tf from '@tensorflow/tfjs';
import type { ModelConfig } from '../config/imageModel';
import { CharLstmConfig } from '../config/charModel';
import type { CorpusOptions } from '../config/corpus';
import type { RunRecord } from '../config/runs';
import { buildModel } from '../models/build';
import { buildCharLstm } from '../text/charModel';
import { textTask, TextData } from '../text/textTask';
import { imageTask } from '../train/imageTask';
import type { DeviceSet } from '../train/deviceData';
import type { TrainTask } from '../train/trainer';

/** What a run needs from the session holding the data and the page's current models. */
export interface RunHost {
  imageData(): { train: DeviceSet; validation: DeviceSet };
  textData(): TextData;
  /** Makes the model the page's current image model (or char-LSTM), disposing the one it replaces. */
  adoptImageModel(model: tf.LayersModel): void;
  adoptCharModel(model: tf.LayersModel, meta: { vocab: string[]; options: CorpusOptions; config: CharLstmConfig; corpus: string }): void;
}

/** How to rebuild a stored run's model and task on the active backend: for a resume, a reload or a backend fault. */
export interface RunPlan {
  makeModel(): Promise<tf.LayersModel>;
  makeTask(model: tf.LayersModel): TrainTask;
  adopt(model: tf.LayersModel): void;
}

export function planFor(record: RunRecord, host: RunHost): RunPlan {
  const { train } = record;
  if (record.task === 'text') {
    const config = record.model as CharLstmConfig | null;
    const vocab = record.vocab;
    if (!config || !vocab || !record.text) throw new Error('This char-LSTM run lacks its model settings or vocabulary; it cannot be rebuilt.');
    const textConfig = record.text;
    return {
      makeModel: async () => buildCharLstm(config, vocab.chars.length, train.seed),
      makeTask: (model) => textTask(model, host.textData(), config.window, train, textConfig),
      adopt: (model) => host.adoptCharModel(model, { vocab: vocab.chars, options: vocab.options, config, corpus: record.dataset.name }),
    };
  }
  const config = record.model as ModelConfig | null;
  const topology = record.topology;
  return {
    // our own builder keeps the seeded dropout; a loaded model's topology rebuilds it with stock layers
    makeModel: async () =>
      config ? buildModel(config, train.seed) : tf.models.modelFromJSON({ modelTopology: topology } as Parameters<typeof tf.models.modelFromJSON>[0]),
    makeTask: (model) => {
      const data = host.imageData();
      return imageTask(model, data.train, data.validation, train);
    },
    adopt: (model) => host.adoptImageModel(model),
  };
}
