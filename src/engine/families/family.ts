import type * as tf from '@tensorflow/tfjs';
import type { ModelKind, Which } from '../config/api';
import type { CharLstmConfig, CharLstmMetadata } from '../config/charModel';
import type { CharTransformerConfig, CharTransformerMetadata } from '../config/charTransformer';
import type { ModelConfig } from '../config/imageModel';
import type { MetricInfo } from '../config/compress';
import type { PassageWindow } from '../config/inspect';
import type { DatasetIdentity, RunRecord } from '../config/runs';
import type { TextTrainConfig } from '../config/textTrain';
import type { TrainConfig } from '../config/train';
import type { ModelSnapshot } from '../compress/snapshot';
import type { ImageDataset } from '../data/images';
import type { RunPlan } from '../runs/plan';
import type { Corpus, Vocabulary } from '../text/corpus';
import type { DeviceSet } from '../train/deviceData';
import type { TrainTask } from '../train/trainer';
import type { TextData } from './charLstm/task';

/** The loaded text: its raw form (to re-read with other options) and the corpus built from it. */
export interface LoadedText {
  raw: string;
  name: string;
  bytes: number;
  corpus: Corpus;
}

/** The page's current char model (char-LSTM or char-Transformer), its vocabulary and what an export of it carries. */
export interface CharModel {
  model: tf.LayersModel;
  vocab: Vocabulary;
  meta: CharLstmMetadata | CharTransformerMetadata;
}

/**
 * What a family reads from and writes to the shared workspace (services/workspace.ts implements it): the data
 * sets with their copies on the active backend, and the page's current model of each family.
 */
export interface FamilyContext {
  readonly dataset: ImageDataset | null;
  imageData(): { train: DeviceSet; validation: DeviceSet; test: DeviceSet };
  readonly text: LoadedText | null;
  textData(): TextData;
  /** The text settings of the last text run (validation split, windows), which measurements reuse. */
  readonly textTrain: TextTrainConfig;
  readonly imageModel: tf.LayersModel | null;
  readonly charModel: CharModel | null;
  /** Makes the model the page's current one of its family, disposing the one it replaces. */
  adoptImageModel(model: tf.LayersModel): void;
  adoptCharModel(model: tf.LayersModel, meta: CharLstmMetadata | CharTransformerMetadata): void;
}

/** Next-character distributions over a passage, as the text Inspect view colours it. */
interface NextCharProbs {
  /** [ids.length - 1, vocab] row-major: row t is the distribution of the character after ids[0..t]. */
  probs: Float32Array;
  /** How the passage was read: null for all at once, else the context windows (config/inspect.ts). */
  window: PassageWindow | null;
}

/** What the text Inspect view reads from a char model; each text family implements it for its own layers. */
export interface TextInspector {
  nextCharProbs(model: tf.LayersModel, ids: Int32Array): Promise<NextCharProbs>;
  /** The character embedding table [vocab, dims]: the model's own weight (the caller must not dispose it). */
  embeddingTable(model: tf.LayersModel): tf.Tensor2D;
  /**
   * Each recurrent layer's cell state after each character, [ids.length, units] per layer (the caller disposes them);
   * a family without cells throws a plain message saying where to look instead.
   */
  cellTrace(model: tf.LayersModel, ids: Int32Array): tf.Tensor2D[];
}

/**
 * One kind of model the playground trains (images: MLP/CNN on MNIST; text: char-LSTM on a corpus). Compression,
 * export, runs and the backend measurements reach a model through this interface, never through a switch on
 * its kind; a new family is one folder implementing it and one line in families/index.ts.
 */
export interface ModelFamily {
  /** The page's and the stored runs' name for it (RunRecord.task). */
  readonly id: Which;
  /** The model kinds it builds (the page measures backends per kind). */
  readonly kinds: readonly ModelKind[];
  /** What the train config's epochs count: 'epochs' (passes over the data) or 'rounds' (evalEvery steps). */
  readonly epochWord: string;
  /** The figure a compressed variant is judged by. */
  readonly metric: MetricInfo;
  /**
   * Whether pruning zeroes this weight (its saved name, e.g. 'char_gpt1/h0.attn.w', and shape): the matrices the
   * model multiplies by. Biases and norms are added only when the user asks; one-shot and gradual pruning, and the
   * variants' reported sparsity, all use this choice.
   */
  prunable(weight: { name: string; shape: number[] }): boolean;
  /** First part of an exported file's name ('mnist', 'char-lstm'). */
  readonly filePrefix: string;
  /** The page's current model, or an error saying what to do (`doing`: 'compress', 'export'). */
  current(ctx: FamilyContext, doing: 'compress' | 'export'): tf.LayersModel;
  /** Throws when a variant cannot be measured with the data loaded now. */
  checkMeasurable(ctx: FamilyContext): void;
  /** What a snapshot or an export of the current model carries besides its weights. */
  metadata(ctx: FamilyContext): Record<string, unknown>;
  /** The exported file stem of the current model. */
  fileStem(ctx: FamilyContext): string;
  /** Fine-tuning on the workspace's data (gradual pruning), `config.epochs` epochs or rounds. */
  fineTuneTask(model: tf.LayersModel, ctx: FamilyContext, config: TrainConfig): TrainTask;
  /** The metric of a variant: test accuracy, or validation nats per character. */
  measure(ctx: FamilyContext, snap: ModelSnapshot): Promise<number>;
  /** The data loaded now, as a stored run names it (null: none loaded). */
  identity(ctx: FamilyContext): DatasetIdentity | null;
  /** Why a run that trained on `run` cannot go on with the data loaded now, or null when it is the same data. */
  dataProblem(run: DatasetIdentity, ctx: FamilyContext): string | null;
  /** How to rebuild a stored run's model and task on the active backend (resume, reload, backend fault). */
  plan(record: RunRecord, ctx: FamilyContext): RunPlan;
  /**
   * Items (samples, predicted characters) per second of a few training steps on the active backend; with
   * `stopped`, it gives way between warm-up steps and throws Interrupted once `stopped()` is true.
   */
  backendSpeed(ctx: FamilyContext, config: ModelConfig | CharLstmConfig | CharTransformerConfig, stopped?: () => boolean): Promise<number>;
  /** The text Inspect view's reads (text families only). */
  readonly text?: TextInspector;
}
