/** The stored runs as the page lists and opens them (weights live in the engine's checkpoint store). */
import type { EpochPoint, StepPoint } from './events';
import type { TrainConfig } from './train';
import type { ModelConfig } from './imageModel';
import type { CharLstmConfig } from './charModel';
import type { CharTransformerConfig } from './charTransformer';
import type { TextTrainConfig } from './textTrain';
import type { CorpusOptions } from './corpus';

/**
 * 'interrupted': stored as running, but nothing trains it now (the page was reloaded or crashed); 'elsewhere':
 * stored as running and training in another tab of this browser (see runLocks.ts). Neither is ever stored.
 */
export type RunStatus = 'running' | 'finished' | 'stopped' | 'failed' | 'interrupted' | 'elsewhere';

/** Which data a run trained on, so a resume can refuse other data. */
export interface DatasetIdentity {
  task: 'images' | 'text';
  name: string;
  /** Training images, or characters of the whole text. */
  size: number;
  /** FNV-1a hash of the labels and a sample of the pixels, or of the character ids. */
  fingerprint: string;
}

/** What the Runs panel lists. */
export interface RunSummary {
  id: string;
  /** v1, v2, ... in the order runs were started. */
  version: number;
  name: string;
  task: 'images' | 'text';
  modelKind: 'mlp' | 'cnn' | 'charLstm' | 'charTransformer';
  createdAt: string;
  updatedAt: string;
  status: RunStatus;
  dataset: DatasetIdentity;
  step: number;
  totalSteps: number;
  /** The step of the last stored checkpoint (null: none yet). */
  checkpointStep: number | null;
  /** Last validation accuracy (images) or validation nats per character (text). */
  metric: { name: string; value: number } | null;
  backend: string;
  error: string | null;
}

/** A whole run: settings, curves and the facts needed to rebuild its model. Weights live in the checkpoint store. */
export interface RunRecord extends RunSummary {
  /** The builder's configuration; null when the run continued a loaded model (then topology rebuilds it). */
  model: ModelConfig | CharLstmConfig | CharTransformerConfig | null;
  topology: object | null;
  train: TrainConfig;
  text: TextTrainConfig | null;
  /** Char-LSTM runs: the vocabulary and corpus options the ids mean. */
  vocab: { chars: string[]; options: CorpusOptions } | null;
  steps: StepPoint[];
  epochs: EpochPoint[];
}

export interface StorageStatus {
  /** Runs survive a reload (IndexedDB works); false: they are kept in this tab's memory only. */
  persistent: boolean;
  problem: string | null;
}

/** A run brought in from exported files: listed under this browser's next version. */
export interface ImportedRun {
  run: RunSummary;
  /** What did not come in (an old export's checkpoint), or null. */
  note: string | null;
}

/** The model family as run names and the compare chart's legend show it. */
export function familyName(kind: RunSummary['modelKind']): string {
  return { mlp: 'MLP', cnn: 'CNN', charLstm: 'char-LSTM', charTransformer: 'Transformer' }[kind];
}
